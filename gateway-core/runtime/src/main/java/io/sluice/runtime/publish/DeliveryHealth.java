package io.sluice.runtime.publish;

import io.sluice.support.Backoff;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a destination's calls work, as status shows it: the last error and since when calls have been failing
 * (one WARN when a failing episode begins, one INFO when it delivers again), failures counted by reason, the time of
 * the last confirmed call, the backoff between failed attempts and when the current wait ends. Times come from the
 * {@link PublishClock}. Changed on the worker's thread only; read by status from any thread.
 */
final class DeliveryHealth {

    private static final Logger log = LoggerFactory.getLogger(DeliveryHealth.class);
    /** The first wait after a failed call; it doubles up to the destination's {@code max-backoff}. */
    static final Duration FIRST_RETRY = Duration.ofMillis(200);

    private final String destination;
    private final DestinationCounters counters;
    private final PublishClock clock;
    private final Backoff backoff;
    private boolean failing;
    private volatile String lastError = "";
    private volatile long lastSuccessMillis;
    /** Epoch millis of the first failure of the current failing episode, 0 while delivering. */
    private volatile long failingSinceMillis;
    /** {@link PublishClock#nanoTime} when the current wait ends, or 0 when not waiting. */
    private volatile long waitEndsNanos;

    DeliveryHealth(String destination, DestinationCounters counters, PublishClock clock, Backoff backoff) {
        this.destination = destination;
        this.counters = counters;
        this.clock = clock;
        this.backoff = backoff;
    }

    /** A backoff from {@code first}, doubling up to a destination's {@code maxBackoff} (at least {@code first}). */
    static Backoff backoff(Duration first, Duration maxBackoff) {
        return Backoff.withConfiguredCap(first, maxBackoff);
    }

    /** A failed call or packet: counted under {@code key}; the first of an episode is logged and starts it. */
    void failed(String key, String detail) {
        counters.failed(key);
        lastError = detail == null ? key : detail;
        if (!failing) {
            failing = true;
            failingSinceMillis = clock.millis();
            log.warn("destination {}: {}", destination, lastError);
        }
    }

    /** A call answered with nothing to retry: the backoff starts over and a failing episode ends. */
    void succeeded() {
        backoff.reset();
        lastSuccessMillis = clock.millis();
        if (failing) {
            failing = false;
            failingSinceMillis = 0;
            lastError = "";
            log.info("destination {}: delivering again", destination);
        }
    }

    /** How long to wait before trying again after a failure; each call lengthens the next wait. */
    long nextBackoffNanos() {
        return backoff.nextNanos();
    }

    /** A wait of {@code nanos} begins; returns its end on the {@link PublishClock#nanoTime} scale. */
    long waitBegins(long nanos) {
        long end = clock.nanoTime() + nanos;
        waitEndsNanos = end == 0 ? 1 : end;
        return end;
    }

    void waitEnded() {
        waitEndsNanos = 0;
    }

    String lastError() {
        return lastError;
    }

    /** Epoch millis of the last confirmed call, 0 if none. */
    long lastSuccessMillis() {
        return lastSuccessMillis;
    }

    /** Epoch millis since which calls have been failing, 0 while delivering. */
    long failingSinceMillis() {
        return failingSinceMillis;
    }

    /** Milliseconds until the next attempt while waiting, -1 when not waiting. */
    long nextRetryInMillis() {
        long at = waitEndsNanos;
        return at == 0 ? -1 : clock.millisUntil(at);
    }

    /** A reason with numbers and ids replaced ({@code N}, {@code *}), so failures group by kind. */
    static String reasonKey(String reason) {
        if (reason == null) return "unknown";
        String key = reason.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "*").replaceAll("\\d+", "N");
        return key.length() > 80 ? key.substring(0, 80) : key;
    }
}
