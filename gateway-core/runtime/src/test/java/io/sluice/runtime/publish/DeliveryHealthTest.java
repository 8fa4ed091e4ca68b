package io.sluice.runtime.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.support.Backoff;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Failing episodes, backoff waits and the rate slow-down, on a clock the test moves. */
@Timeout(10)
class DeliveryHealthTest {

    private static final Instant T0 = Instant.parse("2026-12-07T03:00:00Z");

    private final ManualClock wall = new ManualClock(T0);
    private final PublishClock clock = PublishClock.of(wall);
    private final DestinationCounters counters = new DestinationCounters("out", new SimpleMeterRegistry());
    /** Jitter fixed at its lowest: each wait is half of its step. */
    private final DeliveryHealth health = new DeliveryHealth("out", counters, clock,
            new Backoff(DeliveryHealth.FIRST_RETRY, Duration.ofSeconds(1), () -> 0.0));

    @Test
    void aFailingEpisodeStartsAtItsFirstFailureAndEndsAtTheNextSuccess() {
        assertEquals(0, health.failingSinceMillis());
        assertEquals("", health.lastError());
        health.failed("timeout after Ns", "timeout after 5s");
        wall.advance(Duration.ofSeconds(30));
        health.failed("timeout after Ns", "timeout after 7s");
        assertEquals(T0.toEpochMilli(), health.failingSinceMillis(), "failing since the first failure of the episode");
        assertEquals("timeout after 7s", health.lastError());
        assertEquals(2, counters.failures.get("timeout after Ns").get());

        wall.advance(Duration.ofSeconds(5));
        health.succeeded();
        assertEquals(0, health.failingSinceMillis());
        assertEquals("", health.lastError());
        assertEquals(T0.plusSeconds(35).toEpochMilli(), health.lastSuccessMillis());

        wall.advance(Duration.ofMinutes(1));
        health.failed("rejected: bad", "bad");
        assertEquals(T0.plusSeconds(95).toEpochMilli(), health.failingSinceMillis(), "a new episode");
    }

    @Test
    void waitsDoubleUpToTheCapAndStartOverAfterASuccess() {
        assertEquals(100, health.nextBackoffNanos() / 1_000_000);
        assertEquals(200, health.nextBackoffNanos() / 1_000_000);
        assertEquals(400, health.nextBackoffNanos() / 1_000_000);
        assertEquals(500, health.nextBackoffNanos() / 1_000_000, "capped at max-backoff (1s), jitter at half");
        assertEquals(500, health.nextBackoffNanos() / 1_000_000);
        health.succeeded();
        assertEquals(100, health.nextBackoffNanos() / 1_000_000);
    }

    @Test
    void nextRetryCountsDownOnTheClock() {
        assertEquals(-1, health.nextRetryInMillis(), "not waiting");
        long end = health.waitBegins(health.nextBackoffNanos());
        assertEquals(100, health.nextRetryInMillis());
        wall.advance(Duration.ofMillis(40));
        assertEquals(60, health.nextRetryInMillis());
        assertEquals(60_000_000L, end - clock.nanoTime());
        wall.advance(Duration.ofMillis(100));
        assertEquals(0, health.nextRetryInMillis(), "overdue, not negative");
        health.waitEnded();
        assertEquals(-1, health.nextRetryInMillis());
    }

    @Test
    void aBackoffCapBelowTheFirstWaitIsRaisedToIt() {
        DeliveryHealth tight = new DeliveryHealth("out", counters, clock,
                DeliveryHealth.backoff(DeliveryHealth.FIRST_RETRY, Duration.ofMillis(50)));
        long wait = tight.nextBackoffNanos();
        assertEquals(true, wait >= 100_000_000L && wait <= 200_000_000L, String.valueOf(wait));
    }

    @Test
    void rateTokensRefillOnTheClockAndThrottlingHalvesTheRates() {
        CallRateLimiter rates = new CallRateLimiter(new io.sluice.spi.destination.RateLimits(10, 100, 0), clock);
        assertEquals(100_000_001L, rates.waitNanos(1, 5000), "the bucket starts empty: one call at 10/s waits 100ms");
        wall.advance(Duration.ofMillis(100));
        assertEquals(0, rates.waitNanos(1, 5000));
        rates.take(1, 5000);
        assertEquals(true, rates.slowDown());
        assertEquals(0.5, rates.factor());
        assertEquals(200_000_001L, rates.waitNanos(1, 5000), "5 calls a second now");
        for (int i = 0; i < 5; i++) rates.slowDown();
        assertEquals(0.1, rates.factor(), 1e-9, "not below a tenth");
        assertEquals(false, rates.slowDown());
        rates.recover();
        assertEquals(0.105, rates.factor(), 1e-9);
    }

    @Test
    void reasonsGroupByKind() {
        assertEquals("timeout after Ns", DeliveryHealth.reasonKey("timeout after 120s"));
        assertEquals("request * failed", DeliveryHealth.reasonKey("request 123e4567-e89b-12d3-a456-426614174000 failed"));
        assertEquals("unknown", DeliveryHealth.reasonKey(null));
    }
}
