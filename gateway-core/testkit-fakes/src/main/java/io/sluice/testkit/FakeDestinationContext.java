package io.sluice.testkit;

import io.sluice.spi.destination.DestinationContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DestinationContext} for tests that drive a destination without the gateway: the system's UTC clock
 * unless the test gives one (a {@link MovableClock}), a one-thread scheduler stopped by {@link #close}, metrics in
 * a {@link FakeMetrics} read back with {@link #counter} and {@link #gauge}, and the state folder the test gives.
 */
public final class FakeDestinationContext implements DestinationContext, AutoCloseable {

    private final String name;
    private final Path stateDirectory;
    private final FakeMetrics metrics = new FakeMetrics();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private volatile Clock clock = Clock.systemUTC();

    public FakeDestinationContext(String name, Path stateDirectory) {
        this.name = Objects.requireNonNull(name, "name");
        this.stateDirectory = Objects.requireNonNull(stateDirectory, "stateDirectory");
    }

    /** Uses {@code clock} instead of the system's UTC clock. */
    public FakeDestinationContext withClock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    @Override public String name() { return name; }

    @Override public Clock clock() { return clock; }

    @Override public ScheduledExecutorService scheduler() { return scheduler; }

    @Override public FakeMetrics metrics() { return metrics; }

    @Override public Logger logger() { return LoggerFactory.getLogger("test." + name); }

    @Override public Path stateDirectory() { return stateDirectory; }

    /** The counter called {@code name} (all tags added up); 0 when none was made. */
    public long counter(String name) {
        return metrics.count(name);
    }

    /** The gauge called {@code name}; NaN when none was registered. */
    public double gauge(String name) {
        Number n = metrics.gaugeValue(name);
        return n == null ? Double.NaN : n.doubleValue();
    }

    /** Waits until the counter called {@code name} reaches {@code atLeast}; see {@link FakeMetrics#awaitCounter}. */
    public long awaitCounter(String name, long atLeast, Duration timeout) throws InterruptedException {
        return metrics.awaitCounter(name, atLeast, timeout);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
