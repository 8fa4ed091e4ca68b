package io.sluice.destination.kinesis;

import io.sluice.samplejson.DecodedSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import io.sluice.rigs.kinesis.KinesisEmulator;
import io.sluice.rigs.kinesis.KinesisTestStreams;

/** A plain SDK consumer for the tests: creates streams and reads every record back with GetRecords. */
final class KinesisReadBack implements AutoCloseable {

    /**
     * One record as read: its shard, partition key, unpacked samples, the emulator's arrival time and its size as the
     * shard quota counts it (data plus partition key).
     */
    record ReadRecord(String shardId, String partitionKey, List<DecodedSample> samples, java.time.Instant arrival,
                      long bytes) {}

    /** One record as the service returned it, with its shard. */
    record RawRecord(String shardId, Record record) {}

    final KinesisAsyncClient client;

    KinesisReadBack(KinesisEmulator emulator) {
        // The SDK's CBOR parser fails on GetRecords responses with records over ~1 MB from kinesis-local; the reader
        // uses JSON (the property is read when the client is built, so the destination's own client keeps CBOR).
        String before = System.getProperty("aws.cborEnabled");
        System.setProperty("aws.cborEnabled", "false");
        try {
            client = KinesisTestStreams.client(emulator);
        } finally {
            if (before == null) System.clearProperty("aws.cborEnabled");
            else System.setProperty("aws.cborEnabled", before);
        }
    }

    /** Starts kinesis-local in {@code dir} with the SDK's default credential chain pointed at it. */
    static KinesisEmulator startEmulator(Path dir) throws IOException {
        return KinesisTestStreams.startEmulator(dir);
    }

    /** Closes the reader, then the emulator; either may be null (a start that failed). */
    static void stop(KinesisReadBack reader, KinesisEmulator emulator) {
        if (reader != null) reader.close();
        if (emulator != null) emulator.close();
    }

    void createStream(String name, int shards) throws Exception {
        KinesisTestStreams.create(client, name, shards);
    }

    /** Every record of every shard, each shard read from TRIM_HORIZON to its end, shard by shard. */
    List<ReadRecord> readAll(String stream) throws Exception {
        return readAll(stream, 1000);
    }

    /** As {@link #readAll(String)}, at most {@code limit} records per GetRecords (large records: keep responses small). */
    List<ReadRecord> readAll(String stream, int limit) throws Exception {
        List<ReadRecord> out = new ArrayList<>();
        for (RawRecord raw : readRaw(stream, limit)) {
            Record rec = raw.record();
            byte[] data = rec.data().asByteArray();
            out.add(new ReadRecord(raw.shardId(), rec.partitionKey(), SampleRecordFormat.decode(data),
                    rec.approximateArrivalTimestamp(),
                    data.length + rec.partitionKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
        }
        return out;
    }

    /** Every record of every shard as the service returns it, shard by shard. */
    List<RawRecord> readRaw(String stream) throws Exception {
        return readRaw(stream, 1000);
    }

    /** As {@link #readRaw(String)}, at most {@code limit} records per GetRecords. */
    List<RawRecord> readRaw(String stream, int limit) throws Exception {
        List<RawRecord> out = new ArrayList<>();
        List<Shard> shards = client.listShards(b -> b.streamName(stream)).get(30, TimeUnit.SECONDS).shards();
        for (Shard shard : shards) {
            String iterator = client.getShardIterator(b -> b.streamName(stream).shardId(shard.shardId())
                    .shardIteratorType("TRIM_HORIZON")).get(30, TimeUnit.SECONDS).shardIterator();
            for (int round = 0; round < 10_000 && iterator != null; round++) {
                String it = iterator;
                GetRecordsResponse r = client.getRecords(b -> b.shardIterator(it).limit(limit)).get(30, TimeUnit.SECONDS);
                for (Record rec : r.records()) out.add(new RawRecord(shard.shardId(), rec));
                iterator = r.nextShardIterator();
                if (r.records().isEmpty() && (r.millisBehindLatest() == null || r.millisBehindLatest() == 0)) break;
            }
        }
        return out;
    }

    @Override
    public void close() {
        client.close();
    }
}
