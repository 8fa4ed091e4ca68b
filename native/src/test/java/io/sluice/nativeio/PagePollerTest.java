package io.sluice.nativeio;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linux x86-64 builds bundle the native poller; this checks it is there, hands over every counter change once and in
 * order (from two watcher threads where there are two CPUs) and, in adaptive mode, a steady writer's updates in order
 * from one thread. How often the adaptive poller locks on is a figure of `test-rigs/bench simmem --adaptive`.
 */
@EnabledOnOs(value = OS.LINUX, architectures = "amd64")
class PagePollerTest {

    @TempDir
    Path dir;

    @Test
    void queuesOneConsistentSnapshotPerCounterChangeInOrder() throws Exception {
        assertTrue(PagePoller.available(), "libsluicepoller is built into the jar on Linux x86-64");
        Path file = dir.resolve("page");
        ByteBuffer page = WritablePage.create(file, 64);
        page.putLong(8, 100).putInt(0, 1);
        SharedMemoryView view = SharedMemory.openReadOnly("unused", file).orElseThrow();
        List<byte[]> got = new ArrayList<>();
        try (PagePoller poller = PagePoller.start(view, 16, 0, 4, 64, Duration.ofNanos(100_000), 0, false, 2).orElseThrow()) {
            for (int n = 2; n <= 5; n++) {
                waitFor(poller, got, n - 1);
                page.putLong(8, 100L * n).putInt(0, n);
            }
            waitFor(poller, got, 5);
            PagePoller.Stats stats = poller.stats();
            assertEquals(0, stats.overflow());
            assertTrue(stats.polls() > 5);
            if (Runtime.getRuntime().availableProcessors() >= 2) {
                assertEquals(2, stats.threads(), "two watchers on a machine with two CPUs: " + stats);
                assertTrue(stats.pinned(), "each on a CPU of its own: " + stats);
            }
        }
        assertEquals(5, got.size());
        for (int i = 0; i < 5; i++) {
            ByteBuffer b = ByteBuffer.wrap(got.get(i)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(i + 1, b.getInt(0));
            assertEquals(100L * (i + 1), b.getLong(8));
        }
        view.close();
    }

    @Test
    void adaptivePollingLocksOnToASteadyWriterAndDeliversItsUpdatesInOrder() throws Exception {
        Path file = dir.resolve("steady");
        ByteBuffer page = WritablePage.create(file, 64);
        page.putInt(0, 1);
        SharedMemoryView view = SharedMemory.openReadOnly("unused", file).orElseThrow();
        List<byte[]> got = new ArrayList<>();
        int updates = 300;
        long periodNanos = 5_000_000L;
        try (PagePoller poller = PagePoller.start(view, 16, 0, 4, 1024, Duration.ofNanos(200_000), 0, true, 2).orElseThrow()) {
            long next = System.nanoTime();
            for (int n = 2; n <= updates; n++) {
                next += periodNanos;
                for (long left; (left = next - System.nanoTime()) > 0; ) java.util.concurrent.locks.LockSupport.parkNanos(left);
                page.putLong(8, n).putInt(0, n);
            }
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> {
                poller.drain((bytes, time) -> got.add(bytes));
                return lastCounter(got) >= updates;
            });
            PagePoller.Stats stats = poller.stats();
            assertEquals(1, stats.threads(), "adaptive polling uses one thread: " + stats);
            // Whether and how soon the poller locks on depends on how steadily a busy machine runs the writer: a
            // figure (share of locked looks) for `test-rigs/bench simmem --adaptive`, not a pass/fail bound here.
            System.out.println("adaptive poller: " + stats);
        }
        int previous = 0;
        for (byte[] b : got) {
            int counter = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
            assertTrue(counter > previous, "counters in order");
            previous = counter;
        }
        assertEquals(updates, previous, "the last update was seen");
        view.close();
    }

    private static int lastCounter(List<byte[]> got) {
        return got.isEmpty() ? 0 : ByteBuffer.wrap(got.get(got.size() - 1)).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    private static void waitFor(PagePoller poller, List<byte[]> got, int count) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
            poller.drain((bytes, time) -> got.add(bytes));
            return got.size() >= count;
        });
        assertEquals(count, got.size());
    }
}
