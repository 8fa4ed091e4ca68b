package io.sluice.runtime.publish;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter (each wait is drawn between half and all of the current step), capped. */
final class Backoff {

    private final long initialNanos;
    private final long maxNanos;
    private long currentNanos;
    private int failures;

    Backoff(Duration initial, Duration max) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = Math.max(initial.toNanos(), max.toNanos());
        this.currentNanos = initialNanos;
    }

    /** The next wait; each call doubles the step up to the cap. */
    long nextDelayNanos() {
        long step = currentNanos;
        currentNanos = Math.min(maxNanos, currentNanos * 2);
        failures++;
        return step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
    }

    void reset() {
        currentNanos = initialNanos;
        failures = 0;
    }

    int failures() {
        return failures;
    }
}
