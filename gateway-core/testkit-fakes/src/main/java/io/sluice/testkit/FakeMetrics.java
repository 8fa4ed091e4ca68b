package io.sluice.testkit;

import io.sluice.spi.metrics.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The SPI's {@link Metrics} in memory, read back by the test. A meter is one name plus its tags; the readers that
 * take only a name add up (or, for gauges and distributions, take the first of) every tag combination.
 */
public final class FakeMetrics implements Metrics {

    private record Key(String name, List<String> tags) {
        static Key of(String name, String... tags) {
            return new Key(name, List.of(tags));
        }
    }

    private final Map<Key, AtomicLong> counters = new ConcurrentHashMap<>();
    private final Map<Key, Supplier<Number>> gauges = new ConcurrentHashMap<>();
    private final Map<Key, List<Double>> distributions = new ConcurrentHashMap<>();
    private final Object changed = new Object();

    @Override
    public Counter counter(String name, String... tags) {
        AtomicLong c = counters.computeIfAbsent(Key.of(name, tags), k -> new AtomicLong());
        return new Counter() {
            @Override
            public void increment(long amount) {
                c.addAndGet(amount);
                synchronized (changed) {
                    changed.notifyAll();
                }
            }

            @Override
            public long count() {
                return c.get();
            }
        };
    }

    @Override
    public void gauge(String name, Supplier<Number> value, String... tags) {
        gauges.put(Key.of(name, tags), value);
    }

    @Override
    public Distribution distribution(String name, String... tags) {
        List<Double> values = distributions.computeIfAbsent(Key.of(name, tags), k -> new CopyOnWriteArrayList<>());
        return values::add;
    }

    /** The sum of every counter called {@code name}, whatever its tags; 0 when none was made. */
    public long count(String name) {
        long sum = 0;
        for (Map.Entry<Key, AtomicLong> e : counters.entrySet()) if (e.getKey().name().equals(name)) sum += e.getValue().get();
        return sum;
    }

    /** The counter called {@code name} with exactly these tags; 0 when none was made. */
    public long countTagged(String name, String... tags) {
        AtomicLong c = counters.get(Key.of(name, tags));
        return c == null ? 0 : c.get();
    }

    /** The current value of the gauge called {@code name} (the first registered, whatever its tags); null when none. */
    public Number gaugeValue(String name) {
        for (Map.Entry<Key, Supplier<Number>> e : gauges.entrySet()) if (e.getKey().name().equals(name)) return e.getValue().get();
        return null;
    }

    /** Every value recorded in the distributions called {@code name}, whatever their tags; empty when none. */
    public List<Double> recorded(String name) {
        List<Double> out = new ArrayList<>();
        for (Map.Entry<Key, List<Double>> e : distributions.entrySet()) if (e.getKey().name().equals(name)) out.addAll(e.getValue());
        return out;
    }

    /** Every counter by name (tags added up), sorted, for assertion messages. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counters.forEach((k, v) -> m.merge(k.name(), v.get(), Long::sum));
        return m;
    }

    /**
     * Waits until the counter called {@code name} reaches {@code atLeast} and returns its value; fails with the
     * counters seen when {@code timeout} passes first. Woken by every increment, no polling.
     */
    public long awaitCounter(String name, long atLeast, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (true) {
                long now = count(name);
                if (now >= atLeast) return now;
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("counter " + name + " stayed at " + now + " (wanted at least " + atLeast + ") for "
                            + timeout + "; counters: " + snapshot());
                }
                Waits.waitOn(changed, left);
            }
        }
    }
}
