package io.sluice.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.StreamConfig.WhenFull;
import io.sluice.spi.Durations;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full store without root: SQLite's {@code max_page_count} caps the file, so commits fail with SQLITE_FULL exactly
 * as on a full disk. Refused appends are never stored and are counted; drop-oldest keeps making room; the store
 * recovers by itself once there is room again.
 */
@Timeout(120)
class StoreFullTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** 100 samples of about 600 bytes each; every value names its stream and a unique number. */
    static List<Sample> bigSamples(String stream, long base) {
        List<Sample> out = new ArrayList<>();
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int i = 0; i < 100; i++) {
            StringBuilder payload = new StringBuilder(stream).append(':').append(base + i).append(':');
            long x = (base + i) * 0x9E3779B97F4A7C15L;
            while (payload.length() < 600) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                payload.append(Long.toHexString(x));
            }
            out.add(new Sample("t" + (i % 10), Value.of(payload.toString()), Quality.GOOD, 0, now, now, null));
        }
        return out;
    }

    private static long idOf(StoredSample s) {
        String v = ((Value.StringValue) s.sample().value()).value();
        return Long.parseLong(v.split(":")[1]);
    }

    @Test
    void dropOldestWithoutExportCountsEveryDroppedSample() {
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("s.db"), SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(SqliteStreamStoreTest.settings("a", 64 << 10, WhenFull.DROP_OLDEST, true)));
            for (int i = 0; i < 100; i++) Durations.await(store.append("a", "sim", SqliteStreamStoreTest.samples(500, i * 500L), null), WAIT);
            StreamStats stats = store.stats("a");
            assertTrue(stats.firstSequence() > 0, "something was dropped");
            assertEquals(stats.firstSequence(), stats.droppedFull(), "every dropped sample is counted, with no export too");
        }
    }

    @Test
    void aFullFileSeenByTheBudgetRefusesWithoutStoringCountsRefusalsKeepsDropOldestGoingAndRecovers() throws Exception {
        fillAndRecover(true);
    }

    @Test
    void aFileThatFillsBehindTheBudgetsBackFailsCommitsWithoutStoringAndRecovers() throws Exception {
        fillAndRecover(false);
    }

    /** {@code seen}: the budget knows the page cap (evicts before SQLite fails) or not (commits fail with SQLITE_FULL). */
    private void fillAndRecover(boolean seen) throws Exception {
        Path file = dir.resolve("full.db");
        Set<Long> acknowledged = new HashSet<>();
        Set<Long> refused = new HashSet<>();
        Set<Long> acknowledgedKeep = new HashSet<>();
        long refusedKeep = 0;
        int bulkAfterFirstRefusal = 0;
        int bulkRefusedAfterFirst = 0;
        boolean bulkRefusedOnce = false;
        try (SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults())) {
            // 'keep' may not evict the higher-priority 'bulk', so once the file is full it is refused
            store.configure(List.of(
                    new StreamSettings("keep", 1L << 40, Duration.ofDays(7), WhenFull.REJECT_NEW, true, Set.of(), 9),
                    new StreamSettings("bulk", 1L << 40, Duration.ofDays(7), WhenFull.DROP_OLDEST, true, Set.of(), 1)));
            store.limitPages(1_500, seen); // 6 MB with 4 KB pages
            long id = 0;
            for (int i = 0; i < 600; i++) {
                String stream = i % 4 == 0 ? "keep" : "bulk";
                List<Sample> batch = bigSamples(stream, id);
                try {
                    store.append(stream, "t", batch, null).get(30, TimeUnit.SECONDS);
                    for (int k = 0; k < batch.size(); k++) acknowledged.add(id + k);
                    if (stream.equals("keep")) for (int k = 0; k < batch.size(); k++) acknowledgedKeep.add(id + k);
                    if (bulkRefusedOnce && stream.equals("bulk")) bulkAfterFirstRefusal++;
                } catch (ExecutionException e) {
                    assertInstanceOf(StoreFullException.class, e.getCause(), String.valueOf(e.getCause()));
                    for (int k = 0; k < batch.size(); k++) refused.add(id + k);
                    if (stream.equals("keep")) refusedKeep += batch.size();
                    if (stream.equals("bulk")) {
                        if (bulkRefusedOnce) {
                            bulkAfterFirstRefusal++;
                            bulkRefusedAfterFirst++;
                        }
                        bulkRefusedOnce = true;
                    }
                }
                id += batch.size();
            }
            assertTrue(refusedKeep > 0, "the reject-new stream was refused once the file was full");
            assertEquals(refusedKeep, store.stats("keep").rejected(), "every refusal of 'keep' is counted");
            assertTrue(store.stats("bulk").droppedFull() > 0, "drop-oldest gave up old samples");
            // when the budget sees the limit, 'bulk' makes room from its own oldest blocks; when the file fills behind
            // its back, the room that eviction frees on SQLITE_FULL may go to 'keep' as well
            if (seen) assertTrue(bulkRefusedAfterFirst * 10 <= bulkAfterFirstRefusal,
                    "drop-oldest keeps making room: " + bulkRefusedAfterFirst + " of " + bulkAfterFirstRefusal + " refused");

            if (!seen) assertTrue(store.stateTransitions().get(StoreHealth.State.FULL) > 0, "commits failed with SQLITE_FULL");
            assertEquals(0, store.stateTransitions().get(StoreHealth.State.IO_ERROR),
                    "a full file is FULL, never an I/O error (no statement ran outside a transaction)");
            store.limitPages(1 << 30); // space returns
            var r = store.append("keep", "t", bigSamples("keep", id), null).get(30, TimeUnit.SECONDS);
            for (int k = 0; k < r.count(); k++) {
                acknowledged.add(id + k);
                acknowledgedKeep.add(id + k);
            }
            Durations.await(store.compact(), WAIT);
            assertEquals(StoreHealth.State.OK, store.health().state(), "recovered without a restart");
        }
        try (StoreInspector inspector = new StoreInspector(file)) {
            assertEquals("ok", inspector.integrityCheck());
        }
        try (SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(
                    new StreamSettings("keep", 1L << 40, Duration.ofDays(7), WhenFull.REJECT_NEW, true, Set.of()),
                    new StreamSettings("bulk", 1L << 40, Duration.ofDays(7), WhenFull.DROP_OLDEST, true, Set.of())));
            for (String stream : List.of("keep", "bulk")) {
                StreamStats stats = store.stats(stream);
                List<StoredSample> all = store.read(stream, 0, Integer.MAX_VALUE).samples();
                assertEquals(stats.storedSamples(), all.size(), stream + ": stored range matches the blocks");
                for (StoredSample s : all) {
                    assertTrue(s.sequence() < stats.nextSequence(), stream + ": no block past next_seq");
                    assertTrue(!refused.contains(idOf(s)), stream + ": refused sample " + idOf(s) + " was stored");
                    assertTrue(acknowledged.contains(idOf(s)), stream + ": stored sample was acknowledged");
                }
            }
            Set<Long> keepStored = new HashSet<>();
            store.read("keep", 0, Integer.MAX_VALUE).samples().forEach(s -> keepStored.add(idOf(s)));
            for (long v : acknowledgedKeep) assertTrue(keepStored.contains(v), "acknowledged sample " + v + " of 'keep' is kept");
        }
    }
}
