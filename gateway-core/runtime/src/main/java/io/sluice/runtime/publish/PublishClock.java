package io.sluice.runtime.publish;

import java.time.Clock;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * The publisher's time, from the gateway's {@link Clock}: wall time ({@link #millis}) for what status shows (state
 * since, last success, failing since) and for batch intervals, and a ticker ({@link #nanoTime}) for elapsed time
 * (waits, backoff, call timeouts, drain deadlines, rate tokens). With the system clock the ticker is
 * {@link System#nanoTime}, so a wall clock set back does not stretch a wait; with any other clock (a test's) it is
 * derived from that clock, so advancing the clock ends waits.
 */
record PublishClock(Clock clock, LongSupplier ticker) {

    static PublishClock of(Clock clock) {
        if (clock.equals(Clock.system(clock.getZone()))) return new PublishClock(clock, System::nanoTime);
        return new PublishClock(clock, () -> {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        });
    }

    /** Epoch milliseconds. */
    long millis() {
        return clock.millis();
    }

    /** Nanoseconds from an arbitrary origin: only differences mean something. */
    long nanoTime() {
        return ticker.getAsLong();
    }

    /** Milliseconds from now until {@code atNanos} of {@link #nanoTime}, 0 when it passed. */
    long millisUntil(long atNanos) {
        return Math.max(0, (atNanos - nanoTime()) / 1_000_000);
    }
}
