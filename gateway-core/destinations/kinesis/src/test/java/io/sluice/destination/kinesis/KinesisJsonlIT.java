package io.sluice.destination.kinesis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.rigs.kinesis.KinesisEmulator;
import io.sluice.rigs.readers.PythonFlatReader;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * record-format: jsonl end to end: simulator samples and lap records (shaped as the simmem lap tracker emits them,
 * appended to the store) -> publisher -> Kinesis destination -> kinesis-local. GetRecords reads the records; their
 * data, concatenated as Firehose writes an S3 object, goes to the standard-library Python reader of docs/readers (no
 * Sluice code), which must find every sample with ISO and epoch times that agree and lie within the run.
 */
class KinesisJsonlIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static KinesisEmulator emulator;
    static KinesisReadBack reader;

    @BeforeAll
    static void start() throws Exception {
        emulator = KinesisReadBack.startEmulator(dir);
        reader = new KinesisReadBack(emulator);
    }

    @AfterAll
    static void stop() {
        KinesisReadBack.stop(reader, emulator);
    }

    @Test
    void aPlainReaderFindsEverySampleAndLapRecordWithAbsoluteTimes() throws Exception {
        long startMs = System.currentTimeMillis();
        reader.createStream("plant-flat", 2);
        GatewayConfig config = ConfigLoader.parse("""
                connectors:
                  press:
                    type: simulator
                    stream: telemetry
                    asset: {site: hamburg, machine: press-3}
                    interval: 1ms
                    limit: 10000
                    tags: [{name: c, kind: counter, count: 10}]
                streams:
                  telemetry: {export: [{destination: cloud}]}
                  laps: {export: [{destination: cloud}]}
                destinations:
                  cloud:
                    type: kinesis
                    stream-name: plant-flat
                    region: us-east-1
                    endpoint-override: %s
                    shard-count: 2
                    record-format: jsonl
                    max-record-size: 64KB
                """.formatted(emulator.endpoint()), "kinesis-jsonl-it.yaml");
        List<Long> lapTimes = new ArrayList<>();
        try (Gateway gateway = Gateway.start(config, dir.resolve("data"))) {
            List<Sample> laps = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                long t = (startMs + n * 1000L) * 1_000_000L + 654_321L;
                lapTimes.add(Math.floorDiv(t, 1_000_000L));
                Map<String, Value> f = new LinkedHashMap<>();
                f.put("lap", Value.of((long) n));
                f.put("lapTimeMs", Value.of(100_000L + n));
                f.put("valid", Value.of(n != 2));
                f.put("bestLap", Value.of(1L));
                f.put("bestLapTimeMs", Value.of(100_001L));
                laps.add(new Sample("lap", new Value.StructValue(f), Quality.GOOD, 0, t, t, null));
            }
            gateway.store().append("laps", "acc", laps, null).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> gateway.store().cursor("telemetry", "cloud") >= 10_000
                            && gateway.store().cursor("laps", "cloud") >= 3);
        }
        long endMs = System.currentTimeMillis();

        ByteArrayOutputStream objectData = new ByteArrayOutputStream();
        int records = 0;
        for (KinesisReadBack.RawRecord r : reader.readRaw("plant-flat")) {
            byte[] data = r.record().data().asByteArray();
            assertTrue(data.length > 0 && data[data.length - 1] == '\n', "a record ends with a line end");
            assertTrue(data.length + r.record().partitionKey().length() <= 64 * 1024);
            objectData.write(data);
            records++;
        }
        Path file = dir.resolve("firehose-object.jsonl");
        Files.write(file, objectData.toByteArray());
        List<String> read = PythonFlatReader.read("kinesis", file);

        Set<String> seqs = new HashSet<>();
        Map<String, Set<Long>> values = new HashMap<>();
        List<JsonNode> lapsRead = new ArrayList<>();
        for (String line : read) {
            JsonNode s = JSON.readTree(line);
            assertTrue(seqs.add(s.get("stream").asText() + "#" + s.get("seq").asLong()), "duplicate " + line);
            if (s.get("stream").asText().equals("laps")) {
                lapsRead.add(s);
                continue;
            }
            long ms = s.get("epoch_ms").asLong();
            assertTrue(ms >= startMs - 1 && ms <= endMs, "absolute time within the run: " + line);
            assertEquals("press-3", s.get("asset").get("machine").asText());
            values.computeIfAbsent(s.get("tag").asText(), k -> new HashSet<>()).add(s.get("value").asLong());
        }
        assertEquals(10, values.size(), values.keySet().toString());
        for (var e : values.entrySet()) {
            assertEquals(1000, e.getValue().size(), e.getKey());
            for (long v = 0; v < 1000; v++) assertTrue(e.getValue().contains(v), e.getKey() + " value " + v);
        }
        assertTrue(records > 10, "several records per partition key at 64 KB: " + records);
        assertEquals(3, lapsRead.size());
        lapsRead.sort((a, b) -> Long.compare(a.get("value").get("lap").asLong(), b.get("value").get("lap").asLong()));
        for (int i = 0; i < 3; i++) {
            JsonNode l = lapsRead.get(i);
            assertEquals(lapTimes.get(i), l.get("epoch_ms").asLong());
            assertEquals(100_001L + i, l.get("value").get("lapTimeMs").asLong());
            assertEquals(i != 1, l.get("value").get("valid").asBoolean());
            assertEquals("acc", l.get("connector").asText());
        }
    }
}
