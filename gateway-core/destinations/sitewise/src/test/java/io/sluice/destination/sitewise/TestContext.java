package io.sluice.destination.sitewise;

import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.metrics.Metrics;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A DestinationContext for tests without the runtime: a given clock, counters kept in a map. */
final class TestContext implements DestinationContext {

    final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final Clock clock;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    TestContext(Clock clock) {
        this.clock = clock;
    }

    long counter(String name) {
        AtomicLong n = counters.get(name);
        return n == null ? 0 : n.get();
    }

    @Override public String name() { return "test"; }

    @Override public Clock clock() { return clock; }

    @Override public ScheduledExecutorService scheduler() { return scheduler; }

    @Override public Logger logger() { return LoggerFactory.getLogger("sitewise-test"); }

    @Override public Path stateDirectory() { return Path.of(System.getProperty("java.io.tmpdir")); }

    @Override
    public Metrics metrics() {
        return new Metrics() {
            @Override
            public Counter counter(String name, String... tags) {
                String key = tags.length == 0 ? name : name + String.join(",", tags);
                AtomicLong n = counters.computeIfAbsent(key, k -> new AtomicLong());
                return new Counter() {
                    @Override public void increment(long amount) { n.addAndGet(amount); }
                    @Override public long count() { return n.get(); }
                };
            }

            @Override public void gauge(String name, Supplier<Number> value, String... tags) {}

            @Override public Distribution distribution(String name, String... tags) { return v -> {}; }
        };
    }
}
