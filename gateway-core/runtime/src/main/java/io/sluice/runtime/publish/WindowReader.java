package io.sluice.runtime.publish;

import io.sluice.runtime.route.AssetResolver;
import io.sluice.runtime.store.ReadBatch;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StoredSample;
import io.sluice.spi.AssetContext;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Rejection;
import io.sluice.spi.destination.SampleWindow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads the next window of one destination's streams and lets the destination pack it: highest priority first, up
 * to the destination's {@code maxSamplesPerWindow}; a stream waiting on its batch interval is skipped, giving the
 * capacity to lower priorities (during a stop, batch intervals are no longer waited for).
 *
 * <p>The next window can be read ahead on a thread of its own ({@code sluice-publish-<name>-read}) while the current
 * one is sent. Reading continues from the read position of each stream, ahead of the settled cursor by the windows
 * read and not yet settled; {@link #rewind} forgets those, so the next read starts after the last settled window. A
 * read-ahead window is to be read again when {@link #overtakenByHigherPriority} (a stream of higher priority received
 * samples meanwhile), so read-ahead never lets lower-priority samples overtake; while earlier windows are still in
 * flight, {@link #rewindTo} reads it again after them.
 */
final class WindowReader implements AutoCloseable {

    /** Samples read for one window, and per stream the sequence after the last one read. */
    static final class Window {
        final ArrayList<OutboundSample> samples = new ArrayList<>();
        final Map<String, Long> endSequences = new LinkedHashMap<>();
        /** Lowest priority (highest number) of a stream with samples in the window. */
        int lowestPriority = Integer.MIN_VALUE;
    }

    /** A window read and packed ({@code packed} null when empty); {@code readAhead} when read ahead. */
    record Prepared(Window window, PackResult packed, boolean readAhead) {}

    private final String destinationName;
    private final Destination destination;
    private final SqliteStreamStore store;
    private final DestinationLifecycle lifecycle;
    private final SettledCursors cursors;
    private final PublishClock clock;
    private final SampleWindow sampleWindow;
    /** The destination's window, halved each time a window did not fit the heap ({@link #halveWindow}). */
    private volatile int maxSamplesPerWindow;
    private final ExecutorService readAhead;
    private volatile List<ExportPlan> exports;
    private volatile AssetResolver assets;
    /**
     * Next sequence to read per stream, ahead of the settled cursors by the windows read. Touched by one thread at a
     * time: the read-ahead thread while a read is under way, the worker thread otherwise.
     */
    private final Map<String, Long> readPositions = new HashMap<>();
    /**
     * The asset contexts {@link #assetsResolved} gave, per connector and tag: a plain map lookup per sample read
     * instead of the resolver's two concurrent ones. Used by {@link #read} only (one thread at a time, as
     * {@link #readPositions}); emptied when the resolver changes or it holds {@value #MAX_ASSETS_CACHED} tags.
     */
    private final Map<String, Map<String, AssetContext>> assetsByConnector = new HashMap<>();
    private AssetResolver assetsResolved;
    private int assetsCached;
    static final int MAX_ASSETS_CACHED = 100_000;
    private Future<Prepared> ahead;

    /** A reader that sends every source time ({@link SampleWindow#UNBOUNDED}). */
    WindowReader(String destinationName, Destination destination, SqliteStreamStore store, List<ExportPlan> exports,
                 AssetResolver assets, DestinationLifecycle lifecycle, SettledCursors cursors, PublishClock clock) {
        this(destinationName, destination, store, exports, assets, lifecycle, cursors, clock, SampleWindow.UNBOUNDED);
    }

    WindowReader(String destinationName, Destination destination, SqliteStreamStore store, List<ExportPlan> exports,
                 AssetResolver assets, DestinationLifecycle lifecycle, SettledCursors cursors, PublishClock clock,
                 SampleWindow sampleWindow) {
        this.destinationName = destinationName;
        this.sampleWindow = sampleWindow;
        this.destination = destination;
        this.store = store;
        this.lifecycle = lifecycle;
        this.cursors = cursors;
        this.clock = clock;
        this.maxSamplesPerWindow = destination.limits().maxSamplesPerWindow();
        this.assets = assets;
        this.exports = ExportPlan.sorted(exports);
        this.readAhead = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-publish-" + destinationName + "-read");
            t.setDaemon(true);
            return t;
        });
    }

    void updateExports(List<ExportPlan> newExports) {
        this.exports = ExportPlan.sorted(newExports);
    }

    void updateAssets(AssetResolver resolver) {
        this.assets = resolver;
    }

    List<ExportPlan> exports() {
        return exports;
    }

    /** The window read ahead if there is one, else one read now. */
    Prepared next() {
        Future<Prepared> f = ahead;
        ahead = null;
        if (f == null) return prepare(false);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading ahead", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof OutOfMemoryError oom) throw oom;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Halves the samples read per window (not below 1) after one did not fit the heap; the new size. */
    int halveWindow() {
        maxSamplesPerWindow = Math.max(1, maxSamplesPerWindow / 2);
        return maxSamplesPerWindow;
    }

    /** Starts reading the window after the one about to be sent; the calling thread is woken when it is ready. */
    void readAhead() {
        Thread waiting = Thread.currentThread();
        FutureTask<Prepared> task = new FutureTask<>(() -> prepare(true)) {
            @Override
            protected void done() {
                LockSupport.unpark(waiting); // after the result is set, so aheadReady() is true when the thread wakes
            }
        };
        readAhead.execute(task);
        ahead = task;
    }

    /** Whether a window read ahead is ready ({@link #next} returns it without waiting). */
    boolean aheadReady() {
        Future<Prepared> f = ahead;
        return f != null && f.isDone();
    }

    /** Waits for a read ahead under way and throws it away; the next read starts after the last settled window. */
    void rewind() {
        Future<Prepared> f = ahead;
        ahead = null;
        if (f != null) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException ignored) {
                // the read-ahead window is discarded anyway
            }
        }
        readPositions.clear();
        readPositions.putAll(cursors.snapshot());
    }

    /**
     * Like {@link #rewind}, but windows still in flight stay read: the next read starts at {@code inFlightEnds}
     * (per stream, where the windows in flight end) or, for other streams, after the last settled window.
     */
    void rewindTo(Map<String, Long> inFlightEnds) {
        rewind();
        readPositions.putAll(inFlightEnds);
    }

    /** An operator moved the cursor of {@code stream}: reading continues there. */
    void moved(String stream, long nextSequence) {
        readPositions.put(stream, nextSequence);
    }

    /**
     * Whether a stream of higher priority than the lowest one in a read-ahead window has samples the window does
     * not hold and that a fresh read would take.
     */
    boolean overtakenByHigherPriority(Window window) {
        long nowNanos = clock.millis() * 1_000_000L;
        for (ExportPlan plan : exports) {
            if (plan.priority() >= window.lowestPriority) break;
            if (readable(plan, readPosition(plan), nowNanos)) return true;
        }
        return false;
    }

    /**
     * Nanoseconds until the first stream that waits on its batch interval becomes due (its oldest unread sample is
     * that old), 0 when one is due, {@link Long#MAX_VALUE} when none waits. New samples wake the worker when they are
     * committed; an interval running out does not, so the worker's idle wait ends here at the latest.
     */
    long nanosUntilDue() {
        long nowNanos = clock.millis() * 1_000_000L;
        long soonest = Long.MAX_VALUE;
        for (ExportPlan plan : exports) {
            if (plan.batchInterval().isZero()) continue;
            long cursor = readPosition(plan);
            if (store.nextSequence(plan.stream()) <= cursor) continue;
            soonest = Math.min(soonest, untilDue(plan, cursor, nowNanos));
        }
        return soonest;
    }

    /** Nanoseconds until the sample at {@code cursor} is a batch interval old (0: it is); MAX_VALUE when unknown. */
    private long untilDue(ExportPlan plan, long cursor, long nowNanos) {
        long oldest = store.receiveTimeAt(plan.stream(), cursor);
        return oldest < 0 ? Long.MAX_VALUE : Math.max(0, oldest + plan.batchInterval().toNanos() - nowNanos);
    }

    /** Whether any exported stream has samples after its settled position. */
    boolean hasBacklog() {
        for (ExportPlan plan : exports) {
            if (store.nextSequence(plan.stream()) > cursors.position(plan.stream())) return true;
        }
        return false;
    }

    private long readPosition(ExportPlan plan) {
        long durable = store.cursor(plan.stream(), destinationName);
        return Math.max(durable, readPositions.getOrDefault(plan.stream(), durable));
    }

    private Prepared prepare(boolean readAhead) {
        Window window = read();
        return new Prepared(window, window.samples.isEmpty() ? null : pack(window.samples), readAhead);
    }

    /** Lets the destination pack the samples inside its {@link SampleWindow}; those outside are age rejections. */
    private PackResult pack(List<OutboundSample> samples) {
        if (!sampleWindow.bounded()) return destination.pack(samples);
        long nowNanos = clock.millis() * 1_000_000L;
        List<OutboundSample> inside = new ArrayList<>(samples.size());
        List<Rejection> outside = new ArrayList<>();
        for (OutboundSample s : samples) {
            Optional<String> refusal = sampleWindow.refusal(s.sample().sourceTimeNanos(), nowNanos);
            if (refusal.isPresent()) outside.add(Rejection.outOfWindow(s, refusal.get()));
            else inside.add(s);
        }
        if (outside.isEmpty()) return destination.pack(samples);
        PackResult packed = inside.isEmpty() ? PackResult.of(List.of()) : destination.pack(inside);
        List<Rejection> rejected = new ArrayList<>(outside);
        rejected.addAll(packed.rejected());
        return new PackResult(packed.packets(), rejected);
    }

    /** Whether the stream has samples after {@code cursor} that are due (not waiting on the batch interval). */
    private boolean readable(ExportPlan plan, long cursor, long nowNanos) {
        long next = store.nextSequence(plan.stream());
        if (next <= cursor) return false;
        if (plan.batchInterval().isZero() || lifecycle.stopRequested()) return true;
        boolean enough = plan.batchMaxSamples() > 0 && next - cursor >= plan.batchMaxSamples();
        return enough || untilDue(plan, cursor, nowNanos) == 0;
    }

    private Window read() {
        Window window = new Window();
        int budget = maxSamplesPerWindow;
        long nowNanos = clock.millis() * 1_000_000L;
        AssetResolver resolver = assets;
        if (resolver != assetsResolved || assetsCached >= MAX_ASSETS_CACHED) {
            assetsByConnector.clear();
            assetsCached = 0;
            assetsResolved = resolver;
        }
        for (ExportPlan plan : exports) {
            if (budget <= 0) break;
            long cursor = readPosition(plan);
            if (!readable(plan, cursor, nowNanos)) continue; // waiting on its batch interval: lower priorities may go
            int take = plan.batchMaxSamples() > 0 ? Math.min(budget, plan.batchMaxSamples()) : budget;
            ReadBatch batch = store.read(plan.stream(), cursor, take);
            String lastConnector = null;
            Map<String, AssetContext> byTag = null;
            window.samples.ensureCapacity(window.samples.size() + batch.samples().size());
            for (StoredSample s : batch.samples()) {
                String connector = s.connector(), tag = s.sample().tag();
                if (byTag == null || connector != lastConnector) { // a block's samples share their connector instance
                    byTag = assetsByConnector.computeIfAbsent(connector == null ? "" : connector, c -> new HashMap<>());
                    lastConnector = connector;
                }
                AssetContext asset = byTag.get(tag);
                if (asset == null) {
                    byTag.put(tag, asset = resolver.resolve(connector, tag));
                    assetsCached++;
                }
                window.samples.add(new OutboundSample(plan.stream(), s.sequence(), connector, s.sample(), asset, s.note()));
            }
            if (!batch.samples().isEmpty()) window.lowestPriority = Math.max(window.lowestPriority, plan.priority());
            if (batch.nextSequence() > cursor) {
                window.endSequences.put(plan.stream(), batch.nextSequence());
                readPositions.put(plan.stream(), batch.nextSequence());
            }
            budget -= batch.samples().size();
        }
        return window;
    }

    /** Cancels a read ahead not yet started and ends the read-ahead thread. */
    @Override
    public void close() {
        Future<Prepared> f = ahead;
        ahead = null;
        if (f != null) f.cancel(false);
        readAhead.shutdown();
    }
}
