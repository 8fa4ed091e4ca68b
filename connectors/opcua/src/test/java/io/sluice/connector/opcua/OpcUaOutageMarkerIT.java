package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.folder;
import static io.sluice.connector.opcua.ConfigFixtures.group;
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
        try (TestContext marked = new TestContext(dir.resolve("on")); TestContext unmarked = new TestContext(dir.resolve("off"))) {
            on = (OpcUaConnector) new OpcUaConnectorFactory().create("markers",
                    ConfigFixtures.config(rig.endpointUrl(), List.of(subscribed, polled)));
            off = (OpcUaConnector) new OpcUaConnectorFactory().create("no-markers",
                    ConfigFixtures.config(rig.endpointUrl(), List.of(subscribed)).withOutageMarkers(false));
            on.start(marked);
            off.start(unmarked);
            TestContext.await("connected", Duration.ofSeconds(60), () -> marked.state() == HealthState.CONNECTED
                    && unmarked.state() == HealthState.CONNECTED);
            List<String> tags = List.of("Ramp", "Analog", "Int32_0");
            TestContext.await("values of every tag", Duration.ofSeconds(10),
                    () -> tags.stream().allMatch(t -> marked.samplesOf(t).size() >= 2) && unmarked.samplesOf("Ramp").size() >= 2);

            rig.stop();
            TestContext.await("the outage noticed", Duration.ofSeconds(15), () -> marked.state() == HealthState.DISCONNECTED
                    && unmarked.state() == HealthState.DISCONNECTED);
            for (String tag : tags) {
                List<Sample> s = marked.samplesOf(tag);
                Sample last = s.get(s.size() - 1);
                assertEquals(Quality.BAD, last.quality(), tag + ": " + last);
                assertEquals(StatusCodes.Bad_NoCommunication, last.statusCode(), tag);
                assertEquals(1, s.stream().filter(x -> x.quality() == Quality.BAD).count(), tag + ": one marker");
            }
            assertEquals(3, marked.counter("opcua.outage.markers"));

            rig.start();
            TestContext.await("GOOD values again", Duration.ofSeconds(20), () -> tags.stream().allMatch(t -> {
                List<Sample> s = marked.samplesOf(t);
                return s.get(s.size() - 1).quality() == Quality.GOOD;
            }) && unmarked.samplesOf("Ramp").size() > 0 && unmarked.state() == HealthState.CONNECTED);
            int beforeRampCount = unmarked.samplesOf("Ramp").size();
            TestContext.await("a later value without markers", Duration.ofSeconds(10),
                    () -> unmarked.samplesOf("Ramp").size() > beforeRampCount);
            for (String tag : tags) {
                assertEquals(1, marked.samplesOf(tag).stream().filter(x -> x.quality() == Quality.BAD).count(), tag);
            }
            assertTrue(unmarked.samples.stream().noneMatch(x -> x.quality() == Quality.BAD), "outage-markers: false");
            assertEquals(0, unmarked.counter("opcua.outage.markers"));
        } finally {
            if (on != null) on.stop();
            if (off != null) off.stop();
            rig.close();
        }
    }
}
