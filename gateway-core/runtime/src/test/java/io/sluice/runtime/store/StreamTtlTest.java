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
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stream's time-to-live, judged by the store on a clock the test moves: samples whose block's newest receive time
 * is older than the TTL go, whole blocks and oldest first; those not every destination had are counted as TTL drops.
 * File and memory streams follow the same rules.
 */
class StreamTtlTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration TTL = Duration.ofHours(1);
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    @TempDir
    Path dir;

    /** The store's wall clock, moved by hand. */
    private static final class MovableClock extends Clock {
        volatile Instant now = T0;

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final MovableClock clock = new MovableClock();

    private SqliteStreamStore open(String file) {
        SqliteStreamStore.StoreOptions defaults = SqliteStreamStore.StoreOptions.defaults();
        return SqliteStreamStore.open(dir.resolve(file), new SqliteStreamStore.StoreOptions(defaults.commitWindow(),
                defaults.synchronous(), defaults.maxPendingBytes(), defaults.blockSamples(), defaults.retentionInterval(),
                clock));
    }

    private static StreamSettings ttlStream(boolean persistent, String... destinations) {
        return new StreamSettings("s", 1L << 30, TTL, WhenFull.REJECT_NEW, persistent, Set.of(destinations));
    }

    /** {@code n} samples received at {@code rx}, one append (one block). */
    private static void append(SqliteStreamStore store, int n, Instant rx) {
        long rxNanos = rx.getEpochSecond() * 1_000_000_000L + rx.getNano();
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) samples.add(new Sample("t" + i % 3, Value.of((long) i), Quality.GOOD, 0, rxNanos, rxNanos, null));
        Durations.await(store.append("s", "c", samples, null), WAIT);
    }

    private static void retention(SqliteStreamStore store) {
        Durations.await(store.compact(), WAIT);
        Durations.await(store.flush(), WAIT);
    }

    @ParameterizedTest(name = "persistent={0}")
    @ValueSource(booleans = {true, false})
    void samplesOlderThanTheTtlGoAndThoseNoDestinationHadAreCounted(boolean persistent) {
        try (SqliteStreamStore store = open("ttl.db")) {
            store.configure(List.of(ttlStream(persistent, "d")));
            append(store, 100, T0.minus(Duration.ofHours(2)));
            append(store, 100, T0.minus(Duration.ofMinutes(30)));
            append(store, 100, T0);
            retention(store);
            StreamStats stats = store.stats("s");
            assertEquals(100, stats.firstSequence(), "the block two hours old went, the others stay");
            assertEquals(100, stats.droppedTtl());
            assertEquals(200, stats.storedSamples());
            assertEquals(100, store.read("s", 0, 1_000).samples().get(0).sequence(), "reading resumes after the gap");

            clock.now = T0.plus(Duration.ofMinutes(29));
            retention(store);
            assertEquals(100, store.stats("s").firstSequence(), "30 + 29 minutes old: within the TTL");

            clock.now = T0.plus(Duration.ofMinutes(31));
            retention(store);
            stats = store.stats("s");
            assertEquals(200, stats.firstSequence(), "61 minutes old: expired");
            assertEquals(200, stats.droppedTtl());
            assertEquals(300, stats.nextSequence(), "sequences go on");
            assertEquals(stats.storedSamples(), stats.backlog("d"));
        }
    }

    @Test
    void expiredSamplesEveryDestinationHadAreNoLoss() {
        try (SqliteStreamStore store = open("delivered.db")) {
            store.configure(List.of(new StreamSettings("s", 1L << 30, TTL, WhenFull.REJECT_NEW, true, Set.of("d1", "d2"),
                    StreamSettings.DEFAULT_PRIORITY, Duration.ofDays(7)))); // delivered data kept for a week
            append(store, 100, T0.minus(Duration.ofHours(3)));
            append(store, 100, T0.minus(Duration.ofHours(2)));
            append(store, 100, T0);
            Durations.await(store.commitCursor("s", "d1", 200), WAIT);
            Durations.await(store.commitCursor("s", "d2", 150), WAIT);
            retention(store);
            StreamStats stats = store.stats("s");
            assertEquals(200, stats.firstSequence(), "the TTL ends keep-delivered too");
            assertEquals(50, stats.droppedTtl(), "only the 50 samples d2 had not had are lost");
        }
    }

    @Test
    void aBlockStaysWhileItsNewestSampleIsWithinTheTtl() {
        try (SqliteStreamStore store = open("newest.db")) {
            store.configure(List.of(ttlStream(true, "d")));
            long old = T0.minus(Duration.ofHours(5)).toEpochMilli() * 1_000_000L;
            long fresh = T0.minus(Duration.ofMinutes(5)).toEpochMilli() * 1_000_000L;
            Durations.await(store.append("s", "c", List.of(
                    new Sample("t", Value.of(1L), Quality.GOOD, 0, old, old, null),
                    new Sample("t", Value.of(2L), Quality.GOOD, 0, fresh, fresh, null)), null), WAIT);
            retention(store);
            assertEquals(2, store.stats("s").storedSamples(), "whole blocks only: one fresh sample keeps its block");
            assertEquals(0, store.stats("s").droppedTtl());
        }
    }

    @Test
    void expiryStopsAtTheFirstBlockWithinTheTtlSoTheStreamStaysContiguous() {
        try (SqliteStreamStore store = open("late.db")) {
            store.configure(List.of(ttlStream(true, "d")));
            append(store, 10, T0);                           // fresh
            append(store, 10, T0.minus(Duration.ofHours(2)));  // appended later, but received long ago (a late upload)
            retention(store);
            StreamStats stats = store.stats("s");
            assertEquals(0, stats.firstSequence());
            assertEquals(20, stats.storedSamples(), "an expired block behind a fresh one waits for it");
            clock.now = T0.plus(TTL).plusMillis(1);
            retention(store);
            stats = store.stats("s");
            assertEquals(20, stats.firstSequence(), "both expired: both go");
            assertEquals(20, stats.droppedTtl());
        }
    }

    @Test
    void ttlDropsOfAFileStreamSurviveARestart() {
        try (SqliteStreamStore store = open("restart.db")) {
            store.configure(List.of(ttlStream(true, "d")));
            append(store, 40, T0.minus(Duration.ofHours(2)));
            append(store, 10, T0);
            retention(store);
            assertEquals(40, store.stats("s").droppedTtl());
        }
        try (SqliteStreamStore store = open("restart.db")) {
            store.configure(List.of(ttlStream(true, "d")));
            StreamStats stats = store.stats("s");
            assertEquals(40, stats.droppedTtl(), "the count is in the file");
            assertEquals(40, stats.firstSequence());
            assertEquals(10, stats.storedSamples());
            assertTrue(stats.persistent());
        }
    }
}
