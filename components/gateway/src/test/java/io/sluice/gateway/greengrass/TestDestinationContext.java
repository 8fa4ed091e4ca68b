package io.sluice.gateway.greengrass;

import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.metrics.Metrics;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A plain DestinationContext for tests that drive a destination without the runtime. */
final class TestDestinationContext implements DestinationContext {

    private final String name;
    private final Path state;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ConcurrentHashMap<String, AtomicLong> counters = new ConcurrentHashMap<>();

    TestDestinationContext(String name, Path state) {
        this.name = name;
        this.state = state;
    }

    @Override public String name() { return name; }
    @Override public Clock clock() { return Clock.systemUTC(); }
    @Override public ScheduledExecutorService scheduler() { return scheduler; }
    @Override public Logger logger() { return LoggerFactory.getLogger("test." + name); }
    @Override public Path stateDirectory() { return state; }

    @Override
    public Metrics metrics() {
        return new Metrics() {
            @Override
            public Counter counter(String metric, String... tags) {
                AtomicLong c = counters.computeIfAbsent(metric, k -> new AtomicLong());
                return new Counter() {
                    @Override public void increment(long amount) { c.addAndGet(amount); }
                    @Override public long count() { return c.get(); }
                };
            }

            @Override public void gauge(String metric, Supplier<Number> value, String... tags) {}

            @Override public Distribution distribution(String metric, String... tags) { return v -> {}; }
        };
    }

    void close() {
        scheduler.shutdownNow();
    }
}
