package io.sluice.connector.opcda;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/** Exponential backoff with jitter: attempt n waits between half and all of min * 2^n, capped at max. */
public final class Backoff {

    private final Duration min;
    private final Duration max;
    private final DoubleSupplier random;
    private int attempt;

    public Backoff(Duration min, Duration max, DoubleSupplier random) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("need 0 < min <= max, got " + min + " and " + max);
        }
        this.min = min;
        this.max = max;
        this.random = random;
    }

    public Duration next() {
        long ceiling = max.toNanos();
        long base = min.toNanos();
        int shift = Math.min(attempt, 62);
        long delay = shift >= Long.numberOfLeadingZeros(base) - 1 ? ceiling : Math.min(ceiling, base << shift);
        attempt++;
        long jittered = delay / 2 + (long) (random.getAsDouble() * (delay - delay / 2));
        return Duration.ofNanos(Math.max(jittered, base / 2));
    }

    public int attempts() {
        return attempt;
    }

    public void reset() {
        attempt = 0;
    }
}
