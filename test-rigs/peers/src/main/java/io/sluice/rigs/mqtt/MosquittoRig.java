package io.sluice.rigs.mqtt;

import io.sluice.rigs.pki.PemKeyStores;
import io.sluice.rigs.pki.TestPki;
import io.sluice.rigs.process.PeerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A mosquitto broker on 127.0.0.1 and a free port, started as a child process and stopped by PID: the IoT Core
 * stand-in of the tests.
 *
 * <ul>
 *   <li>{@link #startPlain} — anonymous MQTT over TCP;</li>
 *   <li>{@link #startMutualTls} — MQTT over TLS 1.2 with a throwaway CA made at start; the broker requires a client
 *       certificate signed by that CA and uses its CN as the user name (like IoT Core's certificate-based
 *       identity); a client without a certificate is refused during the handshake.</li>
 * </ul>
 *
 * Needs the {@code mosquitto} binary (Debian package {@code mosquitto}; {@code test-rigs/setup-peers.sh}).
 */
public final class MosquittoRig implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final PeerProcess process;
    private final int port;
    private final boolean tls;
    private final TestPki pki;
    private final TestPki.PemIdentity client;
    private final Path workDir;

    private MosquittoRig(PeerProcess process, int port, boolean tls, TestPki pki, TestPki.PemIdentity client, Path workDir) {
        this.process = process;
        this.port = port;
        this.tls = tls;
        this.pki = pki;
        this.client = client;
        this.workDir = workDir;
    }

    /** An anonymous broker on {@code tcp://127.0.0.1:<free port>}; its config and log go to {@code workDir}. */
    public static MosquittoRig startPlain(Path workDir) throws IOException {
        Path dir = Files.createDirectories(workDir.resolve("mosquitto-plain"));
        return start(dir, false, null, null, null);
    }

    /**
     * A broker on {@code ssl://127.0.0.1:<free port>} requiring TLS 1.2 client certificates. A throwaway CA, a server
     * certificate and one client certificate (CN {@code sluice-test-client}) are written to {@code workDir/pki}.
     */
    public static MosquittoRig startMutualTls(Path workDir) throws IOException {
        return startMutualTls(workDir, ServerCertificate.VALID);
    }

    /** The server certificate a TLS broker presents: a good one, or one a client must refuse. */
    public enum ServerCertificate {
        /** For 127.0.0.1 and localhost, valid today. */
        VALID,
        /** For 127.0.0.1 and localhost, expired an hour ago. */
        EXPIRED,
        /** Valid, but only for the host name {@code broker.invalid}: a client of 127.0.0.1 sees a host name mismatch. */
        OTHER_HOST
    }

    /** Like {@link #startMutualTls(Path)}, presenting a server certificate of the given kind. */
    public static MosquittoRig startMutualTls(Path workDir, ServerCertificate kind) throws IOException {
        Path dir = Files.createDirectories(workDir.resolve(
                kind == ServerCertificate.VALID ? "mosquitto-tls" : "mosquitto-tls-" + kind.name().toLowerCase()));
        TestPki pki = TestPki.create(dir.resolve("pki"), "Sluice test CA");
        TestPki.PemIdentity server = switch (kind) {
            case VALID -> pki.issueServer("localhost");
            case EXPIRED -> pki.issueExpiredServer("localhost");
            case OTHER_HOST -> pki.issueServerFor("broker.invalid", "broker.invalid");
        };
        TestPki.PemIdentity client = pki.issueClient("sluice-test-client");
        return start(dir, true, pki, server, client);
    }

    private static MosquittoRig start(Path dir, boolean tls, TestPki pki, TestPki.PemIdentity server,
                                      TestPki.PemIdentity client) throws IOException {
        Path binary = PeerProcess.which("mosquitto").orElseThrow(() -> new IOException(
                "mosquitto is not installed; run test-rigs/setup-peers.sh (apt-get install mosquitto mosquitto-clients)"));
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = PeerProcess.freeLoopbackPort();
            Path conf = dir.resolve("mosquitto-" + port + ".conf");
            Files.writeString(conf, config(port, tls, server, pki), StandardCharsets.UTF_8);
            Path log = dir.resolve("mosquitto-" + port + ".log");
            try {
                PeerProcess p = PeerProcess.start("mosquitto", List.of(binary.toString(), "-c", conf.toString()), Map.of(),
                        dir, log, List.of(port), START_TIMEOUT);
                return new MosquittoRig(p, port, tls, pki, client, dir);
            } catch (IOException e) {
                last = e;
                if (!String.valueOf(e.getMessage()).contains("in use")) throw e;
            }
        }
        throw last;
    }

    private static String config(int port, boolean tls, TestPki.PemIdentity server, TestPki pki) {
        StringBuilder c = new StringBuilder();
        // Started as root, mosquitto drops to the unprivileged 'mosquitto' user; naming the current user keeps it
        // able to read the test's (private) temp folder. As non-root this is ignored.
        c.append("user ").append(System.getProperty("user.name")).append('\n');
        c.append("per_listener_settings false\n");
        c.append("persistence false\n");
        c.append("log_dest stderr\n");
        c.append("log_type error\nlog_type warning\nlog_type notice\nlog_type information\n");
        c.append("connection_messages true\n");
        c.append("max_inflight_messages 0\n");
        c.append("max_queued_messages 100000\n");
        // sends to subscribers without Nagle's delay, so the latency a subscriber sees is the publisher's
        c.append("set_tcp_nodelay true\n");
        c.append("listener ").append(port).append(" 127.0.0.1\n");
        if (tls) {
            c.append("allow_anonymous false\n");
            c.append("cafile ").append(pki.caCertificateFile()).append('\n');
            c.append("certfile ").append(server.certificate()).append('\n');
            c.append("keyfile ").append(server.privateKey()).append('\n');
            c.append("require_certificate true\n");
            c.append("use_identity_as_username true\n");
            c.append("tls_version tlsv1.2\n");
        } else {
            c.append("allow_anonymous true\n");
        }
        return c.toString();
    }

    public int port() {
        return port;
    }

    /** {@code ssl://127.0.0.1:<port>} or {@code tcp://127.0.0.1:<port>}. */
    public String uri() {
        return (tls ? "ssl" : "tcp") + "://127.0.0.1:" + port;
    }

    public boolean isTls() {
        return tls;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return process.log();
    }

    /** The broker log so far (connection attempts, refused handshakes). */
    public String logText() {
        return process.logTail(Integer.MAX_VALUE);
    }

    public Path caCertificatePath() {
        requireTls();
        return pki.caCertificateFile();
    }

    public Path clientCertificatePath() {
        requireTls();
        return client.certificate();
    }

    public Path clientKeyPath() {
        requireTls();
        return client.privateKey();
    }

    /** The client identity made at start (CN {@code sluice-test-client}). */
    public TestPki.PemIdentity clientIdentity() {
        requireTls();
        return client;
    }

    /** Issues another client certificate from the rig's CA (a second device, a test subscriber). */
    public TestPki.PemIdentity issueClientCertificate(String commonName) {
        requireTls();
        return pki.issueClient(commonName);
    }

    /** Issues a client certificate from the rig's CA that expired an hour ago. */
    public TestPki.PemIdentity issueExpiredClientCertificate(String commonName) {
        requireTls();
        return pki.issueExpiredClient(commonName);
    }

    /** A TLS 1.2 context trusting the rig's CA and presenting {@code identity} (null: no client certificate). */
    public SSLContext clientSslContext(TestPki.PemIdentity identity) {
        requireTls();
        try {
            return PemKeyStores.tls12(pki.caCertificateFile(), identity);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path workDir() {
        return workDir;
    }

    private void requireTls() {
        if (!tls) throw new IllegalStateException("this broker was started without TLS");
    }

    /** Stops the broker by its PID. */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "mosquitto " + uri() + " (pid " + process.pid() + ")";
    }
}
