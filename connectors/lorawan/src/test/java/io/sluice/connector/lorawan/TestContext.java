package io.sluice.connector.lorawan;

import io.sluice.spi.Sample;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.Health;
import io.sluice.spi.connector.HealthState;
import io.sluice.spi.connector.SampleSink;
import io.sluice.spi.metrics.Metrics;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real ConnectorContext for tests: a sink that keeps every committed sample in memory, a real scheduler. */
public final class TestContext implements ConnectorContext, AutoCloseable {

    private final Path state;
    private final TestMetrics metrics = new TestMetrics();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final List<Sample> samples = new ArrayList<>();
    private volatile HealthState health = HealthState.STARTING;
    private volatile String healthDetail = "";
    private final List<String> healthReports = new java.util.concurrent.CopyOnWriteArrayList<>();

    public TestContext(Path state) {
        this.state = state;
    }

    @Override public String name() { return "lora"; }

    @Override
    public SampleSink sink() {
        return batch -> {
            synchronized (samples) {
                samples.addAll(batch);
            }
            return CompletableFuture.completedFuture(null);
        };
    }

    @Override public Clock clock() { return Clock.systemUTC(); }

    @Override public ScheduledExecutorService scheduler() { return scheduler; }

    @Override public Metrics metrics() { return metrics; }

    @Override public Logger logger() { return LoggerFactory.getLogger("lorawan-test"); }

    @Override
    public Health health() {
        return new Health() {
            @Override
            public void report(HealthState state, String detail) {
                health = state;
                healthDetail = detail;
                healthReports.add(state + ": " + detail);
            }

            @Override
            public HealthState state() {
                return health;
            }
        };
    }

    @Override public Path stateDirectory() { return state; }

    public TestMetrics testMetrics() { return metrics; }

    public HealthState healthState() { return health; }

    public String healthDetail() { return healthDetail; }

    /** Every health report so far, as {@code STATE: detail}. */
    public List<String> healthReports() { return List.copyOf(healthReports); }

    public List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    public int sampleCount() {
        synchronized (samples) {
            return samples.size();
        }
    }

    /** Polls {@code condition} every 10 ms up to {@code timeoutMs}; returns whether it became true. */
    public static boolean await(java.util.function.BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() - end < 0) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
