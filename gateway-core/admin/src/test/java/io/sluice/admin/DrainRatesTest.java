package io.sluice.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.runtime.store.StreamStats;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DrainRatesTest {

    private static StreamStats stream(long first, long next, Map<String, Long> cursors) {
        return new StreamStats("s", true, first, next, 0, 0, cursors, 0, 0, 0, 0);
    }

    @Test
    void backlogIsWhatTheSlowestDestinationHasNotHad() {
        assertEquals(60, DrainRates.backlog(stream(0, 100, Map.of("a", 90L, "b", 40L))));
        assertEquals(0, DrainRates.backlog(stream(0, 100, Map.of())), "no destination: nothing waits");
        assertEquals(50, DrainRates.backlog(stream(50, 100, Map.of("a", 10L))), "a cursor before the oldest stored sample");
    }

    @Test
    void ratesComeFromTheWindowOfSamples() {
        DrainRates rates = new DrainRates();
        rates.sample(0, List.of(stream(0, 1000, Map.of("a", 0L))));
        rates.sample(1000, List.of(stream(0, 1100, Map.of("a", 300L))));
        rates.sample(2000, List.of(stream(0, 1200, Map.of("a", 600L))));
        assertEquals(300, rates.rate("s").drainPerSecond(), 1e-9);
        assertEquals(100, rates.rate("s").appendPerSecond(), 1e-9);
        assertEquals(0, rates.rate("unknown").drainPerSecond());
    }
}
