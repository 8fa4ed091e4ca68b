package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.group;
import static io.sluice.connector.opcua.ConfigFixtures.path;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.connector.opcua.OpcUaConnectorConfig.SecurityMode;
import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the operator reads when a connection cannot be made: the cause in Sluice's words and what to do. */
@Timeout(120)
class OpcUaConnectErrorsIT {

    private static final List<NodeGroup> RAMP = List.of(group("g", List.of(path("/Rig/Dynamic/Ramp")), List.of()));

    private static String lastDetail(FakeConnectorContext ctx) {
        return ctx.lastHealthReport().detail();
    }

    @Test
    void aServerThatRefusesTheGatewaysCertificateIsExplained(@TempDir Path dir) throws Exception {
        try (RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig")))) {
            Path pki = dir.resolve("state").resolve("pki");
            Files.createDirectories(pki.resolve("trusted").resolve("certs"));
            Files.write(pki.resolve("trusted").resolve("certs").resolve("rig.der"), rig.certificate().getEncoded());
            rig.refuseClientCertificates(true);
            OpcUaConnector connector = (OpcUaConnector) new OpcUaConnectorFactory().create("press3",
                    ConfigFixtures.secured(rig.endpointUrl(), "basic256sha256", SecurityMode.SIGN_AND_ENCRYPT, "operator",
                            "operator-secret", null, false, Duration.ofSeconds(1), RAMP));
            try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", dir.resolve("state"))) {
                connector.start(ctx);
                try {
                    await("a refused session").atMost(Duration.ofSeconds(30)).until(() -> ctx.healthState() == HealthState.DISCONNECTED);
                    String detail = lastDetail(ctx);
                    String own = OpcUaPki.thumbprint(new OpcUaPki(pki).ownCertificate().orElseThrow());
                    assertTrue(detail.contains("probably does not trust the gateway's certificate " + own), detail);
                    assertTrue(detail.contains("sluice opcua cert export --pem --pki " + pki), detail);
                    assertFalse(detail.contains("server certificate"), "the server's certificate is trusted: " + detail);

                    rig.refuseClientCertificates(false); // the server's operator trusts the gateway
                    await("samples").atMost(Duration.ofSeconds(30)).until(() -> !ctx.samplesOf("Ramp").isEmpty());
                } finally {
                    connector.stop();
                }
            }
        }
    }

    /** A TCP server that is not OPC UA: it answers anything with an HTTP error, as a web server on the port would. */
    private static Thread httpServer(ServerSocket socket) {
        Thread t = new Thread(() -> {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    InputStream in = s.getInputStream();
                    in.read(new byte[1024]);
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    // closed
                }
            }
        }, "not-opcua");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void aPortThatIsNotOpcUaIsSaidSo(@TempDir Path dir) throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            httpServer(socket);
            String hostPort = "127.0.0.1:" + socket.getLocalPort();
            OpcUaConnector connector = (OpcUaConnector) new OpcUaConnectorFactory().create("press3",
                    ConfigFixtures.config("opc.tcp://" + hostPort, RAMP));
            try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", dir)) {
                connector.start(ctx);
                try {
                    await("a failed connect").atMost(Duration.ofSeconds(30)).until(() -> ctx.healthState() == HealthState.DISCONNECTED);
                    String detail = lastDetail(ctx);
                    assertTrue(detail.contains("the server at " + hostPort + " did not answer as an OPC UA server (is it the right port?)"),
                            detail);
                    assertFalse(detail.contains("808333615"), detail);
                } finally {
                    connector.stop();
                }
            }
        }
    }
}
