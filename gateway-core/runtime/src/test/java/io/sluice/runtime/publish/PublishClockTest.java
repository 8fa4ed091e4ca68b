package io.sluice.runtime.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PublishClockTest {

    @Test
    void aTestsClockDrivesBothWallTimeAndElapsedTime() {
        ManualClock wall = new ManualClock(Instant.parse("2026-12-07T03:00:00Z"));
        PublishClock clock = PublishClock.of(wall);
        long start = clock.nanoTime();
        assertEquals(start, clock.nanoTime(), "a clock that stands still measures no time");
        wall.advance(Duration.ofMillis(1500));
        assertEquals(1_500_000_000L, clock.nanoTime() - start);
        assertEquals(Instant.parse("2026-12-07T03:00:01.500Z").toEpochMilli(), clock.millis());
        assertEquals(500, clock.millisUntil(clock.nanoTime() + 500_000_000L));
        assertEquals(0, clock.millisUntil(start), "a time passed is 0 away, not negative");
    }

    @Test
    void theSystemClockMeasuresElapsedTimeOnTheMonotonicTicker() {
        PublishClock clock = PublishClock.of(Clock.systemUTC());
        long before = System.nanoTime();
        long ticked = clock.nanoTime();
        assertTrue(ticked - before >= 0 && System.nanoTime() - ticked >= 0, "System.nanoTime's scale, not epoch nanos");
    }
}
