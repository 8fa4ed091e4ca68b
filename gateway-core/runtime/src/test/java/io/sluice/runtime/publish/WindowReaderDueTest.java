package io.sluice.runtime.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.route.AssetResolver;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * When an idle publisher must look again without being woken: a stream waiting on its batch interval comes due when
 * its oldest unread sample is that old. Commits wake the publisher; running out of an interval does not.
 */
@Timeout(30)
class WindowReaderDueTest {

    private static final Duration INTERVAL = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private SqliteStreamStore store;
    private ManualClock wall;
    private WindowReader batched;
    private WindowReader unbatched;

    @BeforeEach
    void open() {
        store = StoreFixture.open(dir.resolve("store.db"), """
                streams:
                  s: {priority: 1, export: [{destination: out, batch-interval: 10s}]}
                destinations:
                  out: {type: scripted}
                """);
        wall = new ManualClock(Instant.now());
        batched = reader(INTERVAL);
        unbatched = reader(Duration.ZERO);
    }

    private WindowReader reader(Duration batchInterval) {
        PublishClock clock = PublishClock.of(wall);
        DestinationLifecycle lifecycle = new DestinationLifecycle(new AtomicReference<>(), clock);
        lifecycle.started();
        return new WindowReader("out", new ScriptedDestination(), store, List.of(new ExportPlan("s", 1, batchInterval, 0)),
                new AssetResolver(Map.of(), List.of()), lifecycle, new SettledCursors(store, "out"), clock);
    }

    @AfterEach
    void close() {
        batched.close();
        unbatched.close();
        store.close();
    }

    private void append(int count) {
        List<Sample> samples = new ArrayList<>();
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int i = 0; i < count; i++) samples.add(Sample.good("t", Value.of((long) i), now + i));
        Durations.await(store.append("s", "c", samples, null), Duration.ofSeconds(10));
    }

    @Test
    void nothingWaitsWhileNothingIsStored() {
        assertEquals(Long.MAX_VALUE, batched.nanosUntilDue());
        assertEquals(Long.MAX_VALUE, unbatched.nanosUntilDue());
    }

    @Test
    void aStreamWaitingOnItsIntervalComesDueWhenItsOldestSampleIsThatOld() {
        append(30);
        wall.advance(Duration.between(wall.instant(), Instant.now())); // at or after the samples' receive time
        long due = batched.nanosUntilDue();
        assertTrue(due > INTERVAL.toNanos() - Duration.ofSeconds(5).toNanos() && due <= INTERVAL.toNanos(), "due in " + due + " ns");
        assertTrue(batched.next().window().samples.isEmpty(), "not read before it is due");

        wall.advance(Duration.ofSeconds(4));
        assertEquals(due - Duration.ofSeconds(4).toNanos(), batched.nanosUntilDue(), "the clock the publisher waits on");

        wall.advance(INTERVAL);
        assertEquals(0, batched.nanosUntilDue());
        assertEquals(30, batched.next().window().samples.size(), "read once due");
        assertEquals(Long.MAX_VALUE, batched.nanosUntilDue(), "nothing unread after what was read");
    }

    @Test
    void aStreamWithoutAnIntervalNeverWaitsOnTheClock() {
        append(5);
        assertEquals(Long.MAX_VALUE, unbatched.nanosUntilDue(), "its samples are read at once; commits wake the publisher");
    }
}
