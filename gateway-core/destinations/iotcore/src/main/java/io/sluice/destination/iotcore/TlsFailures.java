package io.sluice.destination.iotcore;

import java.io.EOFException;
import java.net.SocketException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Names a failed TLS connect in one line an operator can act on. Paho reports most TLS failures by their lowest
 * cause ("Broken pipe", "Connection reset by peer", "unable to find valid certification path"); this reads the cause
 * chain, the TLS alert the broker sent, and how far the connect got:
 * <ul>
 *   <li>the broker refused the device certificate: a TLS alert about the certificate, or the broker closing the
 *       connection during the handshake or right after it (what a broker that checks client certificates does);</li>
 *   <li>the broker's certificate is not signed by a trusted CA (unknown CA), has expired or is not valid yet, or is
 *       for another host name.</li>
 * </ul>
 * Anything else is described by its message and root cause, as before.
 */
final class TlsFailures {

    /** How far a connect attempt got before it failed. */
    enum Progress {
        /** No TCP connection (refused, unreachable, timed out). */
        NOT_CONNECTED,
        /** TCP connected, TLS handshake started but not finished. */
        HANDSHAKING,
        /** TLS handshake finished; the MQTT CONNECT was not answered. */
        HANDSHAKE_DONE
    }

    private static final Pattern ALERT = Pattern.compile("Received fatal alert: (\\w+)");

    private TlsFailures() {}

    /**
     * @param failure   what the MQTT client reported
     * @param progress  how far the attempt got
     * @param host      the endpoint's host, for the host name message
     * @param trustedBy where the CA certificates come from ("ca-certificate /etc/..", "the JVM trust store")
     * @return a one-line reason starting with "TLS: ", or null when the failure is not a TLS failure
     */
    static String describe(Throwable failure, Progress progress, String host, String trustedBy) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) chain.add(t);
        String alert = null;
        boolean closedByPeer = false;
        for (Throwable t : chain) { // the most specific causes first, wherever they are in the chain
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof CertificateExpiredException) {
                return "TLS: the broker's certificate has expired (" + message + ")";
            }
            if (t instanceof CertificateNotYetValidException) {
                return "TLS: the broker's certificate is not valid yet (" + message + "; check this machine's clock)";
            }
            if (message.startsWith("No subject alternative") || message.startsWith("No name matching")) {
                return "TLS: host name mismatch: the broker's certificate is not for " + host + " (" + message + ")";
            }
            Matcher m = ALERT.matcher(message);
            if (alert == null && m.find()) alert = m.group(1);
            if (isClosedByPeer(t, message)) closedByPeer = true;
        }
        for (Throwable t : chain) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof CertPathBuilderException || message.contains("unable to find valid certification path")) {
                return "TLS: the broker's certificate is not signed by a CA in " + trustedBy + " (unknown CA)";
            }
            if (t instanceof CertPathValidatorException) {
                return "TLS: the broker's certificate was not accepted (" + message + ")";
            }
        }
        if (alert != null) return fromAlert(alert);
        if (closedByPeer && progress == Progress.HANDSHAKING) {
            return "TLS: the broker closed the connection during the TLS handshake: it most likely refused the device "
                    + "certificate (not signed by a CA it trusts, expired, revoked or not registered)";
        }
        if (closedByPeer && progress == Progress.HANDSHAKE_DONE) {
            return "TLS: the broker closed the connection right after the TLS handshake, before answering CONNECT: it "
                    + "most likely refused the device certificate (not registered, inactive or revoked) or the client id";
        }
        return null;
    }

    private static boolean isClosedByPeer(Throwable t, String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return (t instanceof SocketException && (m.contains("broken pipe") || m.contains("connection reset")))
                || t instanceof EOFException
                || (t instanceof SSLException && (m.contains("remote host terminated") || m.contains("connection reset")
                || m.contains("broken pipe")));
    }

    private static String fromAlert(String alert) {
        return switch (alert) {
            case "unknown_ca" -> "TLS: the broker refused the device certificate: not signed by a CA it trusts (alert unknown_ca)";
            case "certificate_expired" -> "TLS: the broker refused the device certificate: it has expired (alert certificate_expired)";
            case "certificate_revoked" -> "TLS: the broker refused the device certificate: it is revoked (alert certificate_revoked)";
            case "bad_certificate", "certificate_unknown", "unsupported_certificate", "access_denied", "certificate_required" ->
                    "TLS: the broker refused the device certificate (alert " + alert + ")";
            case "handshake_failure", "protocol_version", "insufficient_security" ->
                    "TLS: the handshake failed: no TLS version or cipher suite both sides accept (alert " + alert + ")";
            default -> "TLS: the broker ended the handshake (alert " + alert + ")";
        };
    }
}
