package io.sluice.runtime.publish;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The state of one destination run ({@link DestinationState}, moved only along its allowed transitions) and the stop
 * request with its drain deadline. Shared by the {@link DestinationRunner} that starts the destination and the
 * {@link DestinationWorker} that drains its streams.
 */
final class DestinationLifecycle {

    private final AtomicReference<DestinationState> state;
    private final PublishClock clock;
    private volatile long sinceMillis;
    private long failedSinceMillis;
    private volatile boolean stopRequested;
    private volatile boolean pauseRequested;
    private volatile long stopDeadlineNanos;

    DestinationLifecycle(AtomicReference<DestinationState> state, PublishClock clock) {
        this.state = state;
        this.clock = clock;
        this.sinceMillis = clock.millis();
        state.set(DestinationState.STARTING);
    }

    DestinationState state() {
        return state.get();
    }

    long sinceMillis() {
        return sinceMillis;
    }

    /** Moves to {@code target}; throws when the transition is not one the state allows. */
    synchronized void moveTo(DestinationState target) {
        DestinationState current = state.get();
        if (current == target) return;
        if (!current.canMoveTo(target)) throw new IllegalStateException("destination state cannot go from " + current + " to " + target);
        state.set(target);
        long now = clock.millis();
        if (target == DestinationState.FAILED) {
            // a failed retry continues the episode: FAILED counts from the first failed start
            if (failedSinceMillis == 0) failedSinceMillis = now;
            sinceMillis = failedSinceMillis;
        } else {
            if (target != DestinationState.STARTING) failedSinceMillis = 0;
            sinceMillis = now;
        }
    }

    /**
     * STARTING to IDLE, or to STOPPING when a stop was asked for meanwhile (the new worker then only drains), or to
     * PAUSED when the destination is paused.
     */
    synchronized void started() {
        moveTo(stopRequested ? DestinationState.STOPPING : pauseRequested ? DestinationState.PAUSED : DestinationState.IDLE);
    }

    /**
     * An operator's pause ({@code true}) or resume: a running worker moves to PAUSED at its next step
     * ({@link #enterPause}); a resume moves a PAUSED one back to IDLE at once.
     */
    synchronized void pause(boolean paused) {
        pauseRequested = paused;
        if (!paused && state.get() == DestinationState.PAUSED) moveTo(DestinationState.IDLE);
    }

    boolean pauseRequested() {
        return pauseRequested;
    }

    /** The worker stops sending: IDLE, SENDING or BACKING_OFF to PAUSED, if the pause still stands. */
    synchronized void enterPause() {
        if (pauseRequested && state.get().active()) moveTo(DestinationState.PAUSED);
    }

    /**
     * What the worker is doing (IDLE, SENDING, BACKING_OFF), moved to along the allowed transitions; ignored while not
     * active (once stopping the state stays STOPPING, once paused PAUSED).
     */
    synchronized void activity(DestinationState activity) {
        if (!activity.active()) throw new IllegalArgumentException(activity + " is not an activity of a running worker");
        if (state.get().active()) moveTo(activity);
    }

    /** Asks the run to end: the worker drains for at most {@code drain}, then stops (a FAILED one stops at once). */
    synchronized void requestStop(Duration drain) {
        if (stopRequested) return;
        stopDeadlineNanos = clock.nanoTime() + drain.toNanos();
        stopRequested = true;
        if (state.get().active() || state.get() == DestinationState.PAUSED) moveTo(DestinationState.STOPPING);
    }

    boolean stopRequested() {
        return stopRequested;
    }

    /** True once a stop was asked for and its drain deadline has passed: nothing more is sent or waited for. */
    boolean pastDeadline() {
        return stopRequested && clock.nanoTime() - stopDeadlineNanos >= 0;
    }

    /** Nanoseconds left until the drain deadline, or {@code Long.MAX_VALUE} while no stop was asked for. */
    long nanosLeft() {
        return stopRequested ? Math.max(0, stopDeadlineNanos - clock.nanoTime()) : Long.MAX_VALUE;
    }
}
