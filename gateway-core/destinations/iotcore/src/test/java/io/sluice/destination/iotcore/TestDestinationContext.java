package io.sluice.destination.iotcore;

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

/** A small DestinationContext for destination-level tests (the SPI, not a mocked peer). */
final class TestDestinationContext implements DestinationContext, AutoCloseable {

    final Map<String, Supplier<Number>> gauges = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
    private final Path state;

    TestDestinationContext(Path state) {
        this.state = state;
    }

    @Override public String name() { return "test"; }
    @Override public Clock clock() { return Clock.systemUTC(); }
    @Override public ScheduledExecutorService scheduler() { return scheduler; }
    @Override public Logger logger() { return LoggerFactory.getLogger("iotcore-test"); }
    @Override public Path stateDirectory() { return state; }

    @Override
    public Metrics metrics() {
        return new Metrics() {
            @Override
            public Counter counter(String name, String... tags) {
                AtomicLong n = new AtomicLong();
                return new Counter() {
                    @Override public void increment(long amount) { n.addAndGet(amount); }
                    @Override public long count() { return n.get(); }
                };
            }

            @Override
            public void gauge(String name, Supplier<Number> value, String... tags) {
                gauges.put(name, value);
            }

            @Override
            public Distribution distribution(String name, String... tags) {
                return v -> {};
            }
        };
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
