package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.path;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcua.OpcUaConnectorConfig.AcquisitionMode;
import io.sluice.connector.opcua.OpcUaConnectorConfig.DeadbandType;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import io.sluice.rigs.proxy.FaultProxy;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network to a running server goes dark for a few seconds; the monitored item's queue (10) cannot hold what
 * changes meanwhile. With history-backfill the connector reads the ramp's raw history for the outage after it
 * reconnects: every step of the rig's counter is stored exactly once and in order, the ones from history marked
 * with the historian bits, before live values resume.
 */
class OpcUaHistoryBackfillIT {

    @Test
    @Timeout(120)
    void theOutageIsFilledExactlyFromTheServersHistory(@TempDir Path dir) throws Exception {
        try (RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig"))
                .withScalarsPerType(0).withChangeInterval(Duration.ofMillis(50)).withHistoryDepth(5000));
             FaultProxy proxy = FaultProxy.start(rig.port());
             FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", dir.resolve("state"))) {
            String endpoint = "opc.tcp://127.0.0.1:" + proxy.port() + RigServer.PATH;
            NodeGroup g = ConfigFixtures.group("g", AcquisitionMode.SUBSCRIPTION, Duration.ofMillis(100), 10,
                    DeadbandType.NONE, 0, Optional.empty(), List.of(path("/Rig/Dynamic/Ramp")), List.of());
            OpcUaConnectorConfig config = new OpcUaConnectorConfig(endpoint, "none", Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false, Optional.empty(),
                    Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMinutes(2), Duration.ofSeconds(1),
                    Duration.ofMillis(200), Duration.ofSeconds(1), 1000, List.of(g)).withHistoryBackfill(true);
            OpcUaConnector connector = (OpcUaConnector) new OpcUaConnectorFactory().create("backfill", config);
            connector.start(ctx);
            try {
                await("connected").atMost(Duration.ofSeconds(60)).until(() -> ctx.healthState() == HealthState.CONNECTED);
                await("values").atMost(Duration.ofSeconds(10)).until(() -> good(ctx).size() >= 10);

                proxy.blackhole();
                await("the dead connection noticed").atMost(Duration.ofSeconds(30)).until(() -> ctx.healthState() == HealthState.DISCONNECTED);
                long stepAtLoss = rig.step("Rig/Dynamic/Ramp");
                await("the server changes on").atMost(Duration.ofSeconds(30)).until(() -> rig.step("Rig/Dynamic/Ramp") > stepAtLoss + 40); // more than the item's queue holds
                proxy.pass();
                long stepAtHeal = rig.step("Rig/Dynamic/Ramp");
                await("live values after the outage").atMost(Duration.ofSeconds(60)).until(() -> !good(ctx).isEmpty() && step(good(ctx).get(good(ctx).size() - 1)) > stepAtHeal + 20);

                List<Sample> values = good(ctx);
                List<Long> steps = new ArrayList<>();
                for (Sample s : values) steps.add(step(s));
                for (int i = 1; i < steps.size(); i++) {
                    assertEquals(steps.get(i - 1) + 1, steps.get(i), "value " + i + " of " + steps.size()
                            + ": not every step once and in order around "
                            + steps.subList(Math.max(0, i - 3), Math.min(steps.size(), i + 3)));
                }
                List<Sample> fromHistory = values.stream()
                        .filter(s -> (s.statusCode() & HistoryBackfill.HISTORY_RAW_BITS) != 0).toList();
                assertTrue(fromHistory.size() >= 30, "backfilled: " + fromHistory.size());
                int first = values.indexOf(fromHistory.get(0));
                int last = values.indexOf(fromHistory.get(fromHistory.size() - 1));
                assertEquals(fromHistory.size(), last - first + 1, "the backfilled values are stored together");
                assertTrue(values.subList(last + 1, values.size()).stream().allMatch(s -> s.statusCode() == 0),
                        "live values after them");
                assertEquals(fromHistory.size(), ctx.counter("opcua.backfill.samples"));
            } finally {
                connector.stop();
            }
        }
    }

    private static List<Sample> good(FakeConnectorContext ctx) {
        return ctx.samplesOf("Ramp").stream().filter(s -> s.quality() == Quality.GOOD).toList();
    }

    private static long step(Sample s) {
        return (long) ((Value.FloatValue) s.value()).value();
    }
}
