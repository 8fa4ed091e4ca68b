package io.sluice.destination.iotcore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.config.DataSize;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** payload-format: snapshot — one flat object per source and source time, one per lap record. */
@Timeout(30)
class IotSnapshotFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = 1_763_800_000_123_456_789L;
    private static final AssetContext CAR = new AssetContext(Map.of("site", "monza", "car", "ks_porsche"));

    private static IotCoreDestination destination(DataSize maxPayload) {
        var c = IotTestSamples.config("ssl://h:1", "c", "k", null, IotCoreDestinationConfig.PayloadFormat.SNAPSHOT,
                "sim/{connector}");
        return new IotCoreDestination("d", new IotCoreDestinationConfig(c.transport(), c.endpoint(), c.clientId(),
                c.certificate(), c.privateKey(), c.caCertificate(), c.topic(), c.qos(), c.payloadFormat(), c.jsonLayout(), maxPayload,
                c.publishesPerSecond(), c.bytesPerSecond(), c.maxInFlight(), c.windowSamples(), c.keepAlive(),
                c.connectTimeout(), c.publishTimeout(), c.reconnectMinDelay(), c.reconnectMaxDelay()));
    }

    private static OutboundSample sample(String connector, long seq, String tag, Value v, Quality q, long ts, AssetContext a) {
        return new OutboundSample("telemetry", seq, connector, new Sample(tag, v, q, 0, ts, ts + 5_000, null), a);
    }

    private static Value lap(long n, long ms) {
        Map<String, Value> f = new LinkedHashMap<>();
        f.put("lap", Value.of(n));
        f.put("lapTimeMs", Value.of(ms));
        f.put("valid", Value.of(true));
        f.put("sectorTimesMs", new Value.ArrayValue(List.of(Value.of(30_000L), Value.of(40_000L))));
        f.put("car", Value.of("ks_porsche"));
        return new Value.StructValue(f);
    }

    private static List<JsonNode> messages(PackResult r) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (Packet p : r.packets()) out.add(JSON.readTree(((IotCoreDestination.Message) p.body()).payload()));
        return out;
    }

    @Test
    void groupsOneSourcesTagsAtOneTimestampAndSendsEachLapAlone() throws Exception {
        List<OutboundSample> in = new ArrayList<>();
        long seq = 0;
        for (int t = 0; t < 3; t++) {
            long ts = T0 + t * 16_666_667L;
            in.add(sample("acc", seq++, "speedKmh", Value.of(200.5 + t), Quality.GOOD, ts, CAR));
            in.add(sample("acc", seq++, "gear", Value.of(6L), t == 1 ? Quality.UNCERTAIN : Quality.GOOD, ts, CAR));
            in.add(sample("acc", seq++, "ts", Value.of("named like a key"), Quality.GOOD, ts, CAR));
            in.add(sample("plc", seq++, "press.force", Value.of(812.5), Quality.GOOD, ts, AssetContext.EMPTY));
        }
        in.add(sample("acc", seq++, "lap", lap(7, 108_512), Quality.GOOD, T0 + 50_000_000L, CAR));
        PackResult r = destination(DataSize.ofKilobytes(128)).pack(in);
        assertTrue(r.rejected().isEmpty());
        List<JsonNode> m = messages(r);
        assertEquals(7, m.size(), m.toString());
        int samples = 0;
        for (Packet p : r.packets()) samples += p.samples().size();
        assertEquals(in.size(), samples);

        JsonNode acc1 = m.stream().filter(n -> n.path("connector").asText().equals("acc") && n.path("type").asText()
                .equals("snapshot") && n.path("gear").isInt() && n.has("quality")).findFirst().orElseThrow();
        Instant ts1 = Instant.ofEpochSecond(0, T0 + 16_666_667L);
        assertEquals(ts1, Instant.parse(acc1.get("ts").asText()));
        assertEquals(Math.floorDiv(T0 + 16_666_667L, 1_000_000L), acc1.get("epoch_ms").asLong());
        assertEquals(201.5, acc1.get("speedKmh").asDouble());
        assertEquals("named like a key", acc1.get("tag:ts").asText());
        assertEquals("monza", acc1.get("asset").get("site").asText());
        assertEquals("telemetry", acc1.get("stream").asText());
        assertEquals(Map.of("gear", "UNCERTAIN"), JSON.convertValue(acc1.get("quality"), Map.class));
        for (JsonNode n : m) {
            if (!n.get("type").asText().equals("snapshot") || n == acc1) continue;
            assertFalse(n.has("quality"), "all GOOD: no quality map " + n);
        }
        JsonNode plc = m.stream().filter(n -> n.path("connector").asText().equals("plc")).findFirst().orElseThrow();
        assertFalse(plc.has("asset"));

        JsonNode lap = m.stream().filter(n -> n.get("type").asText().equals("lap")).findFirst().orElseThrow();
        assertEquals(7, lap.get("lap").asInt());
        assertEquals(108_512, lap.get("lapTimeMs").asInt());
        assertTrue(lap.get("valid").asBoolean());
        assertEquals(40_000, lap.get("sectorTimesMs").get(1).asInt());
        assertEquals("lap", lap.get("tag").asText());
        assertEquals(Instant.ofEpochSecond(0, T0 + 50_000_000L), Instant.parse(lap.get("ts").asText()));
    }

    @Test
    void aRepeatedTagStartsANewMessageAndALargeSnapshotIsSplitUnderThePayloadLimit() throws Exception {
        List<OutboundSample> in = new ArrayList<>();
        in.add(sample("acc", 0, "rpm", Value.of(7000L), Quality.GOOD, T0, CAR));
        in.add(sample("acc", 1, "rpm", Value.of(7001L), Quality.GOOD, T0, CAR));
        for (int i = 0; i < 400; i++) in.add(sample("acc", 2 + i, "wheel" + i, Value.of(i * 1.5), Quality.GOOD, T0 + 1, CAR));
        PackResult r = destination(DataSize.ofKilobytes(2)).pack(in);
        assertTrue(r.rejected().isEmpty());
        List<JsonNode> m = messages(r);
        List<Integer> rpm = m.stream().filter(n -> n.has("rpm")).map(n -> n.get("rpm").asInt()).toList();
        assertEquals(List.of(7000, 7001), rpm, "one message each, in order (one timestamp: one lane)");
        assertTrue(m.size() > 4, "the 400-tag snapshot split: " + m.size());
        int wheels = 0;
        for (int i = 0; i < r.packets().size(); i++) {
            assertTrue(r.packets().get(i).sizeBytes() <= 2048);
            if (!m.get(i).has("rpm")) {
                assertEquals(Math.floorDiv(T0 + 1, 1_000_000L), m.get(i).get("epoch_ms").asLong());
                wheels += m.get(i).size() - 6; // type, ts, epoch_ms, connector, asset, stream
            }
        }
        assertEquals(400, wheels);
    }
}
