package io.sluice.support;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter, the one every reconnect and retry in Sluice uses: attempt n waits between half
 * and all of {@code initial * 2^n}, capped at {@code max}. Not thread-safe; one instance per retrying loop.
 */
public final class Backoff {

    private final long initialNanos;
    private final long maxNanos;
    private final DoubleSupplier random;
    private int failures;

    public Backoff(Duration initial, Duration max) {
        this(initial, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** {@code random} yields values in [0, 1); a test passes a constant to make the waits exact. */
    public Backoff(Duration initial, Duration max, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /**
     * For a cap that comes from configuration and may lie below the first step (a destination's {@code max-backoff:
     * 100ms} against a 1 s first retry, or 0): such a cap is raised to {@code initial}, so every wait is the first step.
     */
    public static Backoff withConfiguredCap(Duration initial, Duration configuredMax) {
        return new Backoff(initial, configuredMax.compareTo(initial) < 0 ? initial : configuredMax);
    }

    /** The wait before the next attempt; counts a failure. */
    public Duration next() {
        return Duration.ofNanos(nextNanos());
    }

    public long nextNanos() {
        int shift = Math.min(failures, 62);
        long step = shift >= Long.numberOfLeadingZeros(initialNanos) - 1 ? maxNanos : Math.min(maxNanos, initialNanos << shift);
        failures++;
        long half = step / 2;
        return half + (long) (random.getAsDouble() * (step - half));
    }

    /** After a success: the next failure waits the initial step again. */
    public void reset() {
        failures = 0;
    }

    /** Failures since the last success. */
    public int failures() {
        return failures;
    }
}
