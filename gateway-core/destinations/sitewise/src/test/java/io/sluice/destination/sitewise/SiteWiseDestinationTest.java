package io.sluice.destination.sitewise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.spi.destination.Rejection;
import io.sluice.testkit.FakeDestinationContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iotsitewise.model.BatchPutAssetPropertyError;
import software.amazon.awssdk.services.iotsitewise.model.BatchPutAssetPropertyErrorEntry;
import software.amazon.awssdk.services.iotsitewise.model.PutAssetPropertyValueEntry;
import software.amazon.awssdk.services.iotsitewise.model.RawValueType;

class SiteWiseDestinationTest {

    @TempDir
    Path state;

    private static final Instant NOW = Instant.parse("2026-11-22T06:00:00.123456789Z");
    private static final AssetContext PRESS = new AssetContext(
            Map.of("site", "hamburg", "area", "press-shop", "machine", "press-3"));

    private SiteWiseDestination destination;
    private FakeDestinationContext context;
    private long sequence;

    @BeforeEach
    void setUp() {
        context = new FakeDestinationContext("test", state).withClock(Clock.fixed(NOW, ZoneOffset.UTC));
        destination = start(SiteWiseDestinationConfig.defaults(Optional.of("eu-central-1"), Optional.empty()));
    }

    @AfterEach
    void tearDown() {
        destination.close();
    }

    private SiteWiseDestination start(SiteWiseDestinationConfig config) {
        SiteWiseDestination d = new SiteWiseDestination("cloud", config);
        d.start(context);
        return d;
    }

    private OutboundSample sample(String tag, Value value, Instant time) {
        return sample(tag, value, time, PRESS, Quality.GOOD);
    }

    private OutboundSample sample(String tag, Value value, Instant time, AssetContext asset, Quality quality) {
        long nanos = Sample.toNanos(time);
        return new OutboundSample("telemetry", ++sequence, "plc",
                new Sample(tag, value, quality, 0, nanos, nanos, null), asset);
    }

    private static PutAssetPropertyValueEntry entry(Packet p) {
        return (PutAssetPropertyValueEntry) p.body();
    }

    @Test
    void groupsSamplesByAliasInStreamOrderAndChunksByTen() {
        List<OutboundSample> in = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            in.add(sample("temperature", Value.of(20.0 + i), NOW.minusSeconds(100 - i)));
            if (i < 3) in.add(sample("running", Value.of(i % 2 == 0), NOW.minusSeconds(100 - i)));
        }
        PackResult result = destination.pack(in);
        assertEquals(List.of(), result.rejected());
        List<Packet> packets = result.packets();
        assertEquals(4, packets.size());
        String temp = "/hamburg/press-shop/press-3/temperature";
        assertEquals(List.of(temp, temp, temp, "/hamburg/press-shop/press-3/running"),
                packets.stream().map(Packet::orderingKey).toList());
        assertEquals(List.of(10, 10, 5, 3), packets.stream().map(p -> p.samples().size()).toList());
        PutAssetPropertyValueEntry first = entry(packets.get(0));
        assertEquals(temp, first.propertyAlias());
        assertNull(first.assetId());
        assertEquals(10, first.propertyValues().size());
        assertEquals(20.0, first.propertyValues().get(0).value().doubleValue());
        assertEquals(29.0, first.propertyValues().get(9).value().doubleValue());
        assertEquals(30.0, entry(packets.get(1)).propertyValues().get(0).value().doubleValue());
        // samples of a packet are its values, in stream order
        List<Long> seqs = packets.get(0).samples().stream().map(OutboundSample::sequence).toList();
        assertEquals(seqs.stream().sorted().toList(), seqs);
        assertTrue(packets.get(0).sizeBytes() > 10 * 100 && packets.get(0).sizeBytes() < destination.limits().maxPacketBytes());
    }

    @Test
    void mapsTypesQualityAndTimestamps() {
        Instant t = NOW.minusMillis(1500);
        PackResult result = destination.pack(List.of(
                sample("a", Value.of(1.5), t),
                sample("b", Value.of(42L), t, PRESS, Quality.BAD),
                sample("c", Value.of(true), t, PRESS, Quality.UNCERTAIN),
                sample("d", Value.of("running"), t),
                sample("e", Value.of(Double.NaN), t)));
        assertEquals(List.of(), result.rejected());
        var values = result.packets().stream().map(p -> entry(p).propertyValues().get(0)).toList();
        assertEquals(1.5, values.get(0).value().doubleValue());
        assertEquals(42, values.get(1).value().integerValue());
        assertEquals(true, values.get(2).value().booleanValue());
        assertEquals("running", values.get(3).value().stringValue());
        assertTrue(Double.isNaN(values.get(4).value().doubleValue()));
        assertEquals(List.of("GOOD", "BAD", "UNCERTAIN", "GOOD", "GOOD"),
                values.stream().map(v -> v.qualityAsString()).toList());
        assertEquals(t.getEpochSecond(), values.get(0).timestamp().timeInSeconds());
        assertEquals(t.getNano(), values.get(0).timestamp().offsetInNanos());
    }

    @Test
    void rejectsWhatSiteWiseCannotTakeWithTheReason() {
        OutboundSample bytes = sample("raw", Value.of(new byte[] {1, 2}), NOW);
        OutboundSample struct = sample("frame", new Value.StructValue(Map.of("a", Value.of(1L))), NOW);
        OutboundSample array = sample("vector", new Value.ArrayValue(List.of(Value.of(1L))), NOW);
        OutboundSample bigInt = sample("counter", Value.of(1L << 40), NOW);
        OutboundSample bigDouble = sample("energy", Value.of(2e10), NOW);
        OutboundSample infinite = sample("ratio", Value.of(Double.POSITIVE_INFINITY), NOW);
        OutboundSample longString = sample("note", Value.of("x".repeat(1025)), NOW);
        OutboundSample control = sample("text", Value.of("a\u0001b"), NOW);
        OutboundSample noArea = sample("temperature", Value.of(1.0), NOW, new AssetContext(Map.of("site", "x", "machine", "y")), Quality.GOOD);
        OutboundSample fine = sample("temperature", Value.of(1.0), NOW.minus(Duration.ofDays(6)));
        OutboundSample edge = sample("temperature", Value.of(2.0), NOW.plus(Duration.ofMinutes(10)));

        PackResult result = destination.pack(List.of(bytes, struct, array, bigInt, bigDouble, infinite, longString,
                control, noArea, fine, edge));

        assertEquals(1, result.packets().size());
        assertEquals(List.of(fine, edge), result.packets().get(0).samples());
        assertEquals(9, result.rejected().size());
        Map<OutboundSample, String> reasons = new java.util.HashMap<>();
        result.rejected().forEach(r -> reasons.put(r.sample(), r.reason()));
        assertTrue(reasons.get(bytes).contains("'bytes' has no SiteWise equivalent"), reasons.get(bytes));
        assertTrue(reasons.get(struct).contains("'struct'"), reasons.get(struct));
        assertTrue(reasons.get(array).contains("'array'"), reasons.get(array));
        assertTrue(reasons.get(bigInt).contains("32-bit"), reasons.get(bigInt));
        assertTrue(reasons.get(bigDouble).contains("double range"), reasons.get(bigDouble));
        assertTrue(reasons.get(infinite).contains("double range"), reasons.get(infinite));
        assertTrue(reasons.get(longString).contains("1024"), reasons.get(longString));
        assertTrue(reasons.get(control).contains("control characters"), reasons.get(control));
        assertTrue(reasons.get(noArea).contains("needs area"), reasons.get(noArea));
        assertEquals(9, context.counter("sitewise.values.rejected"));
        Map<OutboundSample, Rejection.Kind> kinds = new java.util.HashMap<>();
        result.rejected().forEach(r -> kinds.put(r.sample(), r.kind()));
        for (OutboundSample invalid : List.of(bytes, struct, array, bigInt, bigDouble, infinite, longString, control, noArea)) {
            assertEquals(Rejection.Kind.INVALID, kinds.get(invalid), reasons.get(invalid));
        }
    }

    @Test
    void idsAddressingLooksUpTheRenderedAlias() {
        String assetId = "a1b2c3d4-0000-4000-8000-000000000001";
        String propertyId = "a1b2c3d4-0000-4000-8000-000000000002";
        destination.close();
        destination = start(SiteWiseDestinationConfig.defaults(Optional.empty(), Optional.empty())
                .withPropertyAlias("{machine}.{tag}")
                .withIds(Map.of("press-3.temperature", new SiteWiseDestinationConfig.PropertyIds(assetId, propertyId))));
        OutboundSample mapped = sample("temperature", Value.of(1.0), NOW);
        OutboundSample unmapped = sample("pressure", Value.of(1.0), NOW);
        PackResult result = destination.pack(List.of(mapped, unmapped));
        assertEquals(1, result.packets().size());
        PutAssetPropertyValueEntry e = entry(result.packets().get(0));
        assertEquals(assetId, e.assetId());
        assertEquals(propertyId, e.propertyId());
        assertNull(e.propertyAlias());
        assertEquals(assetId + "/" + propertyId, result.packets().get(0).orderingKey());
        assertEquals(1, result.rejected().size());
        assertTrue(result.rejected().get(0).reason().contains("no asset-id/property-id mapping for 'press-3.pressure'"));
    }

    @Test
    void everyInputSampleAppearsExactlyOnce() {
        List<OutboundSample> in = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Value v = switch (i % 4) {
                case 0 -> Value.of((double) i);
                case 1 -> Value.of((long) i);
                case 2 -> Value.of(new byte[] {(byte) i});
                default -> Value.of("s" + i);
            };
            in.add(sample("tag" + (i % 7), v, NOW.minusSeconds(i)));
        }
        PackResult result = destination.pack(in);
        List<OutboundSample> out = new ArrayList<>();
        result.packets().forEach(p -> {
            assertTrue(p.samples().size() <= 10);
            out.addAll(p.samples());
        });
        result.rejected().forEach(r -> out.add(r.sample()));
        assertEquals(in.size(), out.size());
        assertEquals(new java.util.HashSet<>(in), new java.util.HashSet<>(out));
    }

    private static BatchPutAssetPropertyErrorEntry error(String entryId, String... codes) {
        List<BatchPutAssetPropertyError> errors = new ArrayList<>();
        for (String c : codes) {
            errors.add(BatchPutAssetPropertyError.builder().errorCode(c).errorMessage("msg " + c).build());
        }
        return BatchPutAssetPropertyErrorEntry.builder().entryId(entryId).errors(errors).build();
    }

    @Test
    void onlyADefiniteRejectionOfTheDataDeadLettersAnEntry() {
        List<OutboundSample> in = new ArrayList<>();
        for (int i = 0; i < 11; i++) in.add(sample("t" + i, Value.of(1.0), NOW));
        List<Packet> packets = destination.pack(in).packets();
        List<PacketOutcome> outcomes = destination.outcomes(packets.subList(0, 10), List.of(
                error("1", "ThrottlingException"),
                error("2", "InternalFailureException"),
                error("3", "ServiceUnavailableException"),
                error("4", "InvalidRequestException"),
                error("5", "ResourceNotFoundException"),
                error("6", "TimestampOutOfRangeException"),
                error("7", "ThrottlingException", "AccessDeniedException"),
                error("8", "ConflictingOperationException"),
                error("9", "ThrottlingException", "InvalidRequestException")));
        PacketOutcome.Delivered accepted = assertInstanceOf(PacketOutcome.Delivered.class, outcomes.get(0));
        assertEquals("sitewise", accepted.receipt().kind());
        assertEquals("0", accepted.receipt().fields().get("entry-id"));
        assertEquals("accepted", accepted.receipt().fields().get("status"));
        assertEquals(packets.get(0).orderingKey(), accepted.receipt().fields().get("property"));
        assertEquals(new PacketOutcome.Retry("ThrottlingException: msg ThrottlingException", true), outcomes.get(1));
        assertEquals(new PacketOutcome.Retry("InternalFailureException: msg InternalFailureException", false), outcomes.get(2));
        assertEquals(new PacketOutcome.Retry("ServiceUnavailableException: msg ServiceUnavailableException", false), outcomes.get(3));
        assertEquals(new PacketOutcome.Reject("InvalidRequestException: msg InvalidRequestException"), outcomes.get(4));
        assertEquals(new PacketOutcome.Retry("ResourceNotFoundException: msg ResourceNotFoundException", false), outcomes.get(5),
                "a property that does not exist (yet) is the operator's to fix; the data waits");
        assertInstanceOf(PacketOutcome.Reject.class, outcomes.get(6));
        PacketOutcome mixed = outcomes.get(7);
        assertEquals(new PacketOutcome.Retry("ThrottlingException: msg ThrottlingException; AccessDeniedException: msg AccessDeniedException", true),
                mixed, "permissions are the operator's to fix");
        assertEquals(new PacketOutcome.Retry("ConflictingOperationException: msg ConflictingOperationException", false), outcomes.get(8));
        assertInstanceOf(PacketOutcome.Reject.class, outcomes.get(9), "an invalid value in an entry rejects it");
        assertEquals(1, context.counter("sitewise.entries.delivered"));
        assertEquals(3, context.metrics().countTagged("sitewise.entries.errors", "code", "ThrottlingException"));

        assertEquals(new PacketOutcome.Retry("SomeFutureException: msg SomeFutureException", false),
                destination.outcomes(packets.subList(10, 11), List.of(error("0", "SomeFutureException"))).get(0),
                "a code not known today is not a rejection of the data");
    }

    @Test
    void limitsFollowTheConfig() {
        assertEquals(10, destination.limits().maxPacketsPerCall());
        assertEquals(1000, destination.limits().maxSamplesPerWindow());
        assertEquals(SiteWiseDestination.DEFAULT_RATES, destination.limits().defaultRates());
    }

    @Test
    void aBadOrUncertainSampleWithoutAValueBecomesANullValueOfThePropertysType() {
        Instant t = NOW.minusSeconds(10);
        // an OPC UA BAD DataValue without a value arrives as an empty string (the connector's no-value marker)
        PackResult first = destination.pack(List.of(
                sample("temperature", Value.of(""), t, PRESS, Quality.BAD),
                sample("temperature", Value.of(20.5), t.plusMillis(1)),
                sample("temperature", Value.of(""), t.plusMillis(2), PRESS, Quality.UNCERTAIN),
                sample("never-seen", Value.of(""), t, PRESS, Quality.BAD),
                sample("label", Value.of(""), t)));
        assertEquals(List.of(), first.rejected());
        var temp = entry(first.packets().get(0)).propertyValues();
        assertEquals(RawValueType.D, temp.get(0).value().nullValue().valueType(), "the type of the property's values");
        assertNull(temp.get(0).value().stringValue());
        assertEquals("BAD", temp.get(0).qualityAsString());
        assertEquals(20.5, temp.get(1).value().doubleValue());
        assertEquals(RawValueType.D, temp.get(2).value().nullValue().valueType());
        assertEquals("UNCERTAIN", temp.get(2).qualityAsString());
        assertEquals(RawValueType.U, entry(first.packets().get(1)).propertyValues().get(0).value().nullValue().valueType(),
                "no value of the property seen yet");
        assertEquals("", entry(first.packets().get(2)).propertyValues().get(0).value().stringValue(),
                "a GOOD empty string is a value");

        // the type is remembered across pack calls
        PackResult later = destination.pack(List.of(sample("temperature", Value.of(""), t.plusMillis(3), PRESS, Quality.BAD)));
        assertEquals(RawValueType.D, entry(later.packets().get(0)).propertyValues().get(0).value().nullValue().valueType());
    }

    @Test
    void limitExceededIsAQuotaRetriedWithoutThrottlingAndNeverARejection() {
        List<Packet> packets = destination.pack(List.of(sample("t0", Value.of(1.0), NOW), sample("t1", Value.of(1.0), NOW))).packets();
        List<PacketOutcome> outcomes = destination.outcomes(packets, List.of(error("0", "LimitExceededException")));
        assertEquals(new PacketOutcome.Retry("LimitExceededException: msg LimitExceededException", false), outcomes.get(0),
                "a resource quota: the data waits, the rate stays");
        assertInstanceOf(PacketOutcome.Delivered.class, outcomes.get(1));

        var quota = software.amazon.awssdk.services.iotsitewise.model.LimitExceededException.builder().statusCode(410)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                        .errorCode("LimitExceededException").errorMessage("quota reached").build())
                .build();
        io.sluice.spi.SluiceException failed = org.junit.jupiter.api.Assertions.assertThrows(
                io.sluice.spi.SluiceException.class, () -> destination.wholeCallFailed(packets, quota));
        assertTrue(failed.retryable());
        assertTrue(failed.getMessage().contains("LimitExceededException: quota reached"), failed.getMessage());
        assertTrue(failed.getMessage().contains("quota"), failed.getMessage());
        assertEquals(1, context.counter("sitewise.requests.quota"));
        assertEquals(0, context.counter("sitewise.requests.throttled"));
    }
}
