package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.folder;
import static io.sluice.connector.opcua.ConfigFixtures.group;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import io.sluice.rigs.proxy.FaultProxy;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network partition (the server keeps running, the connection goes dead): after it heals the connector has a new
 * session, and the old session's subscription, still alive on the server, has been transferred and deleted.
 */
class OpcUaNetworkDropIT {

    @Test
    void afterAPartitionTheServerHoldsOneSetOfMonitoredItems(@TempDir Path dir) throws Exception {
        try (RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig"))
                .withChangeInterval(Duration.ofMillis(100)));
             FaultProxy proxy = FaultProxy.start(rig.port());
             FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", dir.resolve("state"))) {
            String endpoint = "opc.tcp://127.0.0.1:" + proxy.port() + RigServer.PATH;
            NodeGroup g = group("g", List.of(), List.of(folder("/Rig/Dynamic")));
            // a user identity: servers refuse to transfer anonymous subscriptions on unsecured sessions (Part 4, 5.14.7)
            Path pki = dir.resolve("pki");
            java.nio.file.Files.createDirectories(pki.resolve("trusted").resolve("certs"));
            java.nio.file.Files.write(pki.resolve("trusted").resolve("certs").resolve("rig.der"), rig.certificate().getEncoded());
            OpcUaConnectorConfig config = new OpcUaConnectorConfig(endpoint, "none", java.util.Optional.empty(),
                    java.util.Optional.of("operator"), java.util.Optional.of(new io.sluice.spi.config.Secret("operator-secret")),
                    java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.of(pki.toString()), false, java.util.Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(2),
                    Duration.ofMinutes(2), Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(1), 1000, List.of(g));
            OpcUaConnector connector = (OpcUaConnector) new OpcUaConnectorFactory().create("drop", config);
            connector.start(ctx);
            try {
                await("connected").atMost(Duration.ofSeconds(20)).until(() -> ctx.healthState() == HealthState.CONNECTED);
                assertEquals(2, rig.monitoredItemCount());

                proxy.blackhole();
                await("the dead session noticed").atMost(Duration.ofSeconds(20)).until(() -> ctx.healthState() == HealthState.DISCONNECTED);
                assertEquals(2, rig.monitoredItemCount(), "the server still holds the old session's items");
                proxy.pass();
                await("reconnected").atMost(Duration.ofSeconds(20)).until(() -> ctx.healthState() == HealthState.CONNECTED);
                int before = ctx.samplesOf("Ramp").size();
                await("data again").atMost(Duration.ofSeconds(10)).until(() -> ctx.samplesOf("Ramp").size() > before + 2);
                await("the old subscription removed").atMost(Duration.ofSeconds(5)).until(() -> rig.monitoredItemCount() == 2);
                assertEquals(1, rig.monitoredItemCount("Rig/Dynamic/Ramp"));
                assertEquals(1, rig.monitoredItemCount("Rig/Dynamic/Analog"));
                assertTrue(ctx.lastHealthReport().detail().contains("gap"));
            } finally {
                connector.stop();
            }
        }
    }
}
