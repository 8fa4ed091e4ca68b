package io.sluice.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.destination.kinesis.SampleRecordFormat;
import io.sluice.samplejson.DecodedSample;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** Reads back what the destinations wrote: the file destination's JSON Lines and the Kinesis stream's records. */
final class OutputReaders {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OutputReaders() {}

    /**
     * Reads every line of the file destination into the ledger and returns the number of broken lines: lines that
     * are not one whole JSON object with stream, seq, tag and an integer value (a cut-off write, two records run
     * together), including a last line without its newline.
     *
     * @param lifeStartOffsets output bytes at the start of each gateway life (index = life), ascending
     */
    static long readFileOutput(FileOutput output, String destination, List<Long> lifeStartOffsets, Ledger ledger)
            throws IOException {
        return readFileOutput(output, destination, lifeStartOffsets, ledger, b -> { });
    }

    /** A line of the file output that is not one whole record. */
    record BrokenLine(Path file, long lineNumber, int life, String excerpt) {}

    /** As above, and tells {@code brokenLines} about each broken line. */
    static long readFileOutput(FileOutput output, String destination, List<Long> lifeStartOffsets, Ledger ledger,
                               java.util.function.Consumer<BrokenLine> brokenLines) throws IOException {
        long broken = 0;
        long base = 0;
        for (Path file : output.files()) {
            byte[] bytes = Files.readAllBytes(file);
            int start = 0;
            long lineNumber = 0;
            while (start < bytes.length) {
                lineNumber++;
                int end = start;
                while (end < bytes.length && bytes[end] != '\n') end++;
                boolean terminated = end < bytes.length;
                String line = new String(bytes, start, end - start, StandardCharsets.UTF_8);
                int life = lifeAt(lifeStartOffsets, base + start);
                if (!terminated || !recordLine(line, destination, life, ledger)) {
                    broken++;
                    String excerpt = line.length() <= 240 ? line : line.substring(0, 120) + " ... " + line.substring(line.length() - 120);
                    brokenLines.accept(new BrokenLine(file, lineNumber, life, excerpt + (terminated ? "" : " <no newline>")));
                }
                start = end + 1;
            }
            base += bytes.length;
        }
        return broken;
    }

    private static boolean recordLine(String line, String destination, int life, Ledger ledger) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            return false;
        }
        if (n == null || !n.isObject() || !n.path("seq").isIntegralNumber() || !n.path("value").isIntegralNumber()
                || !n.path("stream").isTextual() || !n.path("tag").isTextual() || !n.path("source_time").isTextual()) {
            return false;
        }
        long sourceNanos;
        try {
            sourceNanos = Sample.toNanos(Instant.parse(n.path("source_time").asText()));
        } catch (RuntimeException e) {
            return false;
        }
        ledger.record(destination, life, n.path("stream").asText(), n.path("seq").asLong(), n.path("tag").asText(),
                n.path("value").asLong(), sourceNanos);
        return true;
    }

    /**
     * One GetRecords call, tried up to five times with a halved limit after each failure (kinesis-local, busy, has
     * answered large reads with a timeout or a response the SDK could not parse).
     */
    private static GetRecordsResponse getRecords(KinesisAsyncClient client, String iterator) throws Exception {
        int limit = 1_000;
        Exception last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int l = limit;
            try {
                return client.getRecords(b -> b.shardIterator(iterator).limit(l)).get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                last = e;
                limit = Math.max(10, limit / 2);
                Thread.sleep(1_000);
            }
        }
        throw last;
    }

    static int lifeAt(List<Long> lifeStarts, long position) {
        int life = 0;
        for (int i = 0; i < lifeStarts.size(); i++) if (lifeStarts.get(i) <= position) life = i;
        return life;
    }

    /** What reading the Kinesis stream found. */
    record KinesisRead(long records, long samples, long undecodable) {}

    /**
     * Reads every record of every shard from the start, decodes it with the project's record format reader and
     * enters each sample into the ledger; the life of a record is found from the soak's markers.
     */
    static KinesisRead readKinesis(KinesisAsyncClient client, String streamName, String destination,
                                   KinesisMarks marks, Ledger ledger, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Shard> shards = client.listShards(b -> b.streamName(streamName)).get(30, TimeUnit.SECONDS).shards();
        long records = 0, samples = 0, undecodable = 0;
        for (Shard shard : shards) {
            String iterator = client.getShardIterator(b -> b.streamName(streamName).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).get(30, TimeUnit.SECONDS).shardIterator();
            int emptyInARow = 0;
            while (iterator != null && emptyInARow < 3) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("reading Kinesis took longer than " + timeout);
                GetRecordsResponse r = getRecords(client, iterator);
                emptyInARow = r.records().isEmpty() && (r.millisBehindLatest() == null || r.millisBehindLatest() == 0)
                        ? emptyInARow + 1 : 0;
                for (Record rec : r.records()) {
                    byte[] bytes = rec.data().asByteArray();
                    if (KinesisMarks.isMarker(bytes)) continue;
                    records++;
                    int life = marks.lifeOf(shard.shardId(), rec.sequenceNumber());
                    List<DecodedSample> decoded;
                    try {
                        decoded = SampleRecordFormat.decode(bytes);
                    } catch (RuntimeException e) {
                        undecodable++;
                        continue;
                    }
                    for (DecodedSample d : decoded) {
                        if (!(d.sample().value() instanceof Value.IntValue v)) {
                            undecodable++;
                            continue;
                        }
                        samples++;
                        ledger.record(destination, life, d.stream(), d.sequence(), d.sample().tag(), v.value(),
                                d.sample().sourceTimeNanos());
                    }
                }
                iterator = r.nextShardIterator();
            }
        }
        return new KinesisRead(records, samples, undecodable);
    }
}
