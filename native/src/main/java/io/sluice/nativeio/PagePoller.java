package io.sluice.nativeio;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;

/**
 * Polls a page's update counter from a native thread (libsluicepoller, built from src/main/c on Linux x86-64) and
 * queues consistent snapshots for the JVM to {@link #drain}. It keeps polling while the JVM is stopped at a
 * safepoint or handshake, which a Java thread cannot, so a 1 kHz page loses no update to a GC or a busy machine.
 * Where the library is not bundled ({@link #available()} is false) callers poll from Java instead.
 *
 * <p>The view must stay open until {@link #close()} returns.
 */
public final class PagePoller implements AutoCloseable {

    /** The library, bound with JNA direct mapping: a call costs a JNI call, not a proxy and reflection. */
    static final class Lib {
        static native Pointer sluice_poller_start(Pointer page, int size, int counterOffset, int counterWidth, int slots,
                                                  long pollNanos, int rtPriority, int adaptive, int watchers);

        static native int sluice_poller_drain(Pointer poller, Pointer dst, long[] times, int max);

        static native void sluice_poller_stats(Pointer poller, long[] out);

        static native void sluice_poller_stop(Pointer poller);
    }

    /**
     * Figures of one poller. {@code realtime} is false when a polling thread could not get SCHED_FIFO;
     * {@code lockedLooks} counts the looks made once per update while locked on to the writer's rate (adaptive mode);
     * {@code threads} is how many threads poll, {@code pinned} whether each has a CPU of its own; {@code busySkips}
     * counts looks one thread left unexamined because the other was examining one.
     */
    public record Stats(long polls, long overflow, long copyRetries, long failedCopies, boolean realtime, long lockedLooks,
                        int threads, boolean pinned, long busySkips) {}

    private static final boolean LOADED = load();

    private final Pointer poller;
    private final int size;
    private final int batch;
    private final Memory buffer;
    private final long[] times;
    private final long[] stats = new long[9];
    private boolean closed;

    private PagePoller(Pointer poller, int size, int batch) {
        this.poller = poller;
        this.size = size;
        this.batch = batch;
        this.buffer = new Memory((long) size * batch);
        this.times = new long[batch];
    }

    private static boolean load() {
        try {
            Native.register(Lib.class, "sluicepoller");
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** Whether the native poller is bundled for this platform. */
    public static boolean available() {
        return LOADED;
    }

    /**
     * Starts polling {@code view}.
     *
     * @param size          bytes per snapshot (from offset 0)
     * @param counterOffset offset of the update counter
     * @param counterWidth  4 (int32/uint32) or 8 (int64)
     * @param slots         ring capacity in snapshots; when full, new snapshots are dropped and counted
     * @param rtPriority    SCHED_FIFO priority of the thread, 0 for normal priority
     * @param adaptive      once the counter moves at a steady rate, look once per update (half-way between two
     *                      writes) instead of every {@code pollInterval}; back to {@code pollInterval} when the
     *                      rate changes
     * @param threads       1, or 2 to poll from two threads pinned to two CPUs that take turns, so a stall of one
     *                      CPU does not hide an update; one thread is used in adaptive mode or with a single CPU
     * @return empty when the library is not available
     */
    public static Optional<PagePoller> start(SharedMemoryView view, int size, int counterOffset, int counterWidth,
                                             int slots, Duration pollInterval, int rtPriority, boolean adaptive,
                                             int threads) {
        if (!LOADED) return Optional.empty();
        if (size > view.size() || counterOffset < 0 || counterOffset + counterWidth > size) {
            throw new IllegalArgumentException("page of " + size + " bytes with counter at " + counterOffset
                    + " does not fit a view of " + view.size());
        }
        ByteBuffer buffer = view.buffer();
        Pointer page = Native.getDirectBufferPointer(buffer);
        Pointer p = Lib.sluice_poller_start(page, size, counterOffset, counterWidth, slots,
                Math.max(10_000, pollInterval.toNanos()), rtPriority, adaptive ? 1 : 0, threads);
        if (p == null) throw new SharedMemoryException("cannot start the native poller for " + view.name());
        return Optional.of(new PagePoller(p, size, Math.min(slots, 256)));
    }

    /**
     * Hands over queued snapshots, oldest first.
     *
     * @param sink receives each snapshot (a fresh array) and its epoch time in nanoseconds
     * @return how many were handed over
     */
    public synchronized int drain(SnapshotSink sink) {
        if (closed) return 0;
        int total = 0;
        int n;
        do {
            n = Lib.sluice_poller_drain(poller, buffer, times, batch);
            for (int i = 0; i < n; i++) {
                byte[] bytes = new byte[size];
                buffer.read((long) i * size, bytes, 0, size);
                sink.accept(bytes, times[i]);
            }
            total += n;
        } while (n == batch);
        return total;
    }

    public synchronized Stats stats() {
        if (!closed) Lib.sluice_poller_stats(poller, stats);
        return new Stats(stats[0], stats[1], stats[2], stats[3], stats[4] == 0, stats[5], (int) stats[6], stats[7] == 1,
                stats[8]);
    }

    /** Stops and joins the native threads; queued snapshots not yet drained are discarded. */
    @Override
    public synchronized void close() {
        if (!closed) {
            Lib.sluice_poller_stats(poller, stats);
            Lib.sluice_poller_stop(poller);
            closed = true;
        }
    }

    /** Receives drained snapshots. */
    @FunctionalInterface
    public interface SnapshotSink {
        void accept(byte[] snapshot, long epochNanos);
    }
}
