package io.sluice.runtime.store;

import io.sluice.spi.SluiceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's writer thread: operations that arrive within one commit window are handed over together as one batch
 * (group commit); while a batch commits, the next one gathers. A periodic task (retention) runs between batches.
 * Back-pressure: {@link #submit} blocks while more than {@code maxPendingBytes} wait for their batch to finish.
 */
final class GroupCommitLoop<T> {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitLoop.class);

    /** What the loop drives; called on the loop's thread only. */
    interface Handler<T> {
        /** Commits one batch and completes (or fails) each operation of it. */
        void commit(List<T> batch);

        /** Periodic work between batches. */
        void periodic();

        /** Fails operations that will never be committed (the loop failed or closed). */
        void fail(List<T> ops, Throwable failure);

        /**
         * Whether the operation may wait for the next batch that carries others (see {@link #holdFor}); nobody
         * waits for its commit in the meantime (a publisher's cursor move, which it does not await).
         */
        default boolean canWait(T op) {
            return false;
        }
    }

    private record Entry<T>(T op, long bytes) {}

    private final LinkedBlockingQueue<Entry<T>> queue = new LinkedBlockingQueue<>();
    private final Handler<T> handler;
    private final long windowNanos;
    private final long periodNanos;
    private final long maxPendingBytes;
    private final Object pendingLock = new Object();
    private long pendingBytes;
    private volatile long nextPeriodicNanos;
    private volatile boolean closed;
    private final Thread thread;
    /** How long a batch of operations that can wait is held for the next batch; 0: not held. */
    private volatile long holdNanos;
    /** When a batch with an operation that cannot wait last committed (loop thread only). */
    private long lastUrgentNanos = Long.MIN_VALUE / 2;

    GroupCommitLoop(String threadName, Duration window, long maxPendingBytes, Duration period, Handler<T> handler) {
        this.handler = handler;
        this.windowNanos = window.toNanos();
        this.periodNanos = period.toNanos();
        this.maxPendingBytes = maxPendingBytes;
        this.nextPeriodicNanos = System.nanoTime() + periodNanos;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    /**
     * Lets a batch of operations that {@link Handler#canWait can wait} (and nothing else) wait up to {@code hold} for
     * the next operation that cannot, and share its transaction, while such operations flow (one committed within the
     * last {@code hold}); otherwise it commits after the window as any batch. At a steady rate the publisher's cursor
     * moves then ride on the next append's commit: half the transactions and syncs.
     */
    void holdFor(Duration hold) {
        this.holdNanos = hold.toNanos();
    }

    void start() {
        thread.start();
    }

    boolean closed() {
        return closed;
    }

    /** Queues an operation carrying {@code bytes} of data; blocks while too much waits (back-pressure). */
    void submit(T op, long bytes) {
        if (bytes > 0) {
            synchronized (pendingLock) {
                while (pendingBytes > 0 && pendingBytes + bytes > maxPendingBytes && !closed) {
                    try {
                        pendingLock.wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SluiceException("interrupted while waiting for the store", true, e);
                    }
                }
                pendingBytes += bytes;
            }
        }
        queue.add(new Entry<>(op, bytes));
    }

    /** Runs the periodic task after the next batch (or now, when idle). */
    void periodicSoon() {
        nextPeriodicNanos = System.nanoTime();
    }

    private void release(long bytes) {
        if (bytes == 0) return;
        synchronized (pendingLock) {
            pendingBytes -= bytes;
            pendingLock.notifyAll();
        }
    }

    private void run() {
        List<Entry<T>> entries = new ArrayList<>();
        List<T> batch = new ArrayList<>();
        while (true) {
            try {
                long untilPeriodic = nextPeriodicNanos - System.nanoTime();
                Entry<T> first = queue.poll(Math.max(1, untilPeriodic), TimeUnit.NANOSECONDS);
                if (first != null) {
                    entries.add(first);
                    long deadline = System.nanoTime() + windowNanos;
                    gather(entries, deadline);
                    boolean urgent = anyUrgent(entries);
                    if (!urgent && holdNanos > 0) urgent = hold(entries);
                    long bytes = 0;
                    for (Entry<T> e : entries) {
                        batch.add(e.op());
                        bytes += e.bytes();
                    }
                    try {
                        handler.commit(batch);
                        if (urgent) lastUrgentNanos = System.nanoTime();
                    } finally {
                        release(bytes);
                        entries.clear();
                    }
                    batch.clear();
                }
                if (System.nanoTime() >= nextPeriodicNanos) {
                    handler.periodic();
                    nextPeriodicNanos = System.nanoTime() + periodNanos;
                }
                if (closed && queue.isEmpty()) return;
            } catch (InterruptedException e) {
                if (closed && queue.isEmpty()) return;
            } catch (RuntimeException e) {
                log.error("stream store writer failed; continuing", e);
                handler.fail(new ArrayList<>(batch), new SluiceException("store writer failed: " + e.getMessage(), true, e));
                batch.clear();
                entries.clear();
            }
        }
    }

    private boolean anyUrgent(List<Entry<T>> entries) {
        for (Entry<T> e : entries) {
            if (!handler.canWait(e.op())) return true;
        }
        return false;
    }

    /**
     * Holds a batch of operations that can wait until one that cannot arrives (then gathers its window and returns
     * true) or {@link #holdNanos} after the last urgent commit (returns false). Not held when nothing urgent committed
     * within that time, nor once closing.
     */
    private boolean hold(List<Entry<T>> entries) {
        long until = lastUrgentNanos + holdNanos;
        while (!closed) {
            long wait = until - System.nanoTime();
            if (wait <= 0) return false;
            Entry<T> next;
            try {
                next = queue.poll(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                queue.drainTo(entries);
                return anyUrgent(entries);
            }
            if (next == null) return false;
            entries.add(next);
            if (!handler.canWait(next.op())) {
                gather(entries, System.nanoTime() + windowNanos);
                return true;
            }
        }
        return anyUrgent(entries);
    }

    /** Adds what arrives until the deadline; an interrupt (close) ends the window early, nothing gathered is lost. */
    private void gather(List<Entry<T>> entries, long deadline) {
        while (true) {
            queue.drainTo(entries);
            long wait = deadline - System.nanoTime();
            if (wait <= 0) return;
            try {
                Entry<T> next = queue.poll(wait, TimeUnit.NANOSECONDS);
                if (next == null) return;
                entries.add(next);
            } catch (InterruptedException e) {
                queue.drainTo(entries);
                return;
            }
        }
    }

    /** Stops taking operations, lets the thread commit what is queued (up to 30 s), and fails what is left. */
    void close() {
        if (closed) return;
        closed = true;
        synchronized (pendingLock) {
            pendingLock.notifyAll();
        }
        thread.interrupt();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<T> left = new ArrayList<>();
        for (Entry<T> e : queue) left.add(e.op());
        queue.clear();
        if (!left.isEmpty()) handler.fail(left, new SluiceException("stream store closed", true));
    }
}
