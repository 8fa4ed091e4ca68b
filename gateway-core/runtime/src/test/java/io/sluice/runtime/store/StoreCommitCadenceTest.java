package io.sluice.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.StreamConfig.WhenFull;
import io.sluice.spi.Durations;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How many transactions (each a WAL sync under {@code synchronous=FULL}) a steady flow costs: one per append batch.
 * The destination's cursor moves ride on the appends' transactions, and so does retention: the blocks every
 * destination passed are deleted in the next append's transaction, not in one of their own each retention interval.
 */
@Timeout(60)
class StoreCommitCadenceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void retentionAndCursorMovesRideOnTheAppendsTransactions() {
        SqliteStreamStore.StoreOptions defaults = SqliteStreamStore.StoreOptions.defaults();
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("s.db"), new SqliteStreamStore.StoreOptions(
                defaults.commitWindow(), "FULL", defaults.maxPendingBytes(), defaults.blockSamples(), Duration.ofMillis(300),
                Clock.systemUTC()))) {
            store.configure(List.of(new StreamSettings("s", 1L << 30, Duration.ofDays(1), WhenFull.REJECT_NEW, true, Set.of("d"))));
            long commitsBefore = store.commits();
            int appends = 0;
            int retentionRuns = 0;
            long first = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            // appends flow (each awaited) and the destination passes each at once, until retention deleted thrice
            while (retentionRuns < 3) {
                assertTrue(System.nanoTime() < deadline, "retention deleted nothing while appends flowed");
                Durations.await(store.append("s", "c", samples(10), null), WAIT);
                appends++;
                store.commitCursor("s", "d", store.nextSequence("s"));
                long now = store.stats("s").firstSequence();
                if (now > first) retentionRuns++;
                first = now;
            }
            long commits = store.commits() - commitsBefore;
            // one more allowed: a cursor move commits alone when the machine stalls the next append past its hold
            assertTrue(commits <= appends + 1, commits + " transactions for " + appends + " appends and 3 retention runs");
            Durations.await(store.flush(), WAIT);
            assertEquals(store.nextSequence("s"), store.cursor("s", "d"));
        }
    }

    private static List<Sample> samples(int n) {
        long now = System.currentTimeMillis() * 1_000_000L;
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new Sample("t" + i, Value.of((long) i), Quality.GOOD, 0, now, now, null));
        return out;
    }
}
