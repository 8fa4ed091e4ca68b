package io.sluice.destination.kinesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.kinesis.KinesisEmulator;
import io.sluice.samplejson.DecodedSample;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.config.DataSize;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kinesis destination against the kinesis-local emulator, driven at destination level (pack, then sendAsync
 * in calls of at most 500 records, as the publisher does). Credentials come from the SDK's default chain, set
 * through the {@code aws.accessKeyId} / {@code aws.secretAccessKey} system properties.
 */
class KinesisDestinationIT {

    @TempDir
    static Path dir;
    static KinesisEmulator emulator;
    static KinesisReadBack reader;

    @BeforeAll
    static void startEmulator() throws Exception {
        emulator = KinesisReadBack.startEmulator(dir);
        reader = new KinesisReadBack(emulator);
    }

    @AfterAll
    static void stopEmulator() {
        KinesisReadBack.stop(reader, emulator);
    }

    private KinesisDestination destination(KinesisDestinationConfig config) {
        KinesisDestination d = new KinesisDestination("it", config);
        d.connect();
        return d;
    }

    @Test
    void everySampleReadBackExactlyOnceInPerKeyOrder() throws Exception {
        reader.createStream("plant", 3);
        List<OutboundSample> telemetry = KinesisTestSamples.floats("telemetry", 12_000, 12, 1);
        List<OutboundSample> alarms = KinesisTestSamples.floats("alarms", 3_000, 4, 1);
        List<OutboundSample> all = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            all.addAll(alarms.subList(i * 200, i * 200 + 200));
            all.addAll(telemetry.subList(i * 800, i * 800 + 800));
        }
        try (KinesisDestination d = destination(KinesisTestSamples.config("plant", Optional.of(emulator.endpoint().toString())))) {
            for (int from = 0; from < all.size(); from += 2500) {
                PackResult packed = d.pack(all.subList(from, Math.min(all.size(), from + 2500)));
                assertTrue(packed.rejected().isEmpty());
                sendAll(d, packed.packets());
            }
        }
        Map<String, Long> lastSeqPerKey = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (KinesisReadBack.ReadRecord r : reader.readAll("plant")) {
            for (DecodedSample s : r.samples()) {
                assertTrue(seen.add(s.stream() + "#" + s.sequence()), "duplicate " + s.stream() + "#" + s.sequence());
                assertEquals(r.partitionKey(), s.connector() + "/" + s.sample().tag());
                String key = s.stream() + "/" + r.partitionKey();
                Long last = lastSeqPerKey.put(key, s.sequence());
                assertTrue(last == null || last < s.sequence(), "order broken for " + key);
            }
        }
        assertEquals(all.size(), seen.size());
        for (OutboundSample s : all) assertTrue(seen.contains(s.stream() + "#" + s.sequence()));
    }

    /**
     * kinesis-local fails single records of a PutRecords call (FailedRecordCount > 0, error code
     * InvalidArgumentException) when a record is larger than the stream's max record size (1 MiB by default). The
     * destination is configured for 3 MiB records, so the big record fails and the small ones pass; after the stream's
     * limit is raised (UpdateMaxRecordSize), only the failed record is sent again, and every sample is there once.
     */
    @Test
    void onlyFailedRecordsAreResent() throws Exception {
        reader.createStream("partial", 1);
        KinesisDestinationConfig config = KinesisTestSamples.withRecordSize(
                KinesisTestSamples.config("partial", Optional.of(emulator.endpoint().toString())),
                DataSize.ofMegabytes(3), KinesisDestinationConfig.Compression.NONE);
        List<OutboundSample> in = new ArrayList<>(KinesisTestSamples.floats("telemetry", 40, 2, 0));
        for (int i = 0; i < 3; i++) {
            in.add(new OutboundSample("telemetry", 100 + i, "sim", new Sample("blob", Value.of("b".repeat(500_000)),
                    Quality.GOOD, 0, i, i, null), KinesisTestSamples.ASSET));
        }
        try (KinesisDestination d = destination(config)) {
            List<Packet> packets = d.pack(in).packets();
            assertEquals(3, packets.size());
            List<PacketOutcome> first = d.sendAsync(packets).get(60, TimeUnit.SECONDS);
            assertInstanceOf(PacketOutcome.Delivered.class, first.get(0));
            assertInstanceOf(PacketOutcome.Delivered.class, first.get(1));
            PacketOutcome.Retry failed = assertInstanceOf(PacketOutcome.Retry.class, first.get(2));
            assertTrue(failed.reason().startsWith("InvalidArgumentException"), failed.reason());
            assertEquals(2, reader.readAll("partial").size(), "the two good records are stored");

            String arn = streamArn("partial");
            reader.client.updateMaxRecordSize(b -> b.streamARN(arn).maxRecordSizeInKiB(4096))
                    .get(30, TimeUnit.SECONDS);
            List<PacketOutcome> retried = d.sendAsync(List.of(packets.get(2))).get(60, TimeUnit.SECONDS);
            assertEquals(1, retried.size());
            assertInstanceOf(PacketOutcome.Delivered.class, retried.get(0));
        }
        List<KinesisReadBack.ReadRecord> records = reader.readAll("partial");
        assertEquals(3, records.size());
        List<Long> seqs = records.stream().flatMap(r -> r.samples().stream()).map(DecodedSample::sequence).sorted().toList();
        assertEquals(in.stream().map(OutboundSample::sequence).sorted().toList(), seqs, "every sample exactly once");
    }

    @Test
    void missingStreamFailsTheCallAsRetryable() throws Exception {
        try (KinesisDestination d = destination(KinesisTestSamples.config("no-such-stream", Optional.of(emulator.endpoint().toString())))) {
            var packets = d.pack(KinesisTestSamples.floats("s", 3, 1, 0)).packets();
            var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> d.sendAsync(packets).get(60, TimeUnit.SECONDS));
            var se = assertInstanceOf(io.sluice.spi.SluiceException.class, e.getCause());
            assertTrue(se.retryable());
            assertTrue(se.getMessage().contains("ResourceNotFoundException"), se.getMessage());
        }
    }

    @Test
    void theProbeFindsAnActiveStreamAndNamesAMissingOne() throws Exception {
        reader.createStream("probed", 2);
        try (KinesisDestination d = destination(KinesisTestSamples.config("probed", Optional.of(emulator.endpoint().toString())))) {
            String found = d.probeAsync().get(60, TimeUnit.SECONDS);
            assertTrue(found.startsWith("stream probed ACTIVE, 2 open shards"), found);
        }
        try (KinesisDestination d = destination(KinesisTestSamples.config("no-such-stream", Optional.of(emulator.endpoint().toString())))) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> d.probeAsync().get(60, TimeUnit.SECONDS));
            var se = assertInstanceOf(io.sluice.spi.SluiceException.class, e.getCause());
            assertTrue(se.getMessage().contains("DescribeStreamSummary of stream no-such-stream failed: ResourceNotFoundException"), se.getMessage());
        }
    }

    private String streamArn(String name) throws Exception {
        return reader.client.describeStreamSummary(b -> b.streamName(name)).get(30, TimeUnit.SECONDS)
                .streamDescriptionSummary().streamARN();
    }

    /** Sends packets as the publisher would: ≤ 500 per call, one packet per partition key per call. */
    private static void sendAll(KinesisDestination d, List<Packet> packets) throws Exception {
        List<Packet> pending = new ArrayList<>(packets);
        while (!pending.isEmpty()) {
            List<Packet> call = new ArrayList<>();
            Set<String> keys = new HashSet<>();
            List<Packet> later = new ArrayList<>();
            for (Packet p : pending) {
                if (call.size() < 500 && keys.add(p.orderingKey())) call.add(p);
                else later.add(p);
            }
            List<PacketOutcome> outcomes = d.sendAsync(call).get(60, TimeUnit.SECONDS);
            for (PacketOutcome o : outcomes) assertInstanceOf(PacketOutcome.Delivered.class, o);
            pending = later;
        }
    }
}
