package io.sluice.destination.iotcore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.destination.iotcore.IotPayloadFormat.Layout;
import io.sluice.samplejson.DecodedSample;
import io.sluice.samplejson.SeriesJson;
import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PackResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The wide layout ("v":2): round trips, the per-message choice between layouts, and the payload limit. */
class IotWideLayoutTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a reader should get back: every sample with its stream, seq, connector, asset and sample, in stream order. */
    private static List<DecodedSample> expected(List<OutboundSample> in) {
        return in.stream().map(s -> new DecodedSample(s.stream(), s.sequence(), s.connector(),
                        s.asset() == null ? AssetContext.EMPTY : s.asset(), s.sample()))
                .sorted(DecodedSample.STREAM_ORDER).toList();
    }

    private static int version(byte[] payload) throws IOException {
        return JSON.readTree(SeriesJson.decompress(payload)).get("v").asInt();
    }

    @Test
    void manyTagsOfOneInstantTravelAsOneTableWithADictionaryAndComeBackWhole() throws Exception {
        List<OutboundSample> in = IotTestSamples.wide("telemetry", 1000, 1, 5_000);
        byte[] wide = IotPayloadFormat.encode(in, 0, in.size(), 0, Layout.WIDE);
        byte[] series = IotPayloadFormat.encode(in, 0, in.size(), 0, Layout.SERIES);
        JsonNode root = JSON.readTree(wide);
        assertEquals(2, root.get("v").asInt());
        assertFalse(root.has("series"), "a reader of version 1 must not find an empty series array");
        assertEquals(1, root.get("groups").size(), "the tags share stream, connector, asset, type, quality and unit");
        assertEquals(1000, root.get("groups").get(0).get("tags").size());
        assertEquals(1000, root.get("n").asInt());
        for (int i = 1; i < 1000; i++) {
            assertEquals(0, root.get("ts").get(i).asLong(), "one instant: the source times are one, deltas 0");
            assertEquals(1, root.get("seq").get(i).asLong());
            assertEquals(1, root.get("key").get(i).asLong());
        }
        assertEquals(expected(in), IotPayloadFormat.decode(wide));
        assertEquals(expected(in), IotPayloadFormat.decode(series));
        assertTrue(wide.length * 4 < series.length, "wide " + wide.length + " B, series " + series.length + " B");

        byte[] gz = IotPayloadFormat.encode(in, 0, in.size(), 6, Layout.WIDE);
        assertTrue(SeriesJson.isGzip(gz));
        assertEquals(expected(in), IotPayloadFormat.decode(gz));
    }

    @Test
    void qualityStatusUnitsServerTimesTypesAndStreamsSurviveTheWideLayout() throws Exception {
        AssetContext other = new AssetContext(Map.of("site", "bremen"));
        long t = 1_763_800_000_000_000_000L;
        List<OutboundSample> in = new ArrayList<>();
        in.add(new OutboundSample("telemetry", 10, "opc", new Sample("temp", Value.of(81.5), Quality.GOOD, 0, t, t + 2_000, t + 9_000, "degC"), IotTestSamples.ASSET));
        in.add(new OutboundSample("telemetry", 11, "opc", new Sample("temp.raw", Value.of(815L), Quality.UNCERTAIN, 0x40920000L, t, t + 2_000, t + 9_000, null), IotTestSamples.ASSET));
        in.add(new OutboundSample("telemetry", 12, "opc", new Sample("door", Value.of(true), Quality.BAD, 0x80310000L, t, t + 9_000, null), IotTestSamples.ASSET));
        in.add(new OutboundSample("alarms", 3, "opc", new Sample("text", Value.of("Übertemperatur \"A\""), Quality.GOOD, 0, t + 5, t + 9_000, null), other));
        in.add(new OutboundSample("telemetry", 13, "opc", new Sample("temp", Value.of(Double.NaN), Quality.BAD, 0x80000000L, t + 1_000_000, t + 1_000_000, t + 1_009_000, "degC"), IotTestSamples.ASSET));
        in.add(new OutboundSample("telemetry", 14, "opc", new Sample("blob", Value.of(new byte[] {0, 1, (byte) 0xff}), Quality.GOOD, 0, t + 1_000_000, t + 1_009_000, null), AssetContext.EMPTY));
        in.add(new OutboundSample("telemetry", 15, "opc", new Sample("vec", new Value.ArrayValue(List.of(Value.of(1L), Value.of(2.5))), Quality.GOOD, 0, t + 1_000_000, t + 1_009_000, null), IotTestSamples.ASSET));
        in.add(new OutboundSample("telemetry", 16, "opc", new Sample("lap", new Value.StructValue(Map.of("lap", Value.of(7L), "ok", Value.of(true))), Quality.GOOD, 0, t + 1_000_000, t + 1_009_000, null), IotTestSamples.ASSET));
        in.add(new OutboundSample("alarms", 4, "opc", new Sample("text", Value.of("ok"), Quality.GOOD, 0, t + 2_000_000, t + 2_009_000, null), other));
        in.add(new OutboundSample("telemetry", 17, "opc", new Sample("temp", Value.of(Double.NEGATIVE_INFINITY), Quality.GOOD, 0, t + 3_000_000, t + 2_999_995, t + 3_009_000, "degC"), IotTestSamples.ASSET));

        for (int gzip : new int[] {0, 6}) {
            byte[] wide = IotPayloadFormat.encode(in, 0, in.size(), gzip, Layout.WIDE);
            assertEquals(2, version(wide));
            List<DecodedSample> out = IotPayloadFormat.decode(wide);
            assertEquals(expected(in), out);
            assertTrue(out.stream().filter(d -> d.sample().tag().equals("door")).allMatch(d -> !d.sample().hasServerTime()));
        }
        JsonNode root = JSON.readTree(IotPayloadFormat.encode(in, 0, in.size(), 0, Layout.WIDE));
        assertTrue(root.get("st").get(2).isNull(), "no server time: null in st");
        assertEquals(2_000, root.get("st").get(0).asLong());
        assertEquals(-5, root.get("st").get(9).asLong(), "a server time before the source time is a negative offset");
        // "temp" is in two groups (GOOD/degC, BAD/0x80000000/degC); "text" in one group of stream alarms
        long groupsWithTemp = 0;
        for (JsonNode g : root.get("groups")) {
            for (JsonNode tag : g.get("tags")) if (tag.asText().equals("temp")) groupsWithTemp++;
        }
        assertEquals(2, groupsWithTemp);
    }

    @Test
    void autoPicksWhicheverLayoutIsSmallerForEachMessage() throws Exception {
        List<OutboundSample> wideData = IotTestSamples.wide("telemetry", 300, 2, 1);
        List<OutboundSample> deep = IotTestSamples.floats("telemetry", 3_000, 3, 1);
        for (int gzip : new int[] {0, 6}) {
            for (List<OutboundSample> in : List.of(wideData, deep)) {
                byte[] auto = IotPayloadFormat.encode(in, 0, in.size(), gzip, Layout.AUTO);
                byte[] series = IotPayloadFormat.encode(in, 0, in.size(), gzip, Layout.SERIES);
                byte[] wide = IotPayloadFormat.encode(in, 0, in.size(), gzip, Layout.WIDE);
                if (gzip == 0) assertEquals(Math.min(series.length, wide.length), auto.length);
                assertEquals(expected(in), IotPayloadFormat.decode(auto));
            }
            assertEquals(2, version(IotPayloadFormat.encode(wideData, 0, wideData.size(), gzip, Layout.AUTO)),
                    "300 tags with 1-2 values each: wide");
            assertEquals(1, version(IotPayloadFormat.encode(deep, 0, deep.size(), gzip, Layout.AUTO)),
                    "3 tags with 1,000 values each: series");
        }
    }

    @Test
    void aMessageOfOneValuePerTagIsWideWithoutTryingTheSeriesLayout() throws Exception {
        List<OutboundSample> live = IotTestSamples.wide("telemetry", 1_000, 1, 1);
        List<OutboundSample> twoEach = IotTestSamples.wide("telemetry", 300, 2, 1);
        assertTrue(IotPayloadFormat.mostlyOneValuePerTag(live, 0, live.size()));
        assertTrue(!IotPayloadFormat.mostlyOneValuePerTag(twoEach, 0, twoEach.size()), "two values per tag are compared");
        byte[] auto = IotPayloadFormat.encode(live, 0, live.size(), 0, Layout.AUTO);
        assertArrayEquals(IotPayloadFormat.encode(live, 0, live.size(), 0, Layout.WIDE), auto);
        assertTrue(auto.length < IotPayloadFormat.encode(live, 0, live.size(), 0, Layout.SERIES).length,
                "and wide is the smaller one there");
    }

    @Test
    void aDamagedWideMessageIsAnIOExceptionSayingWhat() {
        String groups = "\"groups\":[{\"stream\":\"s\",\"connector\":\"c\",\"type\":\"integer\",\"quality\":\"GOOD\",\"tags\":[\"a\"]}]";
        var range = assertThrows(IOException.class, () -> decode("{\"v\":2," + groups
                + ",\"n\":1,\"key\":[1],\"seq\":[1],\"ts\":[1],\"rt\":[1],\"value\":[1]}"));
        assertTrue(range.getMessage().contains("row 0 names tag 1 of 1"), range.getMessage());
        var length = assertThrows(IOException.class, () -> decode("{\"v\":2," + groups
                + ",\"n\":2,\"key\":[0],\"seq\":[1],\"ts\":[1],\"rt\":[1],\"value\":[1]}"));
        assertTrue(length.getMessage().contains("differ in length"), length.getMessage());
        var type = assertThrows(IOException.class, () -> decode("{\"v\":2," + groups
                + ",\"n\":1,\"key\":[0],\"seq\":[1],\"ts\":[1],\"rt\":[1],\"value\":[\"x\"]}"));
        assertTrue(type.getMessage().startsWith("row 0: "), type.getMessage());
        var noGroups = assertThrows(IOException.class, () -> decode("{\"v\":2,\"n\":0}"));
        assertTrue(noGroups.getMessage().contains("missing array 'groups'"), noGroups.getMessage());
    }

    @Test
    void theExampleInDocsDestinationsReadsAsDocumented() throws Exception {
        Path docs = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null && docs == null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docs/destinations.md"))) docs = p.resolve("docs/destinations.md");
        }
        assertTrue(docs != null, "docs/destinations.md above " + Path.of("").toAbsolutePath());
        String example = Files.readAllLines(docs).stream().filter(l -> l.startsWith("{\"v\":2,\"groups\"")).findFirst().orElseThrow();
        List<DecodedSample> read = decode(example);
        assertEquals(4, read.size());
        DecodedSample force = read.get(0), count = read.get(3);
        assertEquals(4711, force.sequence());
        assertEquals("press.force", force.sample().tag());
        assertEquals(1763800000102000000L, force.sample().serverTimeNanos());
        assertEquals("kN", force.sample().unit());
        assertEquals(4714, count.sequence());
        assertEquals("press.count", count.sample().tag());
        assertEquals(Value.of(1208L), count.sample().value());
        assertEquals(Quality.BAD, count.sample().quality());
        assertEquals(2149580800L, count.sample().statusCode());
        assertEquals(1763800000100000000L, count.sample().sourceTimeNanos());
        assertEquals(1763800000104000000L, count.sample().receiveTimeNanos());
        assertFalse(count.sample().hasServerTime());
        assertEquals(Map.of("machine", "press-3", "site", "hamburg"), count.asset().levels());
    }

    private static List<DecodedSample> decode(String json) throws IOException {
        return IotPayloadFormat.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void packedWideMessagesStayWithinThePayloadLimitAndCarryEverySampleOnce() throws Exception {
        for (IotCoreDestinationConfig.PayloadFormat format : List.of(IotCoreDestinationConfig.PayloadFormat.JSON,
                IotCoreDestinationConfig.PayloadFormat.JSON_GZIP)) {
            IotCoreDestination d = new IotCoreDestination("iot", IotTestSamples.config("ssl://127.0.0.1:8883", "/c.pem",
                    "/k.pem", null, format, "sluice/{connector}/{stream}"));
            List<OutboundSample> in = IotTestSamples.wide("telemetry", 5_000, 6, 1);
            PackResult packed = d.pack(in);
            assertTrue(packed.rejected().isEmpty(), packed.rejected().toString());
            Set<Long> seen = new HashSet<>();
            Set<Integer> versions = new HashSet<>();
            int maxBytes = 0;
            for (Packet p : packed.packets()) {
                byte[] payload = ((IotCoreDestination.Message) p.body()).payload();
                maxBytes = Math.max(maxBytes, payload.length);
                assertTrue(payload.length <= IotCoreDestinationConfig.IOT_CORE_MAX_PAYLOAD, payload.length + " B");
                versions.add(version(payload));
                for (DecodedSample s : IotPayloadFormat.decode(payload)) assertTrue(seen.add(s.sequence()), "twice: " + s);
            }
            assertEquals(in.size(), seen.size());
            assertEquals(Set.of(2), versions, format + ": 5,000 tags with 6 values each in 10 lanes go wide");
            assertTrue(maxBytes > IotCoreDestinationConfig.IOT_CORE_MAX_PAYLOAD / 4 || format != IotCoreDestinationConfig.PayloadFormat.JSON,
                    "messages are filled up to the limit, not cut small: largest " + maxBytes + " B");
        }
    }

    /**
     * IoT Core's 512 KB/s per connection carries 10,000 values/s only at under 52 bytes per value. One packing round of
     * live data (1,000 tags, one value each, split into the default 10 lanes) must fit that; with the series layout
     * alone (json-layout: series, what every message was before) it takes ~260 bytes per value.
     */
    @Test
    void oneRoundOfAThousandTagsWithOneValueEachFitsTenThousandValuesPerSecondIntoTheByteQuota() {
        double quotaBytesPerValue = 512 * 1024 / 10_000.0;
        List<OutboundSample> in = IotTestSamples.wide("telemetry", 1000, 1, 1);
        for (Layout layout : List.of(Layout.AUTO, Layout.SERIES)) {
            IotCoreDestination d = new IotCoreDestination("iot", IotTestSamples.config("ssl://127.0.0.1:8883", "/c.pem",
                    "/k.pem", null, IotCoreDestinationConfig.PayloadFormat.JSON, layout, "sluice/{connector}/{stream}"));
            PackResult packed = d.pack(in);
            long bytes = packed.packets().stream().mapToLong(Packet::sizeBytes).sum();
            double perValue = (double) bytes / in.size();
            assertTrue(packed.packets().size() <= 10, packed.packets().size() + " messages");
            if (layout == Layout.AUTO) assertTrue(perValue < quotaBytesPerValue, layout + ": " + perValue + " B/value");
            else assertTrue(perValue > 4 * quotaBytesPerValue, layout + ": " + perValue + " B/value");
        }
    }

    @Test
    void aFixedLayoutIsKeptForEveryMessage() throws Exception {
        for (Layout layout : List.of(Layout.SERIES, Layout.WIDE)) {
            IotCoreDestination d = new IotCoreDestination("iot", IotTestSamples.config("ssl://127.0.0.1:8883", "/c.pem",
                    "/k.pem", null, IotCoreDestinationConfig.PayloadFormat.JSON, layout, "sluice/{connector}/{stream}"));
            List<OutboundSample> in = new ArrayList<>(IotTestSamples.wide("telemetry", 200, 1, 1));
            in.addAll(IotTestSamples.floats("telemetry", 2_000, 2, 201));
            int expectedVersion = layout == Layout.SERIES ? 1 : 2;
            List<DecodedSample> all = new ArrayList<>();
            for (Packet p : d.pack(in).packets()) {
                byte[] payload = ((IotCoreDestination.Message) p.body()).payload();
                assertEquals(expectedVersion, version(payload));
                all.addAll(IotPayloadFormat.decode(payload));
            }
            all.sort(Comparator.comparingLong(DecodedSample::sequence));
            assertEquals(expected(in), all);
        }
    }
}
