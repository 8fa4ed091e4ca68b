package io.sluice.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.StreamConfig.WhenFull;
import io.sluice.spi.Durations;
import io.sluice.spi.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streams with {@code persistence: memory}: the store's rules, in the heap, gone after a restart. */
class MemoryStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static StreamSettings memory(String name, long maxBytes, WhenFull whenFull, String... destinations) {
        return new StreamSettings(name, maxBytes, Duration.ofDays(7), whenFull, false, Set.of(destinations));
    }

    private SqliteStreamStore open() {
        return SqliteStreamStore.open(dir.resolve("store.db"), SqliteStreamStore.StoreOptions.defaults());
    }

    @Test
    void appendsReadsAndCursorsWorkAsForAFileStream() {
        try (SqliteStreamStore store = open()) {
            store.configure(List.of(memory("m", 1L << 30, WhenFull.REJECT_NEW, "d1", "d2")));
            var first = Durations.await(store.append("m", "sim", SqliteStreamStoreTest.samples(5000, 0), "n"), WAIT);
            var second = Durations.await(store.append("m", "sim", SqliteStreamStoreTest.samples(5000, 5000), null), WAIT);
            assertEquals(0, first.firstSequence());
            assertEquals(5000, second.firstSequence());
            ReadBatch batch = store.read("m", 4990, 20);
            assertEquals(20, batch.samples().size());
            for (int i = 0; i < 20; i++) {
                StoredSample s = batch.samples().get(i);
                assertEquals(4990 + i, s.sequence());
                assertEquals(Value.of(4990L + i), s.sample().value());
                assertEquals("sim", s.connector());
                assertEquals(i < 10 ? "n" : null, s.note(), "the note of its own append");
            }
            assertEquals(5010, batch.nextSequence());
            StreamStats stats = store.stats("m");
            assertFalse(stats.persistent());
            assertEquals(10_000, stats.storedSamples());

            Durations.await(store.commitCursor("m", "d1", 10_000), WAIT);
            Durations.await(store.commitCursor("m", "d2", 5000), WAIT);
            Durations.await(store.compact(), WAIT);
            Durations.await(store.flush(), WAIT);
            stats = store.stats("m");
            assertEquals(5000, stats.firstSequence(), "what both destinations passed is gone, the rest stays");
            assertEquals(10_000, stats.cursors().get("d1"));
            assertEquals(5000, stats.backlog("d2"));
            assertEquals(0, stats.droppedTtl());
        }
    }

    @Test
    void aMemoryStreamIsEmptyAfterARestartWhileAFileStreamBesideItIsNot() {
        StreamSettings file = new StreamSettings("f", 1L << 30, Duration.ofDays(7), WhenFull.REJECT_NEW, true, Set.of("d"));
        try (SqliteStreamStore store = open()) {
            store.configure(List.of(memory("m", 1L << 30, WhenFull.REJECT_NEW, "d"), file));
            Durations.await(store.append("m", "sim", SqliteStreamStoreTest.samples(100, 0), null), WAIT);
            Durations.await(store.append("f", "sim", SqliteStreamStoreTest.samples(100, 0), null), WAIT);
            Durations.await(store.commitCursor("m", "d", 40), WAIT);
        }
        try (SqliteStreamStore store = open()) {
            store.configure(List.of(memory("m", 1L << 30, WhenFull.REJECT_NEW, "d"), file));
            StreamStats m = store.stats("m");
            assertEquals(0, m.storedSamples(), "lost on restart");
            assertTrue(store.read("m", 0, 1000).samples().isEmpty());
            assertEquals(100, store.stats("f").storedSamples());
            var again = Durations.await(store.append("m", "sim", SqliteStreamStoreTest.samples(3, 0), null), WAIT);
            assertEquals(3, store.read("m", again.firstSequence(), 10).samples().size(), "and takes appends again");
        }
    }

    @Test
    void rejectNewRefusesWhatDoesNotFitAndCountsIt() {
        try (SqliteStreamStore store = open()) {
            store.configure(List.of(memory("m", 20_000, WhenFull.REJECT_NEW)));
            int accepted = 0;
            int refused = 0;
            for (int i = 0; i < 40; i++) {
                try {
                    store.append("m", "sim", SqliteStreamStoreTest.samples(500, i * 500L), null).join();
                    accepted += 500;
                } catch (CompletionException e) {
                    assertInstanceOf(StoreFullException.class, e.getCause());
                    refused += 500;
                }
            }
            assertTrue(refused > 0, "20 kB hold fewer than 20,000 samples");
            StreamStats stats = store.stats("m");
            assertEquals(refused, stats.rejected());
            assertEquals(accepted, stats.storedSamples());
            assertTrue(stats.storedBytes() <= 20_000, "bytes " + stats.storedBytes());
        }
    }

    @Test
    void aChangeOfPersistenceAppliesAfterARestart() {
        try (SqliteStreamStore store = open()) {
            store.configure(List.of(memory("m", 1L << 30, WhenFull.REJECT_NEW, "d")));
            Durations.await(store.append("m", "sim", SqliteStreamStoreTest.samples(10, 0), null), WAIT);
            StreamSettings nowFile = new StreamSettings("m", 1L << 30, Duration.ofDays(7), WhenFull.REJECT_NEW, true, Set.of("d"));
            store.configure(List.of(nowFile));
            StreamStats stats = store.stats("m");
            assertFalse(stats.persistent(), "still in memory while open");
            assertEquals(10, stats.storedSamples(), "and its data kept");
        }
        try (SqliteStreamStore store = open()) {
            store.configure(List.of(new StreamSettings("m", 1L << 30, Duration.ofDays(7), WhenFull.REJECT_NEW, true, Set.of("d"))));
            assertTrue(store.stats("m").persistent(), "a file stream after the restart");
        }
    }

    @Test
    void anUnknownStreamIsRefused() {
        try (SqliteStreamStore store = open()) {
            store.configure(List.of(memory("m", 1L << 30, WhenFull.REJECT_NEW)));
            assertFalse(store.hasStream("other"));
            assertThrows(RuntimeException.class, () -> Durations.await(store.append("other", "c", SqliteStreamStoreTest.samples(1, 0), null), WAIT));
        }
    }
}
