package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesUpToTheCapWithFullRandomAtTheTop() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), () -> 1.0);
        assertEquals(Duration.ofSeconds(1), b.next());
        assertEquals(Duration.ofSeconds(2), b.next());
        assertEquals(Duration.ofSeconds(4), b.next());
        assertEquals(Duration.ofSeconds(8), b.next());
        assertEquals(Duration.ofSeconds(10), b.next());
        for (int i = 0; i < 100; i++) assertEquals(Duration.ofSeconds(10), b.next(), "no overflow after many attempts");
    }

    @Test
    void jitterTakesAtMostHalfAway() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2), () -> 0.0);
        assertEquals(Duration.ofMillis(500), b.next());
        assertEquals(Duration.ofSeconds(1), b.next());
        assertEquals(Duration.ofSeconds(2), b.next());
    }

    @Test
    void resetStartsOver() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), () -> 1.0);
        b.next();
        b.next();
        b.reset();
        assertEquals(Duration.ofSeconds(1), b.next());
        assertEquals(1, b.attempts());
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), () -> 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0.5));
    }
}
