package io.sluice.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesFromTheInitialStepUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(700), () -> 0.999_999);
        long[] millis = new long[6];
        for (int i = 0; i < millis.length; i++) millis[i] = backoff.next().toMillis();
        assertEquals(99, millis[0]);
        assertEquals(199, millis[1]);
        assertEquals(399, millis[2]);
        for (int i = 3; i < millis.length; i++) assertEquals(699, millis[i], "capped at attempt " + i);
        assertEquals(6, backoff.failures());
    }

    @Test
    void jitterStaysBetweenHalfAndAllOfTheStep() {
        Backoff low = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.0);
        Backoff high = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));
        for (int i = 0; i < 20; i++) {
            long step = Math.min(60_000, 1000L << Math.min(i, 20));
            assertEquals(step / 2, low.next().toMillis());
            long drawn = high.next().toMillis();
            assertTrue(drawn >= step / 2 && drawn <= step, drawn + " for step " + step);
        }
    }

    @Test
    void aResetStartsOverAndLongOutagesNeverOverflow() {
        Backoff backoff = new Backoff(Duration.ofNanos(1), Duration.ofDays(1), () -> 0.0);
        for (int i = 0; i < 200; i++) assertTrue(backoff.nextNanos() > 0 || i == 0);
        assertEquals(Duration.ofDays(1).toNanos() / 2, backoff.nextNanos());
        backoff.reset();
        assertEquals(0, backoff.failures());
        assertEquals(0, backoff.nextNanos());
    }

    @Test
    void theTopOfTheRandomRangeIsTheWholeStep() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), () -> 1.0);
        for (long seconds : new long[] {1, 2, 4, 8, 10, 10}) assertEquals(Duration.ofSeconds(seconds), backoff.next());
        backoff.reset();
        assertEquals(Duration.ofSeconds(1), backoff.next());
        assertEquals(1, backoff.failures());
    }

    @Test
    void aConfiguredCapBelowTheFirstStepIsRaisedToIt() {
        Backoff zero = Backoff.withConfiguredCap(Duration.ofSeconds(1), Duration.ZERO);
        Backoff below = Backoff.withConfiguredCap(Duration.ofSeconds(1), Duration.ofMillis(200));
        for (int i = 0; i < 5; i++) {
            assertTrue(zero.next().compareTo(Duration.ofSeconds(1)) <= 0);
            assertTrue(below.next().compareTo(Duration.ofMillis(500)) >= 0);
        }
        Backoff above = Backoff.withConfiguredCap(Duration.ofMillis(200), Duration.ofSeconds(1));
        for (int i = 0; i < 3; i++) above.next();
        Duration capped = above.next();
        assertTrue(capped.compareTo(Duration.ofMillis(500)) >= 0 && capped.compareTo(Duration.ofSeconds(1)) <= 0, capped.toString());
    }

    @Test
    void refusesAnInvertedRange() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
    }
}
