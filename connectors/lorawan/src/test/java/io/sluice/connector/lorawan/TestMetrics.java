package io.sluice.connector.lorawan;

import io.sluice.spi.metrics.Metrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** A real, in-memory Metrics for tests (the SPI, not a mock). */
public final class TestMetrics implements Metrics {

    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Number>> gauges = new ConcurrentHashMap<>();

    @Override
    public Counter counter(String name, String... tags) {
        AtomicLong c = counters.computeIfAbsent(name, k -> new AtomicLong());
        return new Counter() {
            @Override
            public void increment(long amount) {
                c.addAndGet(amount);
            }

            @Override
            public long count() {
                return c.get();
            }
        };
    }

    @Override
    public void gauge(String name, Supplier<Number> value, String... tags) {
        gauges.put(name, value);
    }

    @Override
    public Distribution distribution(String name, String... tags) {
        return v -> { };
    }

    public long count(String name) {
        AtomicLong c = counters.get(name);
        return c == null ? 0 : c.get();
    }

    /** The current value of gauge {@code name}, or null when none is registered. */
    public Number gauge(String name) {
        Supplier<Number> g = gauges.get(name);
        return g == null ? null : g.get();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new java.util.TreeMap<>();
        counters.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }
}
