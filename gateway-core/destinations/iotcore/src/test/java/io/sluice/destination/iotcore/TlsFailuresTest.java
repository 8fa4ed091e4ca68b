package io.sluice.destination.iotcore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.destination.iotcore.TlsFailures.Progress;
import io.sluice.spi.SluiceException;
import java.net.ConnectException;
import java.net.SocketException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;

class TlsFailuresTest {

    private static String describe(Throwable t, Progress p) {
        return TlsFailures.describe(new MqttException(t), p, "broker.example", "ca-certificate /etc/ca.pem");
    }

    private static Throwable handshake(String message, Throwable cause) {
        SSLHandshakeException e = new SSLHandshakeException(message);
        e.initCause(cause);
        return e;
    }

    @Test
    void alertsFromTheBrokerNameTheRefusedDeviceCertificate() {
        assertEquals("TLS: the broker refused the device certificate: not signed by a CA it trusts (alert unknown_ca)",
                describe(new SSLHandshakeException("Received fatal alert: unknown_ca"), Progress.HANDSHAKING));
        assertEquals("TLS: the broker refused the device certificate: it has expired (alert certificate_expired)",
                describe(new SSLHandshakeException("Received fatal alert: certificate_expired"), Progress.HANDSHAKING));
        assertTrue(describe(new SSLHandshakeException("Received fatal alert: bad_certificate"), Progress.HANDSHAKING)
                .startsWith("TLS: the broker refused the device certificate (alert bad_certificate)"));
        assertTrue(describe(new SSLHandshakeException("Received fatal alert: handshake_failure"), Progress.HANDSHAKING)
                .contains("no TLS version or cipher suite"));
    }

    @Test
    void aConnectionClosedInOrJustAfterTheHandshakeIsNamedAsALikelyRefusedCertificate() {
        assertTrue(describe(new SocketException("Broken pipe"), Progress.HANDSHAKING)
                .startsWith("TLS: the broker closed the connection during the TLS handshake: it most likely refused the device certificate"));
        assertTrue(describe(new SocketException("Connection reset by peer"), Progress.HANDSHAKE_DONE)
                .startsWith("TLS: the broker closed the connection right after the TLS handshake"));
        assertNull(describe(new ConnectException("Connection refused"), Progress.NOT_CONNECTED), "not a TLS failure");
        assertNull(describe(new SocketException("Connection reset"), Progress.NOT_CONNECTED));
    }

    @Test
    void theBrokerCertificateProblemIsFoundAnywhereInTheChain() {
        CertPathValidatorException validity = new CertPathValidatorException("validity check failed",
                new CertificateExpiredException("NotAfter: Sun Dec 06 20:43:48 UTC 2026"));
        assertEquals("TLS: the broker's certificate has expired (NotAfter: Sun Dec 06 20:43:48 UTC 2026)",
                describe(handshake("PKIX path validation failed", validity), Progress.HANDSHAKING));
        assertEquals("TLS: the broker's certificate is not signed by a CA in ca-certificate /etc/ca.pem (unknown CA)",
                describe(handshake("PKIX path building failed", new java.security.cert.CertPathBuilderException(
                        "unable to find valid certification path to requested target")), Progress.HANDSHAKING));
        assertTrue(describe(handshake("No subject alternative DNS name matching broker.example found.",
                new java.security.cert.CertificateException("No subject alternative DNS name matching broker.example found.")),
                Progress.HANDSHAKING).startsWith("TLS: host name mismatch: the broker's certificate is not for broker.example"));
    }

    @Test
    void aDestinationThatIsNotStartedKeepsTheData() {
        IotCoreDestination d = new IotCoreDestination("d", IotTestSamples.basic());
        var packets = d.pack(IotTestSamples.floats("s", 2, 1, 0)).packets();
        ExecutionException e = assertThrows(ExecutionException.class, () -> d.sendAsync(packets).get(5, TimeUnit.SECONDS));
        assertTrue(assertInstanceOf(SluiceException.class, e.getCause()).retryable());
    }
}
