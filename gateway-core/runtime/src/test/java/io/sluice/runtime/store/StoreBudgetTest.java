package io.sluice.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.FreeSpace;
import io.sluice.runtime.config.StreamConfig.WhenFull;
import io.sluice.runtime.store.StoreHealth.State;
import io.sluice.spi.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The store-wide budget and free-disk watermark: lowest priority evicted first, refusals never stored, states. */
@Timeout(60)
class StoreBudgetTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static StreamSettings stream(String name, WhenFull whenFull, int priority) {
        return new StreamSettings(name, 1L << 40, Duration.ofDays(7), whenFull, true, Set.of(), priority);
    }

    /** A file system of 1 GB whose free space the test sets. */
    static final class FakeDisk implements SpacePolicy.Disk {
        final AtomicLong usable = new AtomicLong(1L << 30);

        @Override
        public long usableBytes() {
            return usable.get();
        }

        @Override
        public long totalBytes() {
            return 1L << 30;
        }
    }

    @Test
    void theBudgetEvictsLowestPriorityFirstAndRefusesWhatCannotFit() {
        long budget = 600_000;
        SqliteStreamStore.StoreOptions options = SqliteStreamStore.StoreOptions.defaults().withBudget(budget, FreeSpace.ofBytes(0));
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("b.db"), options)) {
            store.configure(List.of(stream("low", WhenFull.DROP_OLDEST, 9), stream("mid", WhenFull.DROP_OLDEST, 5),
                    stream("high", WhenFull.REJECT_NEW, 1)));
            long id = 0;
            for (String s : List.of("low", "mid")) {
                for (int i = 0; i < 3; i++, id += 100) Durations.await(store.append(s, "t", StoreFullTest.bigSamples(s, id), null), WAIT);
            }
            long lowBefore = store.stats("low").storedSamples();
            long midBefore = store.stats("mid").storedSamples();
            // 'high' takes the room: 'low' gives up everything before 'mid' loses anything
            int highAccepted = 0;
            while (store.stats("low").storedSamples() > 0) {
                Durations.await(store.append("high", "t", StoreFullTest.bigSamples("high", id), null), WAIT);
                id += 100;
                highAccepted++;
                if (store.stats("low").storedSamples() > 0) assertEquals(midBefore, store.stats("mid").storedSamples(), "mid untouched while low has data");
            }
            assertEquals(lowBefore, store.stats("low").droppedFull(), "every evicted sample of 'low' counted");
            assertTrue(highAccepted > 0);
            // keep going: 'mid' goes next, then 'high' (reject-new) is refused and the refusal is not stored
            CompletionException refused = null;
            for (int i = 0; i < 50 && refused == null; i++, id += 100) {
                try {
                    store.append("high", "t", StoreFullTest.bigSamples("high", id), null).join();
                } catch (CompletionException e) {
                    refused = e;
                }
            }
            assertInstanceOf(StoreFullException.class, refused.getCause());
            assertEquals(0, store.stats("mid").storedSamples(), "mid was evicted before high was refused");
            assertEquals(100, store.stats("high").rejected());
            long stored = store.stats().stream().mapToLong(StreamStats::storedBytes).sum();
            assertTrue(stored <= budget, "within the budget: " + stored);
            StreamStats high = store.stats("high");
            assertEquals(high.storedSamples(), store.read("high", 0, Integer.MAX_VALUE).samples().size(), "refused samples are not stored");
            assertEquals(State.LOW_SPACE, store.health().state());
            // a low-priority drop-oldest append cannot evict higher-priority data: it is refused
            assertTrue(isRefused(store, "low", id));
            assertEquals(100, store.stats("low").rejected());
        }
    }

    private static boolean isRefused(SqliteStreamStore store, String stream, long id) {
        try {
            store.append(stream, "t", StoreFullTest.bigSamples(stream, id), null).join();
            return false;
        } catch (CompletionException e) {
            return e.getCause() instanceof StoreFullException;
        }
    }

    @Test
    void aDropOldestStreamKeepsAppendingInPlaceOfItsOldestDataWhenAnotherProgramTookTheDisk() {
        FakeDisk disk = new FakeDisk();
        SqliteStreamStore.StoreOptions options = SqliteStreamStore.StoreOptions.defaults().withBudget(0, FreeSpace.ofPercent(5));
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("t.db"), options, disk)) {
            store.configure(List.of(stream("bulk", WhenFull.DROP_OLDEST, 5), stream("keep", WhenFull.REJECT_NEW, 5)));
            long id = 0;
            for (int i = 0; i < 10; i++, id += 100) Durations.await(store.append("bulk", "t", StoreFullTest.bigSamples("bulk", id), null), WAIT);
            disk.usable.set(0); // the watermark cannot be met by evicting: the disk went to another program
            Durations.await(store.compact(), WAIT);
            long storedBefore = store.stats("bulk").storedSamples();
            for (int i = 0; i < 20; i++, id += 100) Durations.await(store.append("bulk", "t", StoreFullTest.bigSamples("bulk", id), null), WAIT);
            StreamStats bulk = store.stats("bulk");
            assertEquals(0, bulk.rejected(), "drop-oldest always makes room");
            assertTrue(bulk.droppedFull() >= 2_000, "its own oldest samples made the room: " + bulk);
            assertTrue(bulk.storedSamples() <= storedBefore, "the stream did not grow: " + bulk);
            assertEquals(State.LOW_SPACE, store.health().state());
            assertTrue(isRefused(store, "keep", id), "a reject-new stream is refused");
        }
    }

    @Test
    void theFreeDiskWatermarkMovesTheStoreToLowSpaceAndBackToOkWithoutRestart() {
        FakeDisk disk = new FakeDisk();
        SqliteStreamStore.StoreOptions options = SqliteStreamStore.StoreOptions.defaults().withBudget(0, FreeSpace.ofPercent(50));
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("w.db"), options, disk)) {
            store.configure(List.of(stream("bulk", WhenFull.DROP_OLDEST, 5), stream("keep", WhenFull.REJECT_NEW, 1),
                    stream("peer", WhenFull.REJECT_NEW, 5)));
            long id = 0;
            for (int i = 0; i < 10; i++, id += 100) Durations.await(store.append("bulk", "t", StoreFullTest.bigSamples("bulk", id), null), WAIT);
            assertEquals(State.OK, store.health().state());
            disk.usable.set((1L << 29) + 10_000); // 10 KB above the 50 % watermark (the fake does not shrink as data comes)
            Durations.await(store.compact(), WAIT); // free space is measured again (each commit re-measures only near the limit)
            for (int i = 0; i < 10; i++, id += 100) Durations.await(store.append("keep", "t", StoreFullTest.bigSamples("keep", id), null), WAIT);
            assertEquals(State.LOW_SPACE, store.health().state());
            assertTrue(store.stats("bulk").droppedFull() > 0, "the lower-priority drop-oldest stream made room for 'keep'");
            assertEquals(0, store.stats("keep").rejected());
            assertTrue(isRefused(store, "peer", id), "a reject-new stream does not take the room of an equal-priority one");
            assertEquals(100, store.stats("peer").rejected());
            assertEquals(1, store.stateTransitions().get(State.LOW_SPACE));
            disk.usable.set(1L << 30); // space returns
            Durations.await(store.compact(), WAIT);
            assertEquals(State.OK, store.health().state(), "back to OK by itself");
            assertEquals(1, store.stateTransitions().get(State.OK));
        }
    }

    @Test
    void aStoreOnAFullDiskGivesUpItsReserveToOpenAndRecoversWhenSpaceReturns() throws Exception {
        Path file = dir.resolve("r.db");
        try (SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(stream("a", WhenFull.DROP_OLDEST, 5)));
            Durations.await(store.append("a", "t", StoreFullTest.bigSamples("a", 0), null), WAIT);
        }
        Path reserve = SpacePolicy.reserveOf(file);
        assertTrue(Files.exists(reserve), "a closed store leaves its reserve");
        FakeDisk disk = new FakeDisk();
        disk.usable.set(0);
        try (SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults(), disk)) {
            assertFalse(Files.exists(reserve), "the reserve was given up to open");
            assertEquals(State.FULL, store.health().state());
            store.configure(List.of(stream("a", WhenFull.DROP_OLDEST, 5)));
            assertEquals(100, store.read("a", 0, 1000).samples().size());
            disk.usable.set(1L << 30);
            Durations.await(store.compact(), WAIT);
            assertEquals(State.OK, store.health().state(), "FULL -> RECOVERING -> OK once the reserve is back");
            assertTrue(Files.exists(reserve));
        }
    }

    private static StreamSettings keeping(String name, long maxBytes, WhenFull whenFull, int priority) {
        return new StreamSettings(name, maxBytes, Duration.ofDays(7), whenFull, true, Set.of("d"), priority, Duration.ofDays(1));
    }

    @Test
    void keptDeliveredDataMakesRoomForAFullRejectNewStreamWithoutCountingADrop() {
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("k.db"), SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(keeping("s", 200_000, WhenFull.REJECT_NEW, 5)));
            long id = 0;
            for (; id < 300; id += 100) Durations.await(store.append("s", "t", StoreFullTest.bigSamples("s", id), null), WAIT);
            Durations.await(store.compact(), WAIT);
            assertEquals(300, store.stats("s").storedSamples(), "nothing delivered: all stays");
            Durations.await(store.commitCursor("s", "d", 200), WAIT);
            Durations.await(store.compact(), WAIT);
            assertEquals(300, store.stats("s").storedSamples(), "what d had is kept for a day");
            long accepted = 0;
            for (int i = 0; i < 10; i++, id += 100) {
                try {
                    store.append("s", "t", StoreFullTest.bigSamples("s", id), null).join();
                    accepted++;
                } catch (CompletionException e) {
                    assertInstanceOf(StoreFullException.class, e.getCause());
                    break;
                }
            }
            assertTrue(accepted >= 2, "the two kept blocks gave their room to new samples, accepted " + accepted);
            assertTrue(store.stats("s").firstSequence() >= 100, "kept blocks went, oldest first");
            assertTrue(store.stats("s").firstSequence() <= 200, "nothing d has not had went");
            assertEquals(0, store.stats("s").droppedFull(), "every destination had what went: no drop");
        }
    }

    @Test
    void underTheBudgetKeptDeliveredDataGoesBeforeAnyUndeliveredSample() {
        long budget = 600_000;
        SqliteStreamStore.StoreOptions options = SqliteStreamStore.StoreOptions.defaults().withBudget(budget, FreeSpace.ofBytes(0));
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("kb.db"), options)) {
            store.configure(List.of(keeping("kept", 1L << 40, WhenFull.REJECT_NEW, 1), stream("low", WhenFull.DROP_OLDEST, 9),
                    stream("high", WhenFull.REJECT_NEW, 1)));
            long id = 0;
            for (int i = 0; i < 3; i++, id += 100) Durations.await(store.append("kept", "t", StoreFullTest.bigSamples("kept", id), null), WAIT);
            Durations.await(store.commitCursor("kept", "d", 300), WAIT);
            for (int i = 0; i < 2; i++, id += 100) Durations.await(store.append("low", "t", StoreFullTest.bigSamples("low", id), null), WAIT);
            long lowBefore = store.stats("low").storedSamples();
            while (store.stats("kept").storedSamples() > 0) {
                Durations.await(store.append("high", "t", StoreFullTest.bigSamples("high", id), null), WAIT);
                id += 100;
                if (store.stats("kept").storedSamples() > 0) {
                    assertEquals(lowBefore, store.stats("low").storedSamples(), "low keeps its undelivered data while kept data is left");
                }
                assertTrue(id < 10_000, "kept data never made room");
            }
            assertEquals(0, store.stats("kept").droppedFull(), "kept data was delivered: no drop");
            assertEquals(0, store.stats("low").droppedFull());
        }
    }
}
