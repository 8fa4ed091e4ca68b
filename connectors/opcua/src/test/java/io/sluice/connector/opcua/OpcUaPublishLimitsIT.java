package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.folder;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * max-notifications-per-publish and max-outstanding-publish-requests against the rig server, which reports the
 * subscriptions' MaxNotificationsPerPublish as it revised them and the Publish requests it holds.
 */
class OpcUaPublishLimitsIT {

    private static final int LOAD_NODES = 200;
    private static final int STEPS = 20;

    /**
     * With 10 notifications per publish and 200 nodes changing together, every change needs 20 PublishResponses
     * (MoreNotifications): each value of each node must still arrive, once and in order.
     */
    @Test
    @Timeout(120)
    void tenNotificationsPerPublishStillDeliverEveryChangeOf200Nodes(@TempDir Path dir) throws Exception {
        RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig"))
                .withScalarsPerType(0).withLoadNodes(LOAD_NODES));
        NodeGroup g = ConfigFixtures.group("load", AcquisitionMode.SUBSCRIPTION, Duration.ofMillis(20), 100,
                DeadbandType.NONE, 0, Optional.empty(), List.of(), List.of(folder("/Rig/Load")));
        OpcUaConnector connector = null;
        try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", dir.resolve("state"))) {
            connector = (OpcUaConnector) new OpcUaConnectorFactory().create("limits",
                    ConfigFixtures.config(rig.endpointUrl(), List.of(g)).withPublishLimits(10, 10));
            connector.start(ctx);
            await("connected").atMost(Duration.ofSeconds(20)).until(() -> ctx.healthState() == HealthState.CONNECTED);
            assertEquals(List.of(10), rig.subscriptionMaxNotificationsPerPublish(),
                    "the server's subscription has the configured MaxNotificationsPerPublish");
            await("initial values").atMost(Duration.ofSeconds(20)).until(() -> {
                for (String tag : tags()) if (ctx.samplesOf(tag).isEmpty()) return false;
                return true;
            });

            for (int i = 0; i < STEPS; i++) {
                rig.advance(1);
                Thread.sleep(20); // the pace of the simulated device, not a wait for a result
            }
            long last = rig.step("Rig/Load/Node_00000");
            await("the last change of every node").atMost(Duration.ofSeconds(60)).until(() -> {
                for (String tag : tags()) {
                    List<Sample> s = ctx.samplesOf(tag);
                    if (s.isEmpty() || step(s.get(s.size() - 1)) < last) return false;
                }
                return true;
            });

            Map<String, List<Long>> problems = new LinkedHashMap<>();
            for (String tag : tags()) {
                List<Long> steps = new ArrayList<>();
                for (Sample s : ctx.samplesOf(tag)) steps.add(step(s));
                List<Long> expected = new ArrayList<>();
                for (long k = steps.get(0); k <= last; k++) expected.add(k);
                if (!steps.equals(expected)) problems.put(tag, steps);
            }
            assertTrue(problems.isEmpty(), "not every change once and in order: " + problems);
            assertEquals(0, ctx.counter("opcua.notifications.lost"));
        } finally {
            if (connector != null) connector.stop();
            rig.close();
        }
    }

    /** The default asks for 10,000; the server keeps it (Milo's own limit is 65,535). */
    @Test
    @Timeout(60)
    void theDefaultReachesTheServer(@TempDir Path dir) throws Exception {
        RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig"))
                .withScalarsPerType(0).withLoadNodes(1));
        OpcUaConnector connector = null;
        try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", dir.resolve("state"))) {
            connector = (OpcUaConnector) new OpcUaConnectorFactory().create("limits",
                    ConfigFixtures.config(rig.endpointUrl(), List.of(ConfigFixtures.group("g", List.of(),
                            List.of(folder("/Rig/Load"))))));
            connector.start(ctx);
            await("connected").atMost(Duration.ofSeconds(20)).until(() -> ctx.healthState() == HealthState.CONNECTED);
            assertEquals(List.of(OpcUaConnectorConfig.DEFAULT_MAX_NOTIFICATIONS), rig.subscriptionMaxNotificationsPerPublish());
        } finally {
            if (connector != null) connector.stop();
            rig.close();
        }
    }

    /**
     * Three groups: Milo keeps 3 + 1 Publish requests outstanding, so the server holds four while nothing changes;
     * max-outstanding-publish-requests: 2 caps them at two.
     */
    @Test
    @Timeout(90)
    void outstandingPublishRequestsAreCapped(@TempDir Path dir) throws Exception {
        assertEquals(4, heldPublishRequests(dir.resolve("uncapped"), 10));
        assertEquals(2, heldPublishRequests(dir.resolve("capped"), 2));
    }

    /** The number of Publish requests the server holds once it has settled (the same count for 2 s). */
    private static int heldPublishRequests(Path dir, int maxOutstanding) throws Exception {
        RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig"))
                .withScalarsPerType(0).withLoadNodes(3));
        List<NodeGroup> groups = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            groups.add(ConfigFixtures.group("g" + i, List.of(ConfigFixtures.nodeId(
                    String.format("nsu=%s;s=Rig/Load/Node_%05d", RigServer.NAMESPACE_URI, i))), List.of()));
        }
        OpcUaConnector connector = null;
        try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", dir.resolve("state"))) {
            connector = (OpcUaConnector) new OpcUaConnectorFactory().create("limits",
                    ConfigFixtures.config(rig.endpointUrl(), groups).withPublishLimits(0, maxOutstanding));
            connector.start(ctx);
            await("connected").atMost(Duration.ofSeconds(20)).until(() -> ctx.healthState() == HealthState.CONNECTED);
            await("initial values").atMost(Duration.ofSeconds(20)).until(() -> {
                for (int i = 0; i < 3; i++) if (ctx.samplesOf(String.format("Node_%05d", i)).isEmpty()) return false;
                return true;
            });
            int[] last = {-1};
            long[] since = {System.nanoTime()};
            await("a steady number of held Publish requests").atMost(Duration.ofSeconds(30)).until(() -> {
                int now = rig.pendingPublishRequests();
                if (now != last[0]) {
                    last[0] = now;
                    since[0] = System.nanoTime();
                    return false;
                }
                return now > 0 && System.nanoTime() - since[0] > Duration.ofSeconds(2).toNanos();
            });
            assertEquals(List.of(65535, 65535, 65535), rig.subscriptionMaxNotificationsPerPublish(),
                    "0 asks for the server's own limit");
            return last[0];
        } finally {
            if (connector != null) connector.stop();
            rig.close();
        }
    }

    private static List<String> tags() {
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < LOAD_NODES; i++) tags.add(String.format("Node_%05d", i));
        return tags;
    }

    private static long step(Sample s) {
        return (long) Math.floor(((Value.FloatValue) s.value()).value());
    }
}
