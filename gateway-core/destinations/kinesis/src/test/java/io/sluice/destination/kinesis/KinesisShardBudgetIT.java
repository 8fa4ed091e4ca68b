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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-shard budget against kinesis-local, which (like the other emulators) never throttles: the records' arrival
 * times as the emulator stamped them (GetRecords' ApproximateArrivalTimestamp) show what each shard got per second.
 *
 * <p>The backlog case: the destination starts with a whole backlog already in the store (as after an outage), and
 * windows are packed and sent as fast as the calls are answered, from two threads at once with disjoint keys (the
 * publisher may send calls concurrently). For every shard and every one-second window starting at a record's arrival
 * the test sums records and bytes (data + partition key) and asserts at most one shard quota. Tolerance: none on the
 * quota itself; the emulator stamps arrivals in milliseconds when it handles the request, so the destination's
 * 50 ms guard (a 1.05 s budget window) absorbs the difference between send and stamp times.
 */
@Timeout(180)
class KinesisShardBudgetIT {

    private static final long MIB = 1024 * 1024;

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

    /** Bytes bind: 4,000 samples of 1.5 kB strings (uncompressed, ~6 MB of records) on one shard. */
    @Test
    void aOneShardStreamGetsAtMostOneMibPerSecondWhileABacklogDrains() throws Exception {
        reader.createStream("one-shard", 1);
        List<OutboundSample> backlog = strings(4000, 40);
        List<KinesisReadBack.ReadRecord> records = drain(uncompressed("one-shard"), backlog, 1000, 1);
        long totalBytes = records.stream().mapToLong(KinesisReadBack.ReadRecord::bytes).sum();
        assertTrue(totalBytes > 4 * MIB, "the backlog is several shard-seconds: " + totalBytes);
        assertWithinQuota(records);
    }

    /**
     * Two shards, two senders at once: each shard keeps its own quota. (The records quota, 1,000 a second, is left to
     * ShardBudgetTest: kinesis-local stores only about 500 small records a second here, so it never binds.)
     */
    @Test
    void aTwoShardStreamGivesEachShardItsOwnQuota() throws Exception {
        reader.createStream("two-shards", 2);
        List<OutboundSample> backlog = strings(7000, 80);
        List<KinesisReadBack.ReadRecord> records = drain(uncompressed("two-shards"), backlog, 2000, 2);
        Map<String, Long> perShard = new HashMap<>();
        for (KinesisReadBack.ReadRecord r : records) perShard.merge(r.shardId(), r.bytes(), Long::sum);
        assertEquals(2, perShard.size(), "both shards used: " + perShard);
        for (long bytes : perShard.values()) assertTrue(bytes > 2 * MIB, "several shard-seconds each: " + perShard);
        assertWithinQuota(records);
    }

    /** {@code n} samples of 1.5 kB strings over {@code tags} tags (keys). */
    private static List<OutboundSample> strings(int n, int tags) {
        List<OutboundSample> backlog = new ArrayList<>();
        String text = "x".repeat(1500);
        for (int i = 0; i < n; i++) {
            Sample s = new Sample("tag-" + (i % tags), Value.of(text + i), Quality.GOOD, 0, KinesisTestSamples.T0 + i,
                    KinesisTestSamples.T0 + i, null);
            backlog.add(new OutboundSample("telemetry", i, "sim", s, KinesisTestSamples.ASSET));
        }
        return backlog;
    }

    private static KinesisDestinationConfig uncompressed(String stream) {
        return KinesisTestSamples.withRecordSize(KinesisTestSamples.config(stream, Optional.of(emulator.endpoint().toString())),
                DataSize.ofMegabytes(1), KinesisDestinationConfig.Compression.NONE);
    }

    /**
     * Packs windows of the backlog and sends them as the publisher does (at most 500 records a call, one packet per
     * key in flight), {@code threads} senders at once over disjoint keys; then checks every sample arrived exactly
     * once, in per-key order, on the shard the destination's shard map (from ListShards) predicted.
     */
    private List<KinesisReadBack.ReadRecord> drain(KinesisDestinationConfig config, List<OutboundSample> backlog,
                                                   int window, int threads) throws Exception {
        try (KinesisDestination d = new KinesisDestination("it", config)) {
            d.connect();
            org.awaitility.Awaitility.await("ListShards answered").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50)).until(() -> d.shardMap().listed());
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int part = t;
                List<OutboundSample> mine = backlog.stream()
                        .filter(s -> Math.floorMod(d.partitionKey(s).hashCode(), threads) == part).toList();
                senders.add(CompletableFuture.runAsync(() -> {
                    try {
                        for (int from = 0; from < mine.size(); from += window) {
                            PackResult packed = d.pack(mine.subList(from, Math.min(mine.size(), from + window)));
                            assertTrue(packed.rejected().isEmpty());
                            sendAll(d, packed.packets());
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            long started = System.nanoTime();
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(150, TimeUnit.SECONDS);
            System.out.printf("%s: backlog of %d samples sent in %d ms%n", config.streamName(), backlog.size(),
                    (System.nanoTime() - started) / 1_000_000);
            assertTrue(d.budget().heldBackRecords() > 0, "the budget held records back");

            List<KinesisReadBack.ReadRecord> records = reader.readAll(config.streamName(), 20);
            Set<Long> seen = new HashSet<>();
            Map<String, Long> lastSeq = new HashMap<>();
            for (KinesisReadBack.ReadRecord r : records) {
                assertEquals(d.shardMap().shardOf(r.partitionKey()), r.shardId(), "MD5 shard map of " + r.partitionKey());
                for (DecodedSample s : r.samples()) {
                    assertTrue(seen.add(s.sequence()), "duplicate " + s.sequence());
                    Long last = lastSeq.put(r.partitionKey(), s.sequence());
                    assertTrue(last == null || last < s.sequence(), "order broken for " + r.partitionKey());
                }
            }
            assertEquals(backlog.size(), seen.size(), "every sample exactly once");
            return records;
        }
    }

    /** In any one second starting at a record's arrival, a shard got at most 1,000 records and 1 MiB. */
    private static void assertWithinQuota(List<KinesisReadBack.ReadRecord> records) {
        Map<String, List<KinesisReadBack.ReadRecord>> byShard = new HashMap<>();
        for (KinesisReadBack.ReadRecord r : records) byShard.computeIfAbsent(r.shardId(), k -> new ArrayList<>()).add(r);
        for (Map.Entry<String, List<KinesisReadBack.ReadRecord>> e : byShard.entrySet()) {
            List<KinesisReadBack.ReadRecord> list = new ArrayList<>(e.getValue());
            list.sort((a, b) -> a.arrival().compareTo(b.arrival()));
            long worstBytes = 0;
            long worstRecords = 0;
            int end = 0;
            long bytes = 0;
            for (int start = 0; start < list.size(); start++) {
                Instant limit = list.get(start).arrival().plusSeconds(1);
                while (end < list.size() && list.get(end).arrival().isBefore(limit)) {
                    bytes += list.get(end).bytes();
                    end++;
                }
                worstBytes = Math.max(worstBytes, bytes);
                worstRecords = Math.max(worstRecords, end - start);
                bytes -= list.get(start).bytes();
            }
            Duration span = Duration.between(list.get(0).arrival(), list.get(list.size() - 1).arrival());
            System.out.printf("shard %s: %d records over %s, at most %d records and %d bytes in one second%n",
                    e.getKey(), list.size(), span, worstRecords, worstBytes);
            assertTrue(worstRecords <= 1000, e.getKey() + " got " + worstRecords + " records in one second");
            assertTrue(worstBytes <= MIB, e.getKey() + " got " + worstBytes + " bytes in one second");
        }
    }

    private static void sendAll(KinesisDestination d, List<Packet> packets) throws Exception {
        List<Packet> pending = new ArrayList<>(packets);
        while (!pending.isEmpty()) {
            List<Packet> call = new ArrayList<>();
            Set<String> keys = new HashSet<>();
            List<Packet> later = new ArrayList<>();
            long bytes = 0;
            for (Packet p : pending) {
                if (call.size() < 500 && bytes + p.sizeBytes() <= 5 * MIB && keys.add(p.orderingKey())) {
                    call.add(p);
                    bytes += p.sizeBytes();
                } else {
                    later.add(p);
                }
            }
            List<PacketOutcome> outcomes = d.sendAsync(call).get(120, TimeUnit.SECONDS);
            for (PacketOutcome o : outcomes) assertInstanceOf(PacketOutcome.Delivered.class, o);
            pending = later;
        }
    }
}
