package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.config;
import static io.sluice.connector.opcua.ConfigFixtures.nodeId;
import static io.sluice.connector.opcua.ConfigFixtures.path;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcua.OpcUaConnectorConfig.AcquisitionMode;
import io.sluice.connector.opcua.OpcUaConnectorConfig.DeadbandType;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Nodes the server refuses: counted right, and every one of them in the health detail (bounded). */
@Timeout(120)
class OpcUaNodeProblemsIT {

    private static String id(String path) {
        return "nsu=" + RigServer.NAMESPACE_URI + ";s=" + path;
    }

    @Test
    void polledNodesWhoseFirstReadFailsAreNotCountedAndEveryProblemIsShown(@TempDir Path dir) throws Exception {
        NodeGroup poll = ConfigFixtures.group("poll", AcquisitionMode.POLLING, Duration.ofMillis(100), 1, DeadbandType.NONE, 0,
                Optional.empty(), List.of(path("/Rig/Dynamic/Ramp"), path("/Rig/Scalars/Int32_0"), path("/Rig/Scalars/Double_0"),
                        nodeId(id("Rig/Gone1"), "gone1"), nodeId(id("Rig/Gone2"), "gone2")), List.of());
        NodeGroup sub = ConfigFixtures.group("sub", List.of(path("/Rig/Scalars/Boolean_0"), path("/Rig/NoSuchFolder/A"),
                path("/Rig/NoSuchFolder/B"), nodeId(id("Rig/Gone3"), "gone3"), nodeId(id("Rig/Gone4"), "gone4")),
                List.of());
        try (RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig")));
             FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", dir.resolve("state"))) {
            OpcUaConnector c = (OpcUaConnector) new OpcUaConnectorFactory().create("press3", config(rig.endpointUrl(), List.of(poll, sub)));
            c.start(ctx);
            try {
                await("health report").atMost(Duration.ofSeconds(30)).until(() -> ctx.healthState() != HealthState.STARTING);
                await("samples of the good nodes").atMost(Duration.ofSeconds(10)).until(() -> !ctx.samplesOf("Ramp").isEmpty()
                        && !ctx.samplesOf("Int32_0").isEmpty() && !ctx.samplesOf("Double_0").isEmpty()
                        && !ctx.samplesOf("Boolean_0").isEmpty());
                assertEquals(HealthState.DEGRADED, ctx.healthState());
                String detail = ctx.lastHealthReport().detail();
                assertTrue(detail.startsWith("6 node(s) skipped: "), detail);
                assertTrue(detail.contains("4 nodes OK"), detail);
                assertTrue(detail.contains("and 1 more"), detail);
                assertEquals(5, detail.split("groups\\[").length - 1, "five problems shown: " + detail);
                assertEquals(4, c.monitoredItemCount());
                assertEquals(6, ctx.counter("opcua.bad.nodes"));
                assertEquals(1, ctx.healthReports().stream().filter(h -> h.state() == HealthState.DEGRADED).count(),
                        "one report with all problems, not one per node: " + ctx.healthReports());
            } finally {
                c.stop();
            }
        }
    }
}
