package io.sluice.runtime.publish;

import io.sluice.runtime.config.DestinationInstance;
import io.sluice.runtime.route.AssetResolver;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StreamStats;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.destination.DestinationFactory;
import io.sluice.support.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One enabled destination from start to stop, on its own thread ({@code sluice-publish-<name>}): creates and starts
 * the destination, and while that fails (a missing certificate file, a directory it cannot create) keeps it FAILED
 * with the reason and tries again with exponential backoff (up to the destination's {@code max-backoff}) until it
 * starts; then runs its {@link DestinationWorker}.
 *
 * <p>From the first second, whether the destination ever started or not, every stream exported to it has a cursor
 * for it in the store (committed at the oldest stored sample if it had none), so its backlog is visible in
 * {@code streams list|inspect}, status.json and metrics, and retention keeps what it has not had.
 */
final class DestinationRunner implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(DestinationRunner.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    private final DestinationInstance instance;
    private final SqliteStreamStore store;
    private final DestinationCounters counters;
    private final Function<String, DestinationContext> contexts;
    private final DestinationLifecycle lifecycle;
    private final PublishClock clock;
    private final Backoff startBackoff;
    private final Set<String> cursorsEnsured = new HashSet<>();
    private volatile List<ExportPlan> exports;
    private volatile AssetResolver assets;
    private volatile boolean exportsChanged = true;
    private volatile Destination destination;
    private volatile DestinationWorker worker;
    private volatile String startError = "";
    /** Failed start attempts in the current episode. */
    private int failedAttempts;
    /** Epoch millis of the first failed start of the current episode, 0 when none. */
    private volatile long startFailingSinceMillis;
    /** {@link PublishClock#nanoTime} of the next start attempt while FAILED, 0 otherwise. */
    private volatile long nextStartNanos;
    private volatile Thread thread;

    DestinationRunner(DestinationInstance instance, SqliteStreamStore store, List<ExportPlan> exports,
                      AssetResolver assets, DestinationCounters counters, Function<String, DestinationContext> contexts,
                      PublishClock clock) {
        this.instance = instance;
        this.store = store;
        this.counters = counters;
        this.contexts = contexts;
        this.clock = clock;
        this.lifecycle = new DestinationLifecycle(counters.state, clock);
        this.startBackoff = DeliveryHealth.backoff(FIRST_RETRY, instance.maxBackoff());
        this.exports = ExportPlan.sorted(exports);
        this.assets = assets;
    }

    DestinationInstance instance() {
        return instance;
    }

    List<ExportPlan> exports() {
        return exports;
    }

    /** Makes the first start attempt on the caller's thread (so status is settled on return), then runs on its own. */
    void start() {
        ensureCursors();
        tryStart();
        Thread t = new Thread(this, "sluice-publish-" + instance.name());
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void updateExports(List<ExportPlan> newExports) {
        exports = ExportPlan.sorted(newExports);
        DestinationWorker w = worker;
        exportsChanged = true;
        if (w != null) {
            w.updateExports(exports);
            w.wake(); // a new export, or a new batch interval, is read at once, not after the idle wait
        }
    }

    void updateAssets(AssetResolver resolver) {
        assets = resolver;
        DestinationWorker w = worker;
        if (w != null) w.updateAssets(resolver);
    }

    @Override
    public void run() {
        try {
            while (destination == null && !lifecycle.stopRequested()) {
                long wait = startBackoff.nextNanos();
                long until = clock.nanoTime() + wait;
                if (failedAttempts > 0) nextStartNanos = until == 0 ? 1 : until;
                while (!lifecycle.stopRequested() && clock.nanoTime() - until < 0) {
                    ensureCursors();
                    LockSupport.parkNanos(Math.min(until - clock.nanoTime(), 100_000_000L));
                }
                if (lifecycle.stopRequested()) break;
                ensureCursors();
                tryStart();
            }
            DestinationWorker w = worker;
            if (w != null) {
                // new samples wake the worker when they are committed; its idle wait is only the fallback
                try (AutoCloseable signal = store.onAppended(w::wake)) {
                    w.run();
                } catch (Exception e) {
                    if (e instanceof RuntimeException r) throw r;
                    throw new IllegalStateException(e); // removing the listener does not throw
                }
            }
        } finally {
            if (lifecycle.state().active()) lifecycle.moveTo(DestinationState.STOPPING);
            lifecycle.moveTo(DestinationState.STOPPED);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void tryStart() {
        if (lifecycle.state() == DestinationState.FAILED) lifecycle.moveTo(DestinationState.STARTING);
        Destination d = null;
        try {
            d = ((DestinationFactory) instance.factory()).create(instance.name(), instance.options());
            d.start(contexts.apply(instance.name()));
        } catch (Exception | LinkageError e) {
            if (d != null) closeQuietly(d);
            failed(e);
            return;
        }
        if (lifecycle.stopRequested()) {
            closeQuietly(d);
            return;
        }
        int attempts = failedAttempts;
        failedAttempts = 0;
        startFailingSinceMillis = 0;
        nextStartNanos = 0;
        startBackoff.reset();
        startError = "";
        synchronized (this) { // a cursor move goes to the worker from now on (see moveCursor)
            worker = new DestinationWorker(instance, d, store, exports, assets, counters, lifecycle, clock, this::ensureCursors);
            destination = d;
        }
        lifecycle.started();
        if (attempts > 0) {
            log.info("destination {} ({}) started after {} failed attempts, exporting {}", instance.name(), instance.type(),
                    attempts, describe(exports));
        } else {
            log.info("destination {} ({}) started, exporting {}", instance.name(), instance.type(), describe(exports));
        }
    }

    private void failed(Throwable e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        counters.startFailures.incrementAndGet();
        if (failedAttempts++ == 0) startFailingSinceMillis = clock.millis();
        boolean newEpisode = !reason.equals(startError);
        startError = reason;
        lifecycle.moveTo(DestinationState.FAILED);
        if (newEpisode) {
            log.warn("destination {} ({}) failed to start: {}; its streams keep buffering, retrying with backoff up to {}",
                    instance.name(), instance.type(), reason, io.sluice.spi.Durations.format(instance.maxBackoff()));
        } else {
            log.debug("destination {} failed to start again: {}", instance.name(), reason, e);
        }
    }

    /**
     * Gives every exported stream a cursor for this destination if it has none yet (at the oldest stored sample,
     * where reading would start anyway). Runs on this runner's thread or before it starts, never concurrently with
     * the worker's own cursor commits.
     */
    void ensureCursors() {
        if (!exportsChanged) return;
        exportsChanged = false;
        ensureCursors(store, instance.name(), exports, cursorsEnsured);
    }

    /** Gives each stream of {@code exports} not in {@code done} a cursor for {@code destination} if it has none. */
    static void ensureCursors(SqliteStreamStore store, String destination, List<ExportPlan> exports, Set<String> done) {
        for (ExportPlan plan : exports) {
            if (done.contains(plan.stream())) continue;
            StreamStats stats = store.stats(plan.stream());
            if (stats == null) continue;
            if (!stats.cursors().containsKey(destination)) {
                store.commitCursor(plan.stream(), destination, store.cursor(plan.stream(), destination));
            }
            done.add(plan.stream());
        }
    }

    /** An operator's pause ({@code true}) or resume; see {@link DestinationState#PAUSED}. */
    void pause(boolean paused) {
        lifecycle.pause(paused);
        DestinationWorker w = worker;
        if (w != null) w.wake();
    }

    DestinationState state() {
        return lifecycle.state();
    }

    /** The started destination, or null while it has not started (FAILED, STARTING). */
    Destination destination() {
        return destination;
    }

    /**
     * Moves this destination's cursor of {@code stream}: through the worker once it runs (so its own commits cannot
     * overtake the move), directly while it has not started (no worker commits then; the start waits for the move).
     */
    synchronized void moveCursor(String stream, long nextSequence, Duration timeout) {
        DestinationWorker w = worker;
        io.sluice.spi.Durations.await(w != null ? w.moveCursor(stream, nextSequence) : store.moveCursor(stream, instance.name(), nextSequence), timeout);
    }

    /** Asks the run to end; a running worker drains for at most the destination's {@code drain-on-stop}. */
    void requestStop() {
        lifecycle.requestStop(instance.drainOnStop());
        Thread t = thread;
        if (t != null) LockSupport.unpark(t);
        DestinationWorker w = worker;
        if (w != null) w.wake();
    }

    /** Waits for the run to end: up to the drain deadline and {@code grace} more. True when it ended. */
    boolean await(Duration grace) {
        Thread t = thread;
        if (t == null) return true;
        try {
            long left = lifecycle.nanosLeft();
            long millis = (left == Long.MAX_VALUE ? 0 : left / 1_000_000L) + grace.toMillis();
            t.join(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    void closeDestination() {
        Destination d = destination;
        if (d != null) closeQuietly(d);
    }

    private void closeQuietly(Destination d) {
        try {
            d.close();
        } catch (RuntimeException e) {
            log.warn("destination {} did not close cleanly: {}", instance.name(), e.getMessage());
        }
    }

    DestinationStatus status() {
        DestinationWorker w = worker;
        boolean startFailing = lifecycle.state() == DestinationState.FAILED || w == null;
        String lastError = startFailing ? startError : w.health().lastError();
        long failingSince = startFailing ? startFailingSinceMillis : w.health().failingSinceMillis();
        long nextRetry;
        if (startFailing) {
            long at = nextStartNanos;
            nextRetry = at == 0 || lifecycle.state() != DestinationState.FAILED ? -1 : clock.millisUntil(at);
        } else {
            nextRetry = w.health().nextRetryInMillis();
        }
        return statusOf(instance, exports, store, counters, lifecycle.state(), lifecycle.sinceMillis(),
                w == null ? 0 : w.health().lastSuccessMillis(), lastError, w == null ? 1.0 : w.rateFactor(), failingSince, nextRetry);
    }

    /** A destination's status: its counters, and per exported stream its cursor and backlog as the store has them. */
    static DestinationStatus statusOf(DestinationInstance instance, List<ExportPlan> exports,
                                      SqliteStreamStore store, DestinationCounters counters, DestinationState state,
                                      long sinceMillis, long lastSuccessMillis, String lastError, double rateFactor,
                                      long failingSinceMillis, long nextRetryInMillis) {
        List<DestinationStatus.ExportStatus> positions = new ArrayList<>();
        for (ExportPlan plan : exports) {
            long cursor = store.cursor(plan.stream(), instance.name());
            long backlog = Math.max(0, store.nextSequence(plan.stream()) - cursor);
            positions.add(new DestinationStatus.ExportStatus(plan.stream(), plan.priority(), cursor, backlog));
        }
        Map<String, Long> failures = new TreeMap<>();
        counters.failures.forEach((k, v) -> failures.put(k, v.get()));
        Map<String, Long> deadLetters = new TreeMap<>();
        counters.deadLetteredByReason.forEach((k, v) -> deadLetters.put(k, v.get()));
        Map<String, Long> reroutes = new TreeMap<>();
        counters.reroutedByReason.forEach((k, v) -> reroutes.put(k, v.get()));
        return new DestinationStatus(instance.name(), instance.type(), state, sinceMillis,
                counters.samplesSent.get(), counters.packetsSent.get(), counters.bytesSent.get(), counters.calls.get(),
                counters.retries.get(), counters.throttles.get(), counters.deadLettered.get(), instance.deadLetterStream(),
                deadLetters, counters.rerouted.get(), instance.fallback().isPresent() ? instance.fallbackStream() : null,
                reroutes, counters.startFailures.get(), failures, lastSuccessMillis, lastError, rateFactor, positions,
                failingSinceMillis, nextRetryInMillis);
    }

    private static List<String> describe(List<ExportPlan> exports) {
        return exports.stream().map(e -> e.stream() + "(p" + e.priority() + ")").toList();
    }
}
