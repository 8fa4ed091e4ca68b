package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.folder;
import static io.sluice.connector.opcua.ConfigFixtures.group;
import static io.sluice.connector.opcua.ConfigFixtures.path;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.connector.opcua.OpcUaConnectorConfig.SecurityMode;
import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secured sessions, user identities, the PKI folder and the CLI against the rig server. */
class OpcUaSecurityIT {

    private static RigServer rig;
    private static String thumbprint;
    private final List<OpcUaConnector> started = new ArrayList<>();

    @BeforeAll
    static void startRig(@TempDir Path dir) throws Exception {
        rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig")).withAllowAnonymous(false));
        thumbprint = OpcUaPki.thumbprint(rig.certificate());
    }

    @AfterAll
    static void stopRig() {
        if (rig != null) rig.close();
    }

    @AfterEach
    void stopConnectors() {
        started.forEach(OpcUaConnector::stop);
    }

    private OpcUaConnector start(FakeConnectorContext ctx, OpcUaConnectorConfig config) throws Exception {
        OpcUaConnector connector = (OpcUaConnector) new OpcUaConnectorFactory().create("sec", config);
        started.add(connector);
        connector.start(ctx);
        return connector;
    }

    private static void trustRig(Path pki) throws Exception {
        Path dir = pki.resolve("trusted").resolve("certs");
        Files.createDirectories(dir);
        Files.write(dir.resolve(thumbprint + ".der"), rig.certificate().getEncoded());
    }

    private static final List<NodeGroup> RAMP = List.of(group("g", List.of(path("/Rig/Dynamic/Ramp")), List.of()));

    private static String run(String... args) {
        OpcUaCliRun r = OpcUaCliRun.of(args);
        return r.code() + "\n" + r.out() + r.err();
    }

    @Test
    void signAndEncryptWithUsernameWorksForEveryPolicy(@TempDir Path state) throws Exception {
        trustRig(state.resolve("pki"));
        for (String policy : List.of("basic256sha256", "aes128-sha256-rsaoaep", "aes256-sha256-rsapss")) {
            try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", state)) {
                start(ctx, ConfigFixtures.secured(rig.endpointUrl(), policy, SecurityMode.SIGN_AND_ENCRYPT, "operator",
                        "operator-secret", null, false, Duration.ofSeconds(1), RAMP));
                await(policy + " samples").atMost(Duration.ofSeconds(20)).until(() -> !ctx.samplesOf("Ramp").isEmpty());
                await("health").atMost(Duration.ofSeconds(5)).until(() -> ctx.healthState() == HealthState.CONNECTED);
            }
        }
        // the application instance certificate was generated once and kept
        assertTrue(Files.exists(state.resolve("pki").resolve("own").resolve("sluice-client.pfx")));
    }

    @Test
    void aWrongPasswordIsReportedAsRefusedIdentity(@TempDir Path state) throws Exception {
        trustRig(state.resolve("pki"));
        try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", state)) {
            start(ctx, ConfigFixtures.secured(rig.endpointUrl(), "basic256sha256", SecurityMode.SIGN_AND_ENCRYPT, "operator",
                    "wrong", null, false, Duration.ofSeconds(1), RAMP));
            await("a refused session").atMost(Duration.ofSeconds(20)).until(() -> ctx.healthState() == HealthState.DISCONNECTED);
            String detail = ctx.lastHealthReport().detail();
            assertTrue(detail.contains("refused the user identity"), detail);
            assertTrue(ctx.samples().isEmpty());
        }
    }

    @Test
    void anUntrustedServerIsRefusedUntilAcceptedWithTheCli(@TempDir Path state) throws Exception {
        Path pki = state.resolve("pki");
        try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", state)) {
            start(ctx, ConfigFixtures.secured(rig.endpointUrl(), "basic256sha256", SecurityMode.SIGN_AND_ENCRYPT, "operator",
                    "operator-secret", null, false, Duration.ofSeconds(1), RAMP));
            await("a refused certificate").atMost(Duration.ofSeconds(20)).until(() -> ctx.healthState() == HealthState.DISCONNECTED);
            String detail = ctx.lastHealthReport().detail();
            assertTrue(detail.contains("server certificate " + thumbprint) && detail.contains("not trusted"), detail);
            assertTrue(detail.contains("sluice opcua trust accept " + thumbprint), detail);
            long failures = ctx.counter("opcua.connect.failures");
            await("more attempts").atMost(Duration.ofSeconds(20)).until(() -> ctx.counter("opcua.connect.failures") >= failures + 2);
            assertTrue(ctx.samples().isEmpty());

            String list = run("trust", "list", "--pki", pki.toString());
            assertTrue(list.startsWith("0\n") && list.contains("rejected  " + thumbprint), list);

            String accepted = run("trust", "accept", thumbprint.substring(0, 12), "--pki", pki.toString());
            assertTrue(accepted.startsWith("0\n") && accepted.contains("trusted " + thumbprint), accepted);
            assertTrue(Files.exists(pki.resolve("trusted").resolve("certs").resolve(thumbprint + ".der")));

            await("samples after the certificate is trusted").atMost(Duration.ofSeconds(10)).until(() -> !ctx.samplesOf("Ramp").isEmpty());
            await("health").atMost(Duration.ofSeconds(5)).until(() -> ctx.healthState() == HealthState.CONNECTED);
            String after = run("trust", "list", "--pki", pki.toString());
            assertTrue(after.contains("trusted   " + thumbprint) && !after.contains("rejected  " + thumbprint), after);
        }
        assertTrue(run("trust", "accept", "deadbeef00", "--pki", pki.toString()).startsWith("1\n"));
    }

    @Test
    void trustAllConnectsWithoutTrustingAndWarns(@TempDir Path state) throws Exception {
        try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", state)) {
            start(ctx, ConfigFixtures.secured(rig.endpointUrl(), "basic256sha256", SecurityMode.SIGN, "operator",
                    "operator-secret", null, true, Duration.ofSeconds(1), RAMP));
            await("samples").atMost(Duration.ofSeconds(20)).until(() -> !ctx.samplesOf("Ramp").isEmpty());
        }
    }

    @Test
    void browsePrintsTheTreeWithIdsTypesAndAccess(@TempDir Path state) throws Exception {
        trustRig(state.resolve("pki"));
        String out = run("browse", rig.endpointUrl(), "--path", "/Rig", "--depth", "2", "--pki", state.resolve("pki").toString(),
                "--security-policy", "basic256sha256", "--username", "operator", "--password-env", "SLUICE_IT_NO_SUCH_VAR");
        assertTrue(out.startsWith("2\n") && out.contains("SLUICE_IT_NO_SUCH_VAR is not set"), out);

        // anonymous is refused by this rig: the message lists what the server offers
        String refused = run("browse", rig.endpointUrl(), "--pki", state.resolve("pki").toString());
        assertTrue(refused.startsWith("1\n") && refused.contains("offers no endpoint"), refused);
    }

    @Test
    void browseWithUserCertificateIdentity(@TempDir Path state) throws Exception {
        // the X.509 user identity: a certificate and an unencrypted PKCS#8 key written as files
        var keyPair = org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
        var cert = new org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder(keyPair)
                .setCommonName("operator").setApplicationUri("urn:sluice:it:user").build();
        Path certFile = state.resolve("user.der");
        Files.write(certFile, cert.getEncoded());
        Path keyFile = state.resolve("user.key");
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(keyPair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        trustRig(state.resolve("pki"));
        String out = run("browse", rig.endpointUrl(), "--path", "/Rig", "--depth", "2", "--pki", state.resolve("pki").toString(),
                "--security-policy", "basic256sha256", "--user-certificate", certFile.toString(),
                "--user-private-key", keyFile.toString());
        assertTrue(out.startsWith("0\n"), out);
        assertTrue(out.contains("Int32_0  nsu=urn:sluice:rig;s=Rig/Scalars/Int32_0  Int32  read/write"), out);
        assertTrue(out.contains("DoubleArray  nsu=urn:sluice:rig;s=Rig/Arrays/DoubleArray  Double[]  read/write"), out);
        assertTrue(out.contains("Reading  nsu=urn:sluice:rig;s=Rig/Structures/Reading  RigReading  read/write"), out);
        assertTrue(out.contains("Scalars/  nsu=urn:sluice:rig;s=Rig/Scalars"), out);
        assertEquals(-1, out.indexOf("EURange"), "properties are not listed as variables");
    }
}
