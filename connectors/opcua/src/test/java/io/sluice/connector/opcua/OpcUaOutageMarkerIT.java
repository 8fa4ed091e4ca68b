package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.folder;
import static io.sluice.connector.opcua.ConfigFixtures.group;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcua.OpcUaConnectorConfig.AcquisitionMode;
import io.sluice.connector.opcua.OpcUaConnectorConfig.DeadbandType;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server stops and comes back: every tag (subscribed and polled) gets one BAD / BadNoCommunication sample when the
 * connection is lost, and GOOD values after it; with outage-markers off, none.
 */
class OpcUaOutageMarkerIT {

    @Test
    @Timeout(90)
    void aServerStopLeavesOneBadMarkerPerTagAndGoodResumesAfterIt(@TempDir Path dir) throws Exception {
        RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig"))
                .withChangeInterval(Duration.ofMillis(100)));
        NodeGroup subscribed = group("sub", List.of(), List.of(folder("/Rig/Dynamic")));
        NodeGroup polled = ConfigFixtures.group("poll", AcquisitionMode.POLLING, Duration.ofMillis(200), 1,
                DeadbandType.NONE, 0, Optional.empty(), List.of(ConfigFixtures.path("/Rig/Scalars/Int32_0")), List.of());
        OpcUaConnector on = null;
        OpcUaConnector off = null;
        try (FakeConnectorContext marked = new FakeConnectorContext("test-opcua", dir.resolve("on")); FakeConnectorContext unmarked = new FakeConnectorContext("test-opcua", dir.resolve("off"))) {
            on = (OpcUaConnector) new OpcUaConnectorFactory().create("markers",
                    ConfigFixtures.config(rig.endpointUrl(), List.of(subscribed, polled)));
            off = (OpcUaConnector) new OpcUaConnectorFactory().create("no-markers",
                    ConfigFixtures.config(rig.endpointUrl(), List.of(subscribed)).withOutageMarkers(false));
            on.start(marked);
            off.start(unmarked);
            await("connected").atMost(Duration.ofSeconds(60)).until(() -> marked.healthState() == HealthState.CONNECTED
                    && unmarked.healthState() == HealthState.CONNECTED);
            List<String> tags = List.of("Ramp", "Analog", "Int32_0");
            await("values of every tag").atMost(Duration.ofSeconds(10)).until(() -> tags.stream().allMatch(t -> marked.samplesOf(t).size() >= 2) && unmarked.samplesOf("Ramp").size() >= 2);

            rig.stop();
            await("the outage noticed").atMost(Duration.ofSeconds(15)).until(() -> marked.healthState() == HealthState.DISCONNECTED
                    && unmarked.healthState() == HealthState.DISCONNECTED);
            for (String tag : tags) {
                List<Sample> s = marked.samplesOf(tag);
                Sample last = s.get(s.size() - 1);
                assertEquals(Quality.BAD, last.quality(), tag + ": " + last);
                assertEquals(StatusCodes.Bad_NoCommunication, last.statusCode(), tag);
                assertEquals(1, s.stream().filter(x -> x.quality() == Quality.BAD).count(), tag + ": one marker");
            }
            assertEquals(3, marked.counter("opcua.outage.markers"));

            rig.start();
            await("GOOD values again").atMost(Duration.ofSeconds(20)).until(() -> tags.stream().allMatch(t -> {
                List<Sample> s = marked.samplesOf(t);
                return s.get(s.size() - 1).quality() == Quality.GOOD;
            }) && unmarked.samplesOf("Ramp").size() > 0 && unmarked.healthState() == HealthState.CONNECTED);
            int beforeRampCount = unmarked.samplesOf("Ramp").size();
            await("a later value without markers").atMost(Duration.ofSeconds(10)).until(() -> unmarked.samplesOf("Ramp").size() > beforeRampCount);
            for (String tag : tags) {
                assertEquals(1, marked.samplesOf(tag).stream().filter(x -> x.quality() == Quality.BAD).count(), tag);
            }
            assertTrue(unmarked.samples().stream().noneMatch(x -> x.quality() == Quality.BAD), "outage-markers: false");
            assertEquals(0, unmarked.counter("opcua.outage.markers"));
        } finally {
            if (on != null) on.stop();
            if (off != null) off.stop();
            rig.close();
        }
    }
}
