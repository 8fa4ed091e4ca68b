package io.sluice.gateway.greengrass;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GreengrassPubSubDestinationTest {

    private static final long T0 = 1_795_000_000_000_000_000L;
    private final ObjectMapper json = new ObjectMapper();

    private static GreengrassPubSubConfig config(String topic, int maxSamples, DataSize maxSize) {
        return new GreengrassPubSubConfig(topic, GreengrassPubSubConfig.MessageFormat.JSON, maxSamples, maxSize);
    }

    private static OutboundSample sample(String stream, long seq, String tag, Value v) {
        return new OutboundSample(stream, seq, "sim", new Sample(tag, v, Quality.GOOD, 0, T0 + seq, T0 + seq + 5, "degC"),
                new AssetContext(Map.of("site", "hamburg", "machine", "press-3")));
    }

    private GreengrassPubSubDestination destination(GreengrassPubSubConfig config) {
        return new GreengrassPubSubDestination("local", config, () -> {
            throw new AssertionError("packing must not touch IPC");
        });
    }

    @Test
    void packsPerTopicInOrderWithinSampleLimit() throws Exception {
        GreengrassPubSubDestination d = destination(config("sluice/{site}/{stream}", 3, DataSize.ofKilobytes(128)));
        List<OutboundSample> in = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            in.add(sample(i % 2 == 0 ? "telemetry" : "alarms", i, "t" + i, Value.of((long) i)));
        }
        PackResult result = d.pack(in);
        assertTrue(result.rejected().isEmpty());
        Map<String, List<Long>> seqByTopic = new LinkedHashMap<>();
        for (Packet p : result.packets()) {
            assertTrue(p.samples().size() <= 3);
            assertEquals(p.orderingKey(), ((GreengrassPubSubDestination.Message) p.body()).topic());
            p.samples().forEach(s -> seqByTopic.computeIfAbsent(p.orderingKey(), k -> new ArrayList<>()).add(s.sequence()));
            byte[] encoded = ((GreengrassPubSubDestination.Message) p.body()).encoded();
            assertEquals(encoded.length, p.sizeBytes());
            JsonNode tree = json.readTree(encoded);
            assertEquals(p.samples().size(), tree.get("samples").size());
        }
        assertEquals(Map.of("sluice/hamburg/telemetry", List.of(0L, 2L, 4L, 6L), "sluice/hamburg/alarms", List.of(1L, 3L, 5L)),
                seqByTopic);
        // 4 telemetry samples at 3 per message: 2 messages; 3 alarms: 1 message
        assertEquals(2, result.packets().stream().filter(p -> p.orderingKey().endsWith("telemetry")).count());
        assertEquals(1, result.packets().stream().filter(p -> p.orderingKey().endsWith("alarms")).count());
    }

    @Test
    void respectsMessageSizeAndRejectsSamplesThatCanNeverFit() throws Exception {
        GreengrassPubSubDestination d = destination(config("sluice/{stream}", 100, DataSize.ofKilobytes(1)));
        List<OutboundSample> in = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            in.add(sample("telemetry", i, "tag" + i, Value.of("v" + i)));
        }
        in.add(sample("telemetry", 20, "huge", Value.of("x".repeat(2000))));
        PackResult result = d.pack(in);
        assertEquals(1, result.rejected().size());
        assertEquals(20, result.rejected().get(0).sample().sequence());
        assertTrue(result.rejected().get(0).reason().contains("max-message-size"), result.rejected().get(0).reason());
        assertTrue(result.packets().size() > 1);
        long total = 0;
        for (Packet p : result.packets()) {
            assertTrue(p.sizeBytes() <= 1024, "packet of " + p.sizeBytes() + " bytes");
            total += p.samples().size();
        }
        assertEquals(20, total);
    }

    @Test
    void sampleJsonCarriesEveryField() throws Exception {
        GreengrassPubSubDestination d = destination(config("sluice/{stream}", 10, DataSize.ofKilobytes(128)));
        Value struct = new Value.StructValue(Map.of("a", Value.of(1L)));
        PackResult result = d.pack(List.of(
                sample("telemetry", 1, "temp", Value.of(21.5)),
                sample("telemetry", 2, "nan", Value.of(Double.NaN)),
                sample("telemetry", 3, "raw", Value.of(new byte[] {1, 2})),
                sample("telemetry", 4, "s", struct)));
        JsonNode samples = json.readTree(((GreengrassPubSubDestination.Message) result.packets().get(0).body()).encoded()).get("samples");
        JsonNode first = samples.get(0);
        assertEquals("telemetry", first.get("stream").asText());
        assertEquals(1, first.get("seq").asLong());
        assertEquals("sim", first.get("connector").asText());
        assertEquals("temp", first.get("tag").asText());
        assertEquals("float", first.get("type").asText());
        assertEquals(21.5, first.get("value").asDouble());
        assertEquals("GOOD", first.get("quality").asText());
        assertEquals("degC", first.get("unit").asText());
        assertEquals(Sample.toInstant(T0 + 1).toString(), first.get("source_time").asText());
        assertEquals(0, first.get("status").asInt());
        assertEquals(Sample.toInstant(T0 + 6).toString(), first.get("receive_time").asText());
        assertEquals("hamburg", first.get("asset").get("site").asText());
        assertEquals("NaN", samples.get(1).get("value").asText());
        assertEquals("AQI=", samples.get(2).get("value").asText());
        assertEquals(1, samples.get(3).get("value").get("a").asLong());
    }

    @Test
    void validationNamesTheKey() {
        GreengrassPubSubDestinationFactory f = new GreengrassPubSubDestinationFactory();
        List<String> problems = new ArrayList<>();
        f.validate(config("sluice/+/{stream}", 10, DataSize.ofKilobytes(128)), (k, m) -> problems.add(k + ": " + m));
        f.validate(config("/sluice/{stream}", 10, DataSize.ofKilobytes(128)), (k, m) -> problems.add(k + ": " + m));
        f.validate(config("sluice/{stream}", 10, DataSize.ofMegabytes(64)), (k, m) -> problems.add(k + ": " + m));
        f.validate(config("sluice/{stream}", 10, DataSize.ofKilobytes(128)), (k, m) -> problems.add(k + ": " + m));
        f.validate(config("sluice/{stream", 10, DataSize.ofKilobytes(128)), (k, m) -> problems.add(k + ": " + m));
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.get(3).startsWith("topic: expected a topic template"), problems.get(3));
        assertTrue(problems.get(0).startsWith("topic: ") && problems.get(0).contains("wildcards"));
        assertTrue(problems.get(1).startsWith("topic: "));
        assertTrue(problems.get(2).startsWith("max-message-size: "));
    }
}
