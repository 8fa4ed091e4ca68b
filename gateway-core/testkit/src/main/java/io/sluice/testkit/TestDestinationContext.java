package io.sluice.testkit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.metrics.MicrometerMetrics;
import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.metrics.Metrics;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DestinationContext} for tests that drive a destination without the gateway: the real UTC clock, a
 * one-thread scheduler, the runtime's metrics on a {@link SimpleMeterRegistry} (read back with {@link #counter} and
 * {@link #gauge}), and the state folder the test gives. Closing it stops the scheduler.
 */
public final class TestDestinationContext implements DestinationContext, AutoCloseable {

    private final String name;
    private final Path state;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Metrics metrics;

    public TestDestinationContext(String name, Path state) {
        this.name = name;
        this.state = state;
        this.metrics = new MicrometerMetrics(registry, "destination", name);
    }

    @Override public String name() { return name; }

    @Override public Clock clock() { return Clock.systemUTC(); }

    @Override public ScheduledExecutorService scheduler() { return scheduler; }

    @Override public Metrics metrics() { return metrics; }

    @Override public Logger logger() { return LoggerFactory.getLogger("test." + name); }

    @Override public Path stateDirectory() { return state; }

    /** The sum of the counters called {@code metric} (over all their tags); 0 if none was made. */
    public long counter(String metric) {
        return (long) registry.find(metric).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** The current value of the gauge called {@code metric}; NaN if none was registered. */
    public double gauge(String metric) {
        Gauge g = registry.find(metric).gauge();
        return g == null ? Double.NaN : g.value();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
