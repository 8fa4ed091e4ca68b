package io.sluice.spi.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SampleWindowTest {

    private static final long NOW = 1_800_000_000_000_000_000L;
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theBoundsThemselvesAreInsideAndOneNanosecondBeyondIsOutside() {
        SampleWindow w = SampleWindow.of(Duration.ofDays(7), Duration.ofMinutes(10));
        long week = Duration.ofDays(7).toNanos();
        long tenMinutes = Duration.ofMinutes(10).toNanos();
        assertEquals(Optional.empty(), w.refusal(NOW - week, NOW));
        assertEquals(Optional.empty(), w.refusal(NOW + tenMinutes, NOW));
        assertEquals(Optional.of("source time is older than 7d (max-age)"), w.refusal(NOW - week - 1, NOW));
        assertEquals(Optional.of("source time is more than 10m ahead of the gateway clock (max-ahead)"),
                w.refusal(NOW + tenMinutes + 1, NOW));
    }

    @Test
    void anUnboundedSideRefusesNothing() {
        assertFalse(SampleWindow.UNBOUNDED.bounded());
        assertEquals(Optional.empty(), SampleWindow.UNBOUNDED.refusal(0, NOW));
        SampleWindow onlyAge = new SampleWindow(Optional.of(Duration.ofHours(1)), Optional.empty());
        assertTrue(onlyAge.bounded());
        assertEquals(Optional.empty(), onlyAge.refusal(NOW + 365L * 86_400 * SECOND, NOW));
        assertTrue(onlyAge.refusal(NOW - 3_601 * SECOND, NOW).isPresent());
    }
}
