package io.sluice.runtime.publish;

import io.sluice.runtime.config.DestinationInstance;
import io.sluice.runtime.route.AssetResolver;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.spi.Durations;
import io.sluice.spi.destination.Destination;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the streams exported to one destination, highest priority first, in windows:
 * <ol>
 *   <li>read up to the destination's window from the streams in priority order and let the destination pack it
 *       ({@link WindowReader}); samples it can never send go to the dead-letter stream;</li>
 *   <li>send the packets, retrying the failed ones with backoff, and when every packet of the window (and of the
 *       windows before it) is settled, move the cursors to the end of the window ({@link WindowSender},
 *       {@link SettledCursors}).</li>
 * </ol>
 * Calls go out up to {@code max-calls-in-flight} at once, and the next window's calls start while the last calls of
 * the one before are unanswered (up to {@link WindowSender#MAX_WINDOWS_IN_FLIGHT} windows in flight). The cursor commit
 * of settled windows is not awaited, so a crash redelivers at most the windows in flight and the windows settled just
 * before them whose commit had not reached the disk (at-least-once).
 *
 * <p>The next window is read and packed on a second thread while the current one is sent, so a slow service call
 * and the packing overlap. This class is the loop between them: it moves the destination's
 * {@link DestinationLifecycle state} (IDLE, SENDING, BACKING_OFF, PAUSED), carries out operators' pauses and cursor
 * moves between windows, and drains at a stop. Its waits are measured on the {@link PublishClock}.
 */
final class DestinationWorker implements Runnable, WindowSender.Pacing, WindowSender.WindowSource {

    private static final Logger log = LoggerFactory.getLogger(DestinationWorker.class);
    /**
     * Longest idle wait. A commit of new samples ends it early (DestinationRunner: {@code store.onAppended(wake)}), as
     * do a stop, a pause and a cursor move; it ends when a stream waiting on its batch interval becomes due.
     */
    private static final long IDLE_PARK_NANOS = 1_000_000_000L;
    /** Shortest idle wait, for a batch interval that ran out between the read and the wait. */
    private static final long MIN_IDLE_PARK_NANOS = 1_000_000L;
    private static final long PAUSED_PARK_NANOS = 100_000_000L;
    private static final long MAX_PARK_NANOS = 100_000_000L;
    /** The failure key counted when a window ran the heap out. */
    static final String WINDOW_TOO_LARGE = "window did not fit the heap";

    private final DestinationInstance instance;
    private final SqliteStreamStore store;
    private final DestinationLifecycle lifecycle;
    private final PublishClock clock;
    /** Runs before each read on this worker's thread: gives newly exported streams their first cursor. */
    private final Runnable beforeRead;
    private final SettledCursors cursors;
    private final WindowReader reader;
    private final WindowSender sender;
    private final DeliveryHealth health;
    private final CallRateLimiter rates;
    private volatile Thread thread;
    /** Cursor moves asked for by an operator (replay), carried out on this worker's thread between windows. */
    private final ConcurrentLinkedQueue<CursorMove> cursorMoves = new ConcurrentLinkedQueue<>();

    private record CursorMove(String stream, long nextSequence, CompletableFuture<Void> done) {}

    DestinationWorker(DestinationInstance instance, Destination destination, SqliteStreamStore store,
                      List<ExportPlan> exports, AssetResolver assets, DestinationCounters counters,
                      DestinationLifecycle lifecycle, PublishClock clock, Runnable beforeRead) {
        this.instance = instance;
        this.store = store;
        this.lifecycle = lifecycle;
        this.clock = clock;
        this.beforeRead = beforeRead;
        this.cursors = new SettledCursors(store, instance.name());
        this.reader = new WindowReader(instance.name(), destination, store, exports, assets, lifecycle, cursors, clock,
                instance.window());
        this.health = new DeliveryHealth(instance.name(), counters, clock, DeliveryHealth.backoff(DeliveryHealth.FIRST_RETRY, instance.maxBackoff()));
        this.rates = new CallRateLimiter(CallRateLimiter.configured(instance, destination.limits().defaultRates()), clock);
        DeadLetterWriter deadLetters = new DeadLetterWriter(instance.name(), instance.deadLetterStream(),
                instance.fallback().map(f -> instance.fallbackStream()), store, counters);
        this.sender = new WindowSender(instance.name(), instance.deadLetterStream(), destination, lifecycle, counters,
                health, rates, deadLetters, cursors, clock, reader::exports, this,
                instance.maxInFlight().orElse(destination.limits().maxCallsInFlight()));
    }

    void updateExports(List<ExportPlan> newExports) {
        reader.updateExports(newExports);
    }

    void updateAssets(AssetResolver resolver) {
        reader.updateAssets(resolver);
    }

    /** Ends a wait early (a stop, a pause, a cursor move, new samples, changed exports). */
    void wake() {
        Thread t = thread;
        if (t != null) LockSupport.unpark(t);
    }

    /**
     * Moves this destination's cursor of {@code stream} to {@code nextSequence} (backwards for a replay). Done on the
     * worker's thread between windows, so no commit of its own overtakes it: a window being sent is given up after its
     * settled packets, and reading continues from the new cursor. Completes once the move is durable.
     */
    CompletableFuture<Void> moveCursor(String stream, long nextSequence) {
        CursorMove move = new CursorMove(stream, nextSequence, new CompletableFuture<>());
        cursorMoves.add(move);
        wake();
        return move.done();
    }

    DeliveryHealth health() {
        return health;
    }

    double rateFactor() {
        return rates.factor();
    }

    /** Something asks the worker to leave the window it is sending: a pause or a cursor move. */
    private boolean operatorWaiting() {
        return lifecycle.pauseRequested() || !cursorMoves.isEmpty();
    }

    @Override
    public boolean giveUp() {
        return lifecycle.pastDeadline() || operatorWaiting();
    }

    /** Waits {@code nanos}, or less when the window is given up; status shows when the wait ends. */
    @Override
    public void sleep(long nanos) {
        long deadline = health.waitBegins(nanos);
        try {
            while (!giveUp()) {
                long left = deadline - clock.nanoTime();
                if (left <= 0) return;
                LockSupport.parkNanos(Math.min(left, MAX_PARK_NANOS));
            }
        } finally {
            health.waitEnded();
        }
    }

    /**
     * The window read ahead, when it is ready, for the sender to start while earlier windows are in flight (it starts
     * reading the one after); null when none is ready, none has samples, an operator is waiting, or a stream of higher
     * priority received samples meanwhile (then the window is read again after the windows in flight).
     */
    @Override
    public WindowReader.Prepared nextReady(Map<String, Long> inFlightEnds) {
        if (operatorWaiting() || !reader.aheadReady()) return null;
        WindowReader.Prepared next = reader.next();
        beforeRead.run();
        if (next.window().samples.isEmpty()) {
            reader.readAhead();
            // only skipped damaged blocks: the window settles at once, its cursor ends commit after the ones before
            return next.window().endSequences.isEmpty() ? null : next;
        }
        if (reader.overtakenByHigherPriority(next.window())) {
            reader.rewindTo(inFlightEnds);
            reader.readAhead();
            return null;
        }
        lifecycle.activity(DestinationState.SENDING);
        reader.readAhead();
        return next;
    }

    private void moveCursors() {
        for (CursorMove move; (move = cursorMoves.poll()) != null; ) {
            try {
                Durations.await(store.moveCursor(move.stream(), instance.name(), move.nextSequence()), WindowSender.CALL_TIMEOUT);
                cursors.moved(move.stream(), move.nextSequence());
                reader.moved(move.stream(), move.nextSequence());
                move.done().complete(null);
            } catch (RuntimeException e) {
                move.done().completeExceptionally(e);
            }
        }
    }

    /**
     * Sends until stopped. After a stop request (state STOPPING) it keeps sending, batch intervals no longer waited
     * for, until everything stored is sent (drained) or the drain deadline passes; an answered call always moves the
     * cursors over what it settled.
     */
    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (!lifecycle.pastDeadline()) {
                try {
                    if (operatorWaiting()) {
                        reader.rewind();
                        moveCursors();
                        if (lifecycle.pauseRequested()) {
                            if (lifecycle.stopRequested()) break; // a paused destination does not drain at stop
                            lifecycle.enterPause();
                            LockSupport.parkNanos(PAUSED_PARK_NANOS);
                        }
                        continue;
                    }
                    beforeRead.run();
                    WindowReader.Prepared current = reader.next();
                    if (current.window().samples.isEmpty()) {
                        if (current.window().endSequences.isEmpty()) {
                            if (lifecycle.stopRequested() && !current.readAhead()) {
                                log.info("destination {}: drained at stop", instance.name());
                                break;
                            }
                            lifecycle.activity(DestinationState.IDLE);
                            // an empty read-ahead was read before the window just sent: read again now
                            if (!lifecycle.stopRequested() && !current.readAhead()) {
                                LockSupport.parkNanos(Math.max(MIN_IDLE_PARK_NANOS, Math.min(IDLE_PARK_NANOS, reader.nanosUntilDue())));
                            }
                        } else {
                            cursors.commit(current.window().endSequences); // only skipped damaged blocks
                        }
                        continue;
                    }
                    if (current.readAhead() && reader.overtakenByHigherPriority(current.window())) {
                        reader.rewind();
                        continue;
                    }
                    lifecycle.activity(DestinationState.SENDING);
                    reader.readAhead();
                    if (!sender.send(current.window(), current.packed(), this)) {
                        // not settled (given up, or the dead-letter stream refused): send this window again first
                        reader.rewind();
                    }
                } catch (RuntimeException e) {
                    health.failed("internal: " + e.getClass().getSimpleName(), e.getMessage());
                    log.error("destination {}: publisher error, retrying after backoff", instance.name(), e);
                    reader.rewind();
                    sleep(health.nextBackoffNanos());
                } catch (OutOfMemoryError e) {
                    // the windows read are let go (nothing settled is lost: the cursors only move over settled
                    // windows), and smaller ones are read from now on rather than the publisher dying
                    reader.rewind();
                    int window = reader.halveWindow();
                    health.failed(WINDOW_TOO_LARGE, "a window did not fit the heap (" + e.getMessage() + "); reading windows of "
                            + window + " samples from now on; lower window-samples or give the gateway more heap");
                    sleep(health.nextBackoffNanos());
                }
            }
            if (lifecycle.pastDeadline() && reader.hasBacklog()) {
                log.warn("destination {}: drain deadline ({}) passed at stop; the rest is sent after the next start",
                        instance.name(), Durations.format(instance.drainOnStop()));
            }
        } finally {
            reader.close();
        }
    }
}
