package io.sluice.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.RunningGateway;
import io.sluice.destination.kinesis.SampleRecordFormat;
import io.sluice.rigs.kinesis.KinesisEmulator;
import io.sluice.rigs.kinesis.KinesisTestStreams;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.samplejson.DecodedSample;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * {@code sluice streams trace} on a gateway delivering one stream to kinesis-local and to the file destination, with
 * one sample too large for a Kinesis record (dead-lettered): asked through the running gateway's admin endpoint and
 * then on the stopped data directory. The receipts are checked against the peers themselves: the record at the
 * traced shard and sequence number is read back from kinesis-local with GetRecords, and the bytes at the traced file
 * offset are read from the file.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StreamTraceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SAMPLES = 50;
    private static final long BIG = 20; // the sequence of the sample too large for a record

    @TempDir
    static Path dir;
    static KinesisEmulator emulator;
    static KinesisAsyncClient kinesis;

    @BeforeAll
    static void start() throws Exception {
        emulator = KinesisTestStreams.startEmulator(dir);
        kinesis = KinesisTestStreams.client(emulator);
        KinesisTestStreams.create(kinesis, "traced", 2);
    }

    @AfterAll
    static void stop() {
        if (kinesis != null) kinesis.close();
        if (emulator != null) emulator.close();
    }

    private static void await(BooleanSupplier condition, String what) {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(condition::getAsBoolean);
    }

    /** Text that gzip cannot shrink below a 2 KB record (records may be compressed). */
    private static String incompressible(int chars) {
        java.util.Random random = new java.util.Random(19);
        StringBuilder sb = new StringBuilder(chars);
        for (int i = 0; i < chars; i++) sb.append((char) ('!' + random.nextInt(90)));
        return sb.toString();
    }

    private static JsonNode destination(JsonNode trace, String name) {
        for (JsonNode d : trace.path("destinations")) if (d.path("name").asText().equals(name)) return d;
        throw new AssertionError("no destination " + name + " in " + trace);
    }

    private static JsonNode traceJson(String data, long sequence) throws Exception {
        InProcessCli.Result r = InProcessCli.run("streams", "trace", "telemetry", String.valueOf(sequence), "--json", "--data", data);
        assertEquals(0, r.exit(), r.err());
        return JSON.readTree(r.out());
    }

    /** The samples of the record at exactly {@code sequenceNumber} of {@code shard}, read back from kinesis-local. */
    private static Record recordAt(String shard, String sequenceNumber) throws Exception {
        String iterator = kinesis.getShardIterator(b -> b.streamName("traced").shardId(shard)
                .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER).startingSequenceNumber(sequenceNumber))
                .get(30, TimeUnit.SECONDS).shardIterator();
        GetRecordsResponse records = kinesis.getRecords(b -> b.shardIterator(iterator).limit(1)).get(30, TimeUnit.SECONDS);
        assertFalse(records.records().isEmpty(), "a record at " + shard + " / " + sequenceNumber);
        return records.records().get(0);
    }

    @Test
    void traceShowsTheShardAndSequenceNumberKinesisReturnedTheFileOffsetAndTheDeadLetterReason() throws Exception {
        Path data = dir.resolve("data");
        Path out = dir.resolve("out");
        GatewayConfig config = ConfigLoader.parse("""
                admin: {listen: "127.0.0.1:0", auth: token}
                streams:
                  telemetry:
                    keep-delivered: 1h
                    export: [{destination: cloud}, {destination: files}]
                destinations:
                  cloud:
                    type: kinesis
                    stream-name: traced
                    region: us-east-1
                    endpoint-override: %s
                    shard-count: 2
                    max-record-size: 2KB
                  files: {type: file, directory: "%s"}
                """.formatted(emulator.endpoint(), out.toString().replace("\\", "/")), "trace-it.yaml");
        String d = data.toString();
        try (RunningGateway running = RunningGateway.start(config, data)) {
            long now = System.currentTimeMillis() * 1_000_000L;
            List<Sample> samples = new ArrayList<>();
            for (int i = 0; i < SAMPLES; i++) {
                Value v = i == BIG ? Value.of(incompressible(20_000)) : Value.of((long) i);
                samples.add(Sample.good("line1.t" + (i % 3), v, now + i));
            }
            Durations.await(running.gateway().store().append("telemetry", "plc", samples, null), Duration.ofSeconds(10));
            await(() -> running.gateway().store().cursor("telemetry", "cloud") == SAMPLES
                    && running.gateway().store().cursor("telemetry", "files") == SAMPLES, "both destinations passed every sample");
            assertTrue(Files.exists(data.resolve("admin.json")), "the CLI asks the admin endpoint");

            // Kinesis: the record at the traced shard and sequence number holds the sample
            JsonNode trace = traceJson(d, 7);
            assertTrue(trace.path("stored").asBoolean(), trace.toString());
            assertEquals("line1.t1", trace.path("tag").asText());
            assertFalse(trace.path("receivedAt").asText().isEmpty());
            JsonNode cloud = destination(trace, "cloud");
            assertEquals("delivered", cloud.path("verdict").asText(), trace.toString());
            JsonNode receipt = cloud.path("deliveries").get(0).path("receipt");
            assertEquals("kinesis", receipt.path("kind").asText());
            String shard = receipt.path("shard-id").asText();
            String sequenceNumber = receipt.path("sequence-number").asText();
            assertTrue(shard.startsWith("shardId-"), receipt.toString());
            Record record = recordAt(shard, sequenceNumber);
            assertEquals(sequenceNumber, record.sequenceNumber());
            List<DecodedSample> decoded = SampleRecordFormat.decode(record.data().asByteArray());
            assertTrue(decoded.stream().anyMatch(s -> s.stream().equals("telemetry") && s.sequence() == 7
                    && s.sample().tag().equals("line1.t1")), "sample 7 is in the record kinesis-local holds there: " + decoded);

            // file: the bytes at the traced offset are the lines holding the sample
            JsonNode files = destination(trace, "files");
            assertEquals("delivered", files.path("verdict").asText(), trace.toString());
            JsonNode fileReceipt = files.path("deliveries").get(0).path("receipt");
            assertEquals("file", fileReceipt.path("kind").asText());
            byte[] content = Files.readAllBytes(out.resolve(fileReceipt.path("file").asText()));
            int offset = fileReceipt.path("offset").asInt();
            int length = fileReceipt.path("length").asInt();
            assertTrue(offset == 0 || content[offset - 1] == '\n', "the offset starts a line");
            String lines = new String(Arrays.copyOfRange(content, offset, offset + length), StandardCharsets.UTF_8);
            assertTrue(lines.endsWith("\n"), lines);
            boolean found = false;
            for (String line : lines.split("\n")) {
                JsonNode n = JSON.readTree(line);
                if (n.path("seq").asLong() == 7 && n.path("stream").asText().equals("telemetry")) found = true;
            }
            assertTrue(found, "sample 7 in the lines at the traced offset: " + lines);

            // the sample too large for a Kinesis record: dead-lettered with the reason, delivered to the file
            JsonNode big = traceJson(d, BIG);
            JsonNode bigCloud = destination(big, "cloud");
            assertEquals("dead-lettered", bigCloud.path("verdict").asText(), big.toString());
            JsonNode dead = bigCloud.path("deadLetters").get(0);
            assertEquals("cloud-dead-letter", dead.path("stream").asText());
            assertTrue(dead.path("reason").asText().contains("record size limit"), dead.toString());
            assertEquals(0, dead.path("sequence").asLong(), "the first dead letter of the stream");
            assertEquals("delivered", destination(big, "files").path("verdict").asText(), big.toString());
        }

        // the stopped data directory answers the same, printed for a person
        InProcessCli.Result offline = InProcessCli.run("streams", "trace", "telemetry", "7", "--data", d);
        assertEquals(0, offline.exit(), offline.err());
        assertTrue(offline.out().contains("destination cloud: delivered (cursor " + SAMPLES + ")"), offline.out());
        assertTrue(offline.out().contains("receipt: kinesis shard-id=shardId-"), offline.out());
        assertTrue(offline.out().contains("destination files: delivered"), offline.out());
        InProcessCli.Result offlineBig = InProcessCli.run("streams", "trace", "telemetry", String.valueOf(BIG), "--data", d);
        assertTrue(offlineBig.out().contains("dead-lettered to cloud-dead-letter sequence 0: "), offlineBig.out());
        InProcessCli.Result unwritten = InProcessCli.run("streams", "trace", "telemetry", "999", "--data", d);
        assertEquals(1, unwritten.exit(), unwritten.out());
        unwritten.assertOneLine("999 has not been written");
    }
}
