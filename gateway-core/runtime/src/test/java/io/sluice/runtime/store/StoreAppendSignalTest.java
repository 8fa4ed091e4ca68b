package io.sluice.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.StreamConfig.WhenFull;
import io.sluice.spi.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link SqliteStreamStore#onAppended}: what wakes an idle publisher worker instead of a poll. */
@Timeout(30)
class StoreAppendSignalTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private SqliteStreamStore open() {
        SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("store.db"), SqliteStreamStore.StoreOptions.defaults());
        store.configure(List.of(
                new StreamSettings("a", 1L << 30, Duration.ofDays(30), WhenFull.REJECT_NEW, true, Set.of("k")),
                new StreamSettings("m", 1L << 30, Duration.ofDays(30), WhenFull.REJECT_NEW, false, Set.of("k"))));
        return store;
    }

    @Test
    void aCommitThatStoredSamplesSignalsAfterTheAppendCompleted() throws Exception {
        LinkedBlockingQueue<Boolean> signals = new LinkedBlockingQueue<>();
        try (SqliteStreamStore store = open()) {
            CompletableFuture<?>[] append = new CompletableFuture<?>[1];
            try (AutoCloseable handle = store.onAppended(() -> signals.add(append[0] == null || append[0].isDone()))) {
                append[0] = store.append("a", "sim", SqliteStreamStoreTest.samples(5, 0), null);
                assertEquals(Boolean.TRUE, signals.poll(10, TimeUnit.SECONDS), "signalled, with the append already complete");
                Durations.await(append[0], WAIT);

                Durations.await(store.commitCursor("a", "k", 5), WAIT); // moves no samples in: no signal
                append[0] = store.append("m", "sim", SqliteStreamStoreTest.samples(3, 0), null); // a memory stream
                assertEquals(Boolean.TRUE, signals.poll(10, TimeUnit.SECONDS));
                assertTrue(signals.isEmpty(), "the cursor commit signalled: " + signals);
            }
            Durations.await(store.append("a", "sim", SqliteStreamStoreTest.samples(5, 0), null), WAIT);
            Durations.await(store.commitCursor("a", "k", 10), WAIT); // a later commit: the removed listener would have run by now
            assertTrue(signals.isEmpty(), "a removed listener ran");
        }
    }
}
