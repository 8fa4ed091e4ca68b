package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.folder;
import static io.sluice.connector.opcua.ConfigFixtures.path;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcua.OpcUaConnectorConfig.AcquisitionMode;
import io.sluice.connector.opcua.OpcUaConnectorConfig.DeadbandType;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rig server sends every third PublishResponse after the next one (sequence numbers 1, 2, 4, 3, 5, ...), and the
 * "store" stalls now and then, so the client's publish handling falls behind. Every change of every node must reach
 * the sink exactly once and in order: the rig's values are the node's step counter, so the delivered values of a node
 * must be consecutive integers up to the rig's last step.
 */
class OpcUaPublishOrderIT {

    private static final int LOAD_NODES = 20;
    private static final int STEPS = 400;

    @Test
    @Timeout(120)
    void reorderedPublishResponsesAndAStallingStoreGiveEveryChangeOnceAndInOrder(@TempDir Path dir) throws Exception {
        RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig"))
                .withScalarsPerType(0).withLoadNodes(LOAD_NODES).withReorderPublishEvery(3));
        NodeGroup g = ConfigFixtures.group("g", AcquisitionMode.SUBSCRIPTION, Duration.ofMillis(20), 1000, // a queue long enough for the stalls: the server loses nothing
                DeadbandType.NONE, 0, Optional.empty(), List.of(path("/Rig/Dynamic/Ramp")), List.of(folder("/Rig/Load")));
        OpcUaConnector connector = null;
        try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", dir.resolve("state"))) {
            AtomicLong batches = new AtomicLong();
            ctx.beforeAppend(batch -> {
                if (batches.incrementAndGet() % 15 == 0) pause(300); // the gateway falls behind now and then
            });
            connector = (OpcUaConnector) new OpcUaConnectorFactory().create("order",
                    ConfigFixtures.config(rig.endpointUrl(), List.of(g)));
            connector.start(ctx);
            await("connected").atMost(Duration.ofSeconds(20)).until(() -> ctx.healthState() == HealthState.CONNECTED);
            assertEquals(LOAD_NODES + 1, connector.monitoredItemCount());
            await("initial values").atMost(Duration.ofSeconds(10)).until(() -> ctx.samplesOf("Ramp").size() == 1);

            for (int i = 0; i < STEPS; i++) {
                rig.advance(1);
                Thread.sleep(5); // the pace of the simulated device, not a wait for a result
            }
            long last = rig.step("Rig/Dynamic/Ramp");
            await("the last change of every node").atMost(Duration.ofSeconds(30)).until(() -> {
                for (String tag : tags()) {
                    List<Sample> s = ctx.samplesOf(tag);
                    if (s.isEmpty() || step(s.get(s.size() - 1)) < last) return false;
                }
                return true;
            });
            assertTrue(rig.reorderedPublishResponses() >= 10, "reordered: " + rig.reorderedPublishResponses());

            Map<String, String> problems = new LinkedHashMap<>();
            for (String tag : tags()) {
                List<Long> steps = new ArrayList<>();
                for (Sample s : ctx.samplesOf(tag)) steps.add(step(s));
                long first = steps.get(0);
                List<Long> expected = new ArrayList<>();
                for (long k = first; k <= last; k++) expected.add(k);
                if (!steps.equals(expected)) problems.put(tag, describe(steps, first, last));
            }
            assertTrue(problems.isEmpty(), "not exactly once and in order: " + problems);
            assertEquals(0, ctx.counter("opcua.notifications.lost"));
        } finally {
            if (connector != null) connector.stop();
            rig.close();
        }
    }

    private static List<String> tags() {
        List<String> tags = new ArrayList<>();
        tags.add("Ramp");
        for (int i = 0; i < LOAD_NODES; i++) tags.add(String.format("Node_%05d", i));
        return tags;
    }

    private static long step(Sample s) {
        return (long) Math.floor(((Value.FloatValue) s.value()).value());
    }

    private static String describe(List<Long> steps, long first, long last) {
        long duplicates = steps.size() - steps.stream().distinct().count();
        long missing = 0;
        for (long k = first; k <= last; k++) if (!steps.contains(k)) missing++;
        int outOfOrder = 0;
        for (int i = 1; i < steps.size(); i++) if (steps.get(i) <= steps.get(i - 1)) outOfOrder++;
        return steps.size() + " values, " + duplicates + " duplicates, " + missing + " missing, " + outOfOrder
                + " out of order";
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
