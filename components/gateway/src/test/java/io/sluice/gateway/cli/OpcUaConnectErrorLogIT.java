package io.sluice.gateway.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.connector.opcua.OpcUaPki;
import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as operators run it ({@code sluice run} in its own JVM, with Sluice's logging setup), against the rig
 * server while the connection keeps failing: one Sluice line per episode, none per retry, and no Milo or Netty stack
 * trace at WARN/ERROR.
 */
class OpcUaConnectErrorLogIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Process process;
    private Path log;

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        if (log != null && Files.exists(log)) System.out.println("gateway log:\n" + Files.readString(log));
    }

    private void startGateway(String endpoint, Path pki) throws IOException {
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                connectors:
                  press3:
                    type: opcua
                    stream: telemetry
                    endpoint: %s
                    security-policy: basic256sha256
                    username: operator
                    password: operator-secret
                    pki-directory: %s
                    reconnect-min-delay: 100ms
                    reconnect-max-delay: 300ms
                    groups:
                      - nodes:
                          - browse-path: /Rig/Dynamic/Ramp
                streams:
                  telemetry:
                    priority: 5
                admin:
                  listen: 127.0.0.1:0   # a free port: the default 9180 may be taken by another gateway on this machine
                """.formatted(endpoint, pki));
        log = dir.resolve("gateway.log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), SluiceCli.class.getName(),
                "run", "--config", config.toString(), "--data", dir.resolve("data").toString());
        pb.environment().remove("SLUICE_LOG_LEVEL");
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        process = pb.start();
    }

    /** The connector's {@code opcua.connect.failures} from the status file the gateway writes every second. */
    private long connectFailures() {
        try {
            JsonNode status = new ObjectMapper().readTree(dir.resolve("data").resolve("status.json").toFile());
            for (JsonNode m : status.path("metrics")) {
                if (m.path("name").asText().equals("opcua.connect.failures")) return m.path("value").asLong();
            }
        } catch (IOException e) {
            // not written yet, or being replaced
        }
        return 0;
    }

    private void awaitFailures(long atLeast) throws Exception {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .failFast(() -> assertTrue(process.isAlive(), () -> "the gateway exited:\n" + readLog()))
                .untilAsserted(() -> assertTrue(connectFailures() >= atLeast,
                        () -> "fewer than " + atLeast + " connect failures:\n" + readLog()));
    }

    private void awaitLine(Predicate<String> line, String what) throws Exception {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .failFast(() -> assertTrue(process.isAlive(), () -> "the gateway exited:\n" + readLog()))
                .untilAsserted(() -> assertTrue(lines().stream().anyMatch(line), () -> "no " + what + ":\n" + readLog()));
    }

    private String readLog() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private List<String> lines() throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8);
    }

    private static boolean warnOrError(String line) {
        return line.contains(" WARN ") || line.contains(" ERROR ");
    }

    /**
     * No stack trace, and every WARN/ERROR line is Sluice's own about this connector: the runtime's line for a change
     * of health state, or the connector's for a new cause while already disconnected.
     */
    private void assertNoThirdPartyNoise() throws IOException {
        String text = Files.readString(log);
        for (String line : lines()) {
            assertTrue(!line.startsWith("\tat ") && !line.startsWith("Caused by"), "a stack trace in the log:\n" + text);
            if (warnOrError(line)) {
                assertTrue(line.contains("opcua press3: ") || line.contains("connector press3 is "),
                        "a WARN/ERROR line not from the connector: " + line + "\n" + text);
            }
        }
    }

    @Test
    @Timeout(120)
    void anUntrustedServerCertificateIsOneLinePerEpisode() throws Exception {
        Path pki = dir.resolve("pki");
        try (RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig")).withAllowAnonymous(false))) {
            startGateway(rig.endpointUrl(), pki);
            awaitFailures(5);
            List<String> untrusted = lines().stream().filter(l -> l.contains("is not trusted")).toList();
            assertEquals(1, untrusted.size(), "one line for the episode, not one per attempt:\n" + Files.readString(log));
            assertTrue(warnOrError(untrusted.get(0)), untrusted.get(0));
            assertNoThirdPartyNoise();

            // the operator trusts the certificate (sluice opcua trust accept): the episode ends with one line saying so
            new OpcUaPki(pki).accept(OpcUaPki.thumbprint(rig.certificate()));
            awaitLine(l -> l.contains("opcua press3: connected to"), "connected line");
            assertTrue(lines().stream().anyMatch(l -> l.contains("opcua press3: connected to") && l.contains("failed attempts")),
                    Files.readString(log));

            // a new episode: the server goes away; the lost session and the refused reconnects are one line each
            long before = connectFailures();
            rig.stop();
            awaitFailures(before + 5);
            List<String> warnings = lines().stream().filter(OpcUaConnectErrorLogIT::warnOrError).toList();
            assertEquals(3, warnings.size(), "untrusted, lost, unreachable:\n" + Files.readString(log));
            assertTrue(warnings.get(1).contains("lost"), warnings.toString());
            assertTrue(warnings.get(2).contains("cannot reach"), warnings.toString());
            assertNoThirdPartyNoise();
        }
    }

    @Test
    @Timeout(120)
    void aServerThatRefusesTheGatewaysCertificateIsOneLine() throws Exception {
        Path pki = dir.resolve("pki");
        try (RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig")))) {
            Files.createDirectories(pki.resolve("trusted").resolve("certs"));
            Files.write(pki.resolve("trusted").resolve("certs").resolve("rig.der"), rig.certificate().getEncoded());
            rig.refuseClientCertificates(true);
            startGateway(rig.endpointUrl(), pki);
            awaitFailures(5);
            List<String> refused = lines().stream().filter(l -> l.contains("probably does not trust the gateway's certificate")).toList();
            assertEquals(1, refused.size(), Files.readString(log));
            assertTrue(refused.get(0).contains("sluice opcua cert export --pem"), refused.get(0));
            assertNoThirdPartyNoise();
        }
    }

    @Test
    @Timeout(120)
    void aPortThatIsNotOpcUaIsOneLine() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread web = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        s.getInputStream().read(new byte[1024]);
                        s.getOutputStream().write("HTTP/1.0 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // closed
                    }
                }
            }, "not-opcua");
            web.setDaemon(true);
            web.start();
            startGateway("opc.tcp://127.0.0.1:" + socket.getLocalPort(), dir.resolve("pki"));
            awaitFailures(5);
            List<String> lines = lines().stream().filter(l -> l.contains("did not answer as an OPC UA server")).toList();
            assertEquals(1, lines.size(), Files.readString(log));
            assertNoThirdPartyNoise();
        }
    }

    @Test
    @Timeout(120)
    void browseOfAnUntrustedServerPrintsSluicesMessageWithoutStackTraces() throws Exception {
        Path pki = dir.resolve("pki");
        try (RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig")).withAllowAnonymous(false))) {
            log = dir.resolve("browse.log");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-cp", System.getProperty("java.class.path"), SluiceCli.class.getName(),
                    "opcua", "browse", rig.endpointUrl(), "--security-policy", "basic256sha256", "--username", "operator",
                    "--password-env", "SLUICE_IT_OPCUA_PASSWORD", "--pki", pki.toString());
            pb.environment().remove("SLUICE_LOG_LEVEL");
            pb.environment().put("SLUICE_IT_OPCUA_PASSWORD", "operator-secret");
            pb.redirectErrorStream(true);
            pb.redirectOutput(log.toFile());
            process = pb.start();
            assertTrue(process.waitFor(90, TimeUnit.SECONDS), "browse did not end");
            String out = Files.readString(log);
            assertEquals(1, process.exitValue(), out);
            assertTrue(out.contains("server certificate " + OpcUaPki.thumbprint(rig.certificate()) + " of " + rig.endpointUrl()
                    + " is not trusted"), out);
            assertEquals(1, out.lines().count(), "one line, no stack trace:\n" + out);
        }
    }
}
