package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.config;
import static io.sluice.connector.opcua.ConfigFixtures.folder;
import static io.sluice.connector.opcua.ConfigFixtures.group;
import static io.sluice.connector.opcua.ConfigFixtures.nodeId;
import static io.sluice.connector.opcua.ConfigFixtures.path;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcua.OpcUaConnectorConfig.AcquisitionMode;
import io.sluice.connector.opcua.OpcUaConnectorConfig.DeadbandType;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import io.sluice.rigs.opcua.RigValues;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connector against the rig server, in-process on a free loopback port, anonymous and without security. */
class OpcUaConnectorIT {

    private static RigServer rig;

    @BeforeAll
    static void startRig(@TempDir Path dir) throws Exception {
        rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig")));
    }

    @AfterAll
    static void stopRig() {
        if (rig != null) rig.close();
    }

    private final List<OpcUaConnector> started = new java.util.ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void stopConnectors() {
        started.forEach(OpcUaConnector::stop);
    }

    private OpcUaConnector start(FakeConnectorContext ctx, OpcUaConnectorConfig config) throws Exception {
        OpcUaConnector connector = (OpcUaConnector) new OpcUaConnectorFactory().create("it", config);
        started.add(connector);
        connector.start(ctx);
        return connector;
    }

    @Test
    void everyNodeArrivesWithTheRightTypeValueAndTimestamps(@TempDir Path state) throws Exception {
        NodeGroup g = group("all", List.of(path("/Rig/Structures/Reading"),
                        nodeId("nsu=" + RigServer.NAMESPACE_URI + ";s=Rig/Dynamic/Ramp", "ramp")),
                List.of(folder("/Rig/Scalars"), folder("nsu=" + RigServer.NAMESPACE_URI + ";s=Rig/Arrays")));
        try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", state)) {
            OpcUaConnector c = start(ctx, config(rig.endpointUrl(), List.of(g)));
            int expectedTags = RigValues.ScalarType.values().length + RigValues.ARRAY_TYPES.length + 2;
            await("a sample of every node").atMost(Duration.ofSeconds(20)).until(() -> ctx.samples().stream().map(Sample::tag).distinct().count() == expectedTags);
            await("health report").atMost(Duration.ofSeconds(5)).until(() -> ctx.healthState() != HealthState.STARTING);
            assertEquals(HealthState.CONNECTED, ctx.healthState(), ctx.healthReports().toString());
            assertEquals(expectedTags, c.monitoredItemCount());
            assertEquals(expectedTags, rig.monitoredItemCount());

            long n = rig.step("Rig/Scalars/Int32_0");
            Map<String, Value> expected = expectedValues(n);

            Map<String, String> pathOf = new java.util.HashMap<>();
            for (RigValues.ScalarType t : RigValues.ScalarType.values()) pathOf.put(t.browseName() + "_0", "Rig/Scalars/" + t.browseName() + "_0");
            for (RigValues.ScalarType t : RigValues.ARRAY_TYPES) pathOf.put(t.browseName() + "Array", "Rig/Arrays/" + t.browseName() + "Array");
            pathOf.put("ramp", "Rig/Dynamic/Ramp");
            pathOf.put("Reading", "Rig/Structures/Reading");

            for (Map.Entry<String, Value> e : expected.entrySet()) {
                List<Sample> got = ctx.samplesOf(e.getKey());
                assertEquals(1, got.size(), e.getKey() + ": " + got);
                Sample s = got.get(0);
                assertEquals(e.getValue(), s.value(), e.getKey());
                assertEquals(Quality.GOOD, s.quality(), e.getKey());
                assertEquals(0, s.statusCode(), e.getKey());
                DataValue server = rig.value(pathOf.get(e.getKey()));
                assertEquals(OpcUaValues.nanos(server.sourceTime()), s.sourceTimeNanos(), e.getKey() + " source time");
                assertEquals(OpcUaValues.nanos(server.serverTime()), s.serverTimeNanos(), e.getKey() + " server time");
                assertTrue(s.serverTimeNanos() >= s.sourceTimeNanos(), e.getKey() + " server stamps after the source");
                assertTrue(s.receiveTimeNanos() >= s.sourceTimeNanos(), e.getKey() + " receive after source");
            }
            assertInstanceOf(Value.StructValue.class, ctx.samplesOf("Reading").get(0).value());
            c.stop();
            assertEquals(HealthState.STOPPED, ctx.healthState());
        }
    }

    /** What the connector must deliver for the rig's nodes at step n (RigValues, mapped per the README table). */
    static Map<String, Value> expectedValues(long n) {
        Map<String, Value> expected = new java.util.LinkedHashMap<>();
        expected.put("Boolean_0", Value.of(n % 2 == 1));
        expected.put("SByte_0", Value.of(n % 100 - 50));
        expected.put("Byte_0", Value.of(n % 256));
        expected.put("Int16_0", Value.of(n % 30_000 - 15_000));
        expected.put("UInt16_0", Value.of(n % 60_000));
        expected.put("Int32_0", Value.of(n * 3 - 1_000));
        expected.put("UInt32_0", Value.of(n * 7));
        expected.put("Int64_0", Value.of(n * 1_000_000_007L));
        expected.put("UInt64_0", Value.of(n * 11));
        expected.put("Float_0", Value.of(n * 0.5));
        expected.put("Double_0", Value.of(n * 0.25));
        expected.put("String_0", Value.of("value-" + n));
        expected.put("DateTime_0", Value.of(RigValues.DATE_TIME_BASE.plusSeconds(n).toString()));
        expected.put("Guid_0", Value.of(new java.util.UUID(0x5111CE, n).toString()));
        expected.put("ByteString_0", Value.of(("bytes-" + n).getBytes(StandardCharsets.US_ASCII)));
        expected.put("XmlElement_0", Value.of("<v>" + n + "</v>"));
        expected.put("NodeId_0", Value.of("nsu=" + RigServer.NAMESPACE_URI + ";s=Target" + n));
        expected.put("ExpandedNodeId_0", Value.of("nsu=" + RigServer.NAMESPACE_URI + ";s=Expanded" + n));
        expected.put("StatusCode_0", Value.of(n % 2 == 0 ? 0L : 0x40000000L));
        expected.put("QualifiedName_0", Value.of("Name" + n));
        expected.put("LocalizedText_0", Value.of("text-" + n));
        expected.put("ramp", Value.of((double) n));
        java.util.function.Function<java.util.function.LongFunction<Value>, Value> array = f -> new Value.ArrayValue(
                java.util.stream.LongStream.range(n, n + RigValues.ARRAY_LENGTH).mapToObj(f).toList());
        expected.put("Int32Array", array.apply(k -> Value.of(k * 3 - 1_000)));
        expected.put("DoubleArray", array.apply(k -> Value.of(k * 0.25)));
        expected.put("StringArray", array.apply(k -> Value.of("value-" + k)));
        expected.put("BooleanArray", array.apply(k -> Value.of(k % 2 == 1)));
        expected.put("ByteArray", array.apply(k -> Value.of(k % 256)));
        expected.put("UInt64Array", array.apply(k -> Value.of(k * 11)));
        Map<String, Value> reading = new java.util.LinkedHashMap<>();
        reading.put("temperature", Value.of(20.0 + n * 0.5));
        reading.put("pressure", Value.of(1.0 + n * 0.01));
        reading.put("count", Value.of(n));
        reading.put("label", Value.of("reading-" + n));
        reading.put("ok", Value.of(n % 2 == 0));
        expected.put("Reading", new Value.StructValue(reading));
        return expected;
    }

    @Test
    void anAbsoluteDeadbandReducesTheSampleCountAsComputed(@TempDir Path state) throws Exception {
        double band = 2.5;
        NodeGroup plain = ConfigFixtures.group("plain", AcquisitionMode.SUBSCRIPTION, Duration.ofMillis(50), 1000,
                DeadbandType.NONE, 0, Optional.empty(), List.of(nodeId("nsu=" + RigServer.NAMESPACE_URI + ";s=Rig/Dynamic/Ramp", "raw")), List.of());
        NodeGroup banded = ConfigFixtures.group("banded", AcquisitionMode.SUBSCRIPTION, Duration.ofMillis(50), 1000,
                DeadbandType.ABSOLUTE, band, Optional.empty(), List.of(nodeId("nsu=" + RigServer.NAMESPACE_URI + ";s=Rig/Dynamic/Ramp", "banded")), List.of());
        NodeGroup percent = ConfigFixtures.group("percent", AcquisitionMode.SUBSCRIPTION, Duration.ofMillis(50), 1000,
                DeadbandType.PERCENT, 5, Optional.empty(), List.of(nodeId("nsu=" + RigServer.NAMESPACE_URI + ";s=Rig/Dynamic/Analog", "pct")), List.of());
        try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", state)) {
            OpcUaConnector c = start(ctx, config(rig.endpointUrl(), List.of(plain, banded, percent)));
            await("initial values").atMost(Duration.ofSeconds(20)).until(() -> !ctx.samplesOf("raw").isEmpty() && !ctx.samplesOf("banded").isEmpty() && !ctx.samplesOf("pct").isEmpty());
            double start = ((Value.FloatValue) ctx.samplesOf("raw").get(0).value()).value();
            int steps = 40;
            int marker = 4; // steps after the checked ones, which every item must report: see below
            rig.advance(steps);
            int expectedBanded = bandedCount(start, steps, band, Double.MAX_VALUE);
            int expectedBandedAfterMarker = bandedCount(start, steps + marker, band, Double.MAX_VALUE);
            // Analog = step % 100 with EURange 0..100: a 5 % deadband is 5.0 units
            int expectedPct = bandedCount(start, steps + marker, 5.0, 100);
            await("all raw changes").atMost(Duration.ofSeconds(20)).until(() -> ctx.samplesOf("raw").size() == steps + 1);
            await("banded changes").atMost(Duration.ofSeconds(5)).until(() -> ctx.samplesOf("banded").size() >= expectedBanded);
            // any surplus sample would come before the marker steps' own samples on the same subscription
            rig.advance(marker);
            await("the marker steps").atMost(Duration.ofSeconds(5)).until(() -> ctx.samplesOf("raw").size() >= steps + 1 + marker
                    && ctx.samplesOf("banded").size() >= expectedBandedAfterMarker);
            assertEquals(steps + 1 + marker, ctx.samplesOf("raw").size());
            assertEquals(expectedBandedAfterMarker, ctx.samplesOf("banded").size());
            await("percent changes").atMost(Duration.ofSeconds(5)).until(() -> ctx.samplesOf("pct").size() >= expectedPct);
            assertEquals(expectedPct, ctx.samplesOf("pct").size());
            assertEquals(List.of(start, start + 3, start + 6), ctx.samplesOf("banded").subList(0, 3).stream()
                    .map(s -> ((Value.FloatValue) s.value()).value()).toList());
            c.stop();
        }
    }

    /**
     * What the server must report of a ramp from {@code start} over {@code steps} (values modulo {@code modulo}): the
     * first value, then every value more than {@code band} away from the last reported.
     */
    private static int bandedCount(double start, int steps, double band, double modulo) {
        int expected = 1;
        double last = start % modulo;
        for (int i = 1; i <= steps; i++) {
            double v = (start + i) % modulo;
            if (Math.abs(v - last) > band) {
                expected++;
                last = v;
            }
        }
        return expected;
    }

    @Test
    void aBadNodeIsReportedAndSkippedWhileTheOthersFlow(@TempDir Path state) throws Exception {
        NodeGroup g = group("g", List.of(nodeId("nsu=" + RigServer.NAMESPACE_URI + ";s=Rig/NoSuchNode", "missing"),
                path("/Rig/NoSuchFolder/X"), path("/Rig/Dynamic/Ramp")), List.of());
        NodeGroup percentOnPlainNode = ConfigFixtures.group("percent", AcquisitionMode.SUBSCRIPTION, Duration.ofMillis(100), 1,
                DeadbandType.PERCENT, 5, Optional.empty(), List.of(nodeId("nsu=" + RigServer.NAMESPACE_URI + ";s=Rig/Scalars/Double_0", "pct-plain"),
                        nodeId("nsu=" + RigServer.NAMESPACE_URI + ";s=Rig/Dynamic/Analog", "pct-analog")), List.of());
        try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", state)) {
            OpcUaConnector c = start(ctx, config(rig.endpointUrl(), List.of(g, percentOnPlainNode)));
            await("ramp and analog samples").atMost(Duration.ofSeconds(20)).until(() -> !ctx.samplesOf("Ramp").isEmpty() && !ctx.samplesOf("pct-analog").isEmpty());
            await("health report").atMost(Duration.ofSeconds(5)).until(() -> ctx.healthState() != HealthState.STARTING);
            assertEquals(HealthState.DEGRADED, ctx.healthState());
            String detail = ctx.lastHealthReport().detail();
            assertTrue(detail.startsWith("3 node(s) skipped"), detail);
            assertEquals(3, ctx.counter("opcua.bad.nodes"));
            assertTrue(ctx.samplesOf("missing").isEmpty());
            assertTrue(ctx.samplesOf("pct-plain").isEmpty());
            assertEquals(2, c.monitoredItemCount());
            c.stop();
        }
    }

    @Test
    void pollingReadsAtTheIntervalAndAppliesTheDeadbandInTheGateway(@TempDir Path state) throws Exception {
        NodeGroup poll = ConfigFixtures.group("poll", AcquisitionMode.POLLING, Duration.ofMillis(50), 1,
                DeadbandType.ABSOLUTE, 0.5, Optional.empty(),
                List.of(path("/Rig/Dynamic/Ramp"), nodeId("nsu=" + RigServer.NAMESPACE_URI + ";s=Rig/Gone", "gone")), List.of());
        try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", state)) {
            OpcUaConnector c = start(ctx, config(rig.endpointUrl(), List.of(poll)));
            await("first poll").atMost(Duration.ofSeconds(20)).until(() -> !ctx.samplesOf("Ramp").isEmpty());
            Thread.sleep(300); // several polls of an unchanged value: the deadband keeps them out
            assertEquals(1, ctx.samplesOf("Ramp").size());
            rig.advance(1);
            await("the changed value").atMost(Duration.ofSeconds(5)).until(() -> ctx.samplesOf("Ramp").size() == 2);
            await("health report").atMost(Duration.ofSeconds(5)).until(() -> ctx.healthState() == HealthState.DEGRADED);
            assertEquals(HealthState.DEGRADED, ctx.healthState());
            assertEquals(1, ctx.counter("opcua.bad.nodes"));
            c.stop();
        }
    }
}
