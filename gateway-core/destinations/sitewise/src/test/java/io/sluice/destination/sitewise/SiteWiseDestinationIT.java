package io.sluice.destination.sitewise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.proxy.FaultProxy;
import io.sluice.rigs.sitewise.AcceptedValue;
import io.sluice.rigs.sitewise.SiteWiseStandIn;
import io.sluice.rigs.sitewise.ValueType;
import io.sluice.spi.AssetContext;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.testkit.FakeDestinationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The destination's real SDK client against the SiteWise stand-in, with and without the fault proxy between. */
class SiteWiseDestinationIT {

    @TempDir
    Path state;

    private static final AssetContext PRESS = new AssetContext(
            Map.of("site", "hamburg", "area", "press-shop", "machine", "press-3"));
    private static final String PREFIX = "/hamburg/press-shop/press-3/";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private SiteWiseStandIn standIn;
    private FaultProxy proxy;
    private SiteWiseDestination destination;
    private long sequence;

    @BeforeAll
    static void credentials() {
        System.setProperty("aws.accessKeyId", "AKIDSTANDIN");
        System.setProperty("aws.secretAccessKey", "secret");
    }

    @BeforeEach
    void start() throws Exception {
        standIn = SiteWiseStandIn.start();
        for (int i = 0; i < 20; i++) standIn.defineAlias(PREFIX + "t" + i, ValueType.DOUBLE);
        standIn.defineAlias(PREFIX + "count", ValueType.INTEGER);
        proxy = FaultProxy.start(standIn.port());
        destination = new SiteWiseDestination("cloud", SiteWiseDestinationConfig.defaults(Optional.of("eu-central-1"),
                Optional.of("http://127.0.0.1:" + proxy.port())).withRequestTimeout(Duration.ofSeconds(2)));
        destination.start(new FakeDestinationContext("test", state));
    }

    @AfterEach
    void stop() {
        destination.close();
        proxy.close();
        standIn.close();
    }

    private OutboundSample sample(String tag, Value value, Instant t) {
        long nanos = Sample.toNanos(t);
        return new OutboundSample("telemetry", ++sequence, "plc", Sample.good(tag, value, nanos), PRESS);
    }

    private List<PacketOutcome> send(List<Packet> packets) {
        return Durations.await(destination.sendAsync(packets), WAIT);
    }

    @Test
    void deliversTenEntriesOfTenValuesInOneCall() {
        Instant t0 = Instant.now().minusSeconds(60);
        List<OutboundSample> in = new ArrayList<>();
        for (int v = 0; v < 10; v++) {
            for (int tag = 0; tag < 10; tag++) in.add(sample("t" + tag, Value.of(v * 100.0 + tag), t0.plusMillis(v)));
        }
        PackResult packed = destination.pack(in);
        assertEquals(10, packed.packets().size());
        List<PacketOutcome> outcomes = send(packed.packets());
        assertEquals(10, outcomes.size());
        outcomes.forEach(o -> assertInstanceOf(PacketOutcome.Delivered.class, o));
        assertEquals(1, standIn.requests());
        assertEquals(100, standIn.acceptedCount());
        List<AcceptedValue> t3 = standIn.accepted(PREFIX + "t3");
        assertEquals(List.of(3.0, 103.0, 203.0, 303.0, 403.0, 503.0, 603.0, 703.0, 803.0, 903.0),
                t3.stream().map(AcceptedValue::value).toList());
        assertEquals(t0.plusMillis(9), t3.get(9).timestamp());
    }

    @Test
    void reportsPerEntryOutcomes() {
        Instant now = Instant.now();
        standIn.failNextEntries(PREFIX + "t1", "ThrottlingException", 1);
        standIn.failNextEntries(PREFIX + "t2", "InternalFailureException", 1);
        List<OutboundSample> in = List.of(
                sample("t0", Value.of(1.0), now),
                sample("t1", Value.of(1.0), now),
                sample("t2", Value.of(1.0), now),
                sample("unknown", Value.of(1.0), now),
                sample("count", Value.of(1.5), now));
        List<PacketOutcome> outcomes = send(destination.pack(in).packets());
        assertInstanceOf(PacketOutcome.Delivered.class, outcomes.get(0));
        assertEquals(new PacketOutcome.Retry("ThrottlingException: injected ThrottlingException", true), outcomes.get(1));
        assertEquals(new PacketOutcome.Retry("InternalFailureException: injected InternalFailureException", false), outcomes.get(2));
        assertTrue(((PacketOutcome.Retry) outcomes.get(3)).reason().startsWith("ResourceNotFoundException: "),
                outcomes.get(3).toString());
        assertTrue(((PacketOutcome.Reject) outcomes.get(4)).reason().startsWith("InvalidRequestException: "),
                outcomes.get(4).toString());
        assertEquals(1, standIn.acceptedCount());
    }

    @Test
    void throttledCallRetriesEveryEntryAsThrottled() {
        standIn.throttleNextRequests(1);
        List<Packet> packets = destination.pack(List.of(sample("t0", Value.of(1.0), Instant.now()),
                sample("t1", Value.of(2.0), Instant.now()))).packets();
        List<PacketOutcome> outcomes = send(packets);
        assertEquals(2, outcomes.size());
        outcomes.forEach(o -> assertTrue(o instanceof PacketOutcome.Retry r && r.throttled(), o.toString()));
        send(packets).forEach(o -> assertInstanceOf(PacketOutcome.Delivered.class, o));
    }

    @Test
    void outageFailsTheCallAsRetryable() {
        List<Packet> packets = destination.pack(List.of(sample("t0", Value.of(1.0), Instant.now()))).packets();
        standIn.unavailableNextRequests(1);
        SluiceException unavailable = assertThrows(SluiceException.class, () -> send(packets));
        assertTrue(unavailable.retryable());
        assertTrue(unavailable.getMessage().contains("ServiceUnavailableException"), unavailable.getMessage());

        proxy.blackhole();
        SluiceException timeout = assertThrows(SluiceException.class, () -> send(packets));
        assertTrue(timeout.retryable(), timeout.getMessage());
        proxy.reset();
        SluiceException reset = assertThrows(SluiceException.class, () -> send(packets));
        assertTrue(reset.retryable(), reset.getMessage());
        proxy.pass();
        assertDeliveredOne(send(packets));
        assertEquals(1, standIn.acceptedCount());
    }

    @Test
    void theProbeSendsNoSamplesAndNamesWhatIsWrong() {
        String ok = destination.probeAsync().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
        assertTrue(ok.startsWith("SiteWise answers in eu-central-1 at ") && ok.contains("SITEWISE_DEFAULT_ENCRYPTION"), ok);
        assertEquals(0, standIn.acceptedCount(), "the probe sends no samples");
        standIn.answerEveryRequest(403, "AccessDeniedException");
        var denied = assertThrows(java.util.concurrent.CompletionException.class,
                () -> destination.probeAsync().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join());
        assertInstanceOf(SluiceException.class, denied.getCause());
        assertTrue(denied.getCause().getMessage().contains("AccessDeniedException")
                && denied.getCause().getMessage().contains("iotsitewise:DescribeDefaultEncryptionConfiguration"), denied.getCause().getMessage());
        standIn.answerEveryRequest(404, null);
        var notFound = assertThrows(java.util.concurrent.CompletionException.class,
                () -> destination.probeAsync().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join());
        assertTrue(notFound.getCause().getMessage().contains("HTTP 404") && notFound.getCause().getMessage().contains("endpoint-override"),
                notFound.getCause().getMessage());
        standIn.answerNormally();
    }

    @Test
    void aWrongEndpointAConflictOrRefusedCredentialsFailTheCallAsRetryable() {
        List<Packet> packets = destination.pack(List.of(sample("t0", Value.of(1.0), Instant.now()))).packets();
        standIn.answerEveryRequest(404, null);
        SluiceException notFound = assertThrows(SluiceException.class, () -> send(packets));
        assertTrue(notFound.retryable());
        assertTrue(notFound.getMessage().contains("HTTP 404 without an AWS error type")
                && notFound.getMessage().contains("endpoint-override"), notFound.getMessage());
        standIn.answerEveryRequest(409, "ConflictingOperationException");
        SluiceException conflict = assertThrows(SluiceException.class, () -> send(packets));
        assertTrue(conflict.retryable() && conflict.getMessage().contains("ConflictingOperationException"), conflict.getMessage());
        standIn.answerEveryRequest(403, "AccessDeniedException");
        SluiceException denied = assertThrows(SluiceException.class, () -> send(packets));
        assertTrue(denied.retryable() && denied.getMessage().contains("iotsitewise:BatchPutAssetPropertyValue"), denied.getMessage());
        standIn.answerEveryRequest(404, "ResourceNotFoundException");
        assertTrue(assertThrows(SluiceException.class, () -> send(packets)).retryable());
        standIn.answerNormally();
        assertDeliveredOne(send(packets));
        assertEquals(1, standIn.acceptedCount());
    }

    @Test
    void invalidRequestRejectsEveryEntryOfTheCall() {
        destination.close();
        // ids that are not UUIDs (the config binder would refuse them): the service refuses the whole request
        destination = new SiteWiseDestination("bad-ids", SiteWiseDestinationConfig.defaults(Optional.of("eu-central-1"),
                Optional.of(standIn.endpoint().toString()))
                .withIds(Map.of(PREFIX + "t0", new SiteWiseDestinationConfig.PropertyIds("asset-1", "property-1"),
                        PREFIX + "t1", new SiteWiseDestinationConfig.PropertyIds("asset-2", "property-2"))));
        destination.start(new FakeDestinationContext("test", state));
        List<PacketOutcome> outcomes = send(destination.pack(List.of(
                sample("t0", Value.of(1.0), Instant.now()), sample("t1", Value.of(2.0), Instant.now()))).packets());
        assertEquals(2, outcomes.size());
        for (PacketOutcome o : outcomes) {
            PacketOutcome.Reject reject = assertInstanceOf(PacketOutcome.Reject.class, o);
            assertTrue(reject.reason().startsWith("InvalidRequestException: "), reject.reason());
        }
        assertEquals(0, standIn.acceptedCount());
    }

    @Test
    void idsAddressingReachesTheAssetProperty() {
        String asset = "a1b2c3d4-0000-4000-8000-00000000000a";
        String property = "a1b2c3d4-0000-4000-8000-00000000000b";
        standIn.defineProperty(asset, property, ValueType.INTEGER);
        destination.close();
        destination = new SiteWiseDestination("ids", SiteWiseDestinationConfig.defaults(Optional.of("eu-central-1"),
                Optional.of(standIn.endpoint().toString()))
                .withIds(Map.of(PREFIX + "count", new SiteWiseDestinationConfig.PropertyIds(asset, property))));
        destination.start(new FakeDestinationContext("test", state));
        List<PacketOutcome> outcomes = send(destination.pack(List.of(sample("count", Value.of(41L), Instant.now()))).packets());
        assertInstanceOf(PacketOutcome.Delivered.class, outcomes.get(0));
        assertEquals(41, standIn.accepted(asset + "/" + property).get(0).value());
    }

    private OutboundSample sample(String tag, Value value, Instant t, io.sluice.spi.Quality quality) {
        long nanos = Sample.toNanos(t);
        return new OutboundSample("telemetry", ++sequence, "plc", new Sample(tag, value, quality, 0, nanos, nanos, null), PRESS);
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aBadSampleWithoutAValueArrivesAsANullValueOfThePropertysType() {
        Instant t = Instant.now().minusSeconds(5);
        List<PacketOutcome> outcomes = send(destination.pack(List.of(
                sample("t0", Value.of(20.5), t),
                sample("t0", Value.of(""), t.plusMillis(1), io.sluice.spi.Quality.BAD),
                sample("count", Value.of(7L), t),
                sample("count", Value.of(""), t.plusMillis(1), io.sluice.spi.Quality.UNCERTAIN))).packets());
        assertEquals(2, outcomes.size(), outcomes.toString());
        outcomes.forEach(o -> assertInstanceOf(PacketOutcome.Delivered.class, o,
                "before, the empty string went as a stringValue and the service refused the whole entry"));
        List<AcceptedValue> t0 = standIn.accepted(PREFIX + "t0");
        assertEquals(2, t0.size());
        assertTrue(t0.get(1).isNull());
        assertEquals(ValueType.DOUBLE, t0.get(1).type());
        assertEquals("BAD", t0.get(1).quality());
        AcceptedValue count = standIn.accepted(PREFIX + "count").get(1);
        assertTrue(count.isNull());
        assertEquals(ValueType.INTEGER, count.type());
        assertEquals("UNCERTAIN", count.quality());
        assertEquals(List.of(), standIn.errorEntries());
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aDuplicateTimestampOverwritesTheStoredValue() {
        Instant t = Instant.now().minusSeconds(5);
        assertDeliveredOne(send(destination.pack(List.of(sample("t0", Value.of(1.0), t))).packets()));
        assertDeliveredOne(send(destination.pack(List.of(sample("t0", Value.of(2.0), t))).packets()));
        assertEquals(List.of(2.0), standIn.accepted(PREFIX + "t0").stream().map(AcceptedValue::value).toList());
        assertEquals(1, standIn.overwrites());
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aCallAnswered410LimitExceededFailsAsRetryableAndIsNotThrottling() {
        List<Packet> packets = destination.pack(List.of(sample("t0", Value.of(1.0), Instant.now()))).packets();
        standIn.limitExceeded(true);
        SluiceException e = assertThrows(SluiceException.class, () -> send(packets));
        assertTrue(e.retryable(), e.getMessage());
        assertTrue(e.getMessage().contains("LimitExceededException") && e.getMessage().contains("quota"), e.getMessage());
        standIn.limitExceeded(false);
        assertDeliveredOne(send(packets));
    }

    private static void assertDeliveredOne(List<PacketOutcome> outcomes) {
        assertEquals(1, outcomes.size(), outcomes.toString());
        assertInstanceOf(PacketOutcome.Delivered.class, outcomes.get(0));
    }
}
