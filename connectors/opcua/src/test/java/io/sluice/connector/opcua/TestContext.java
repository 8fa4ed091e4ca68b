package io.sluice.connector.opcua;

import io.sluice.spi.Sample;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.Health;
import io.sluice.spi.connector.HealthState;
import io.sluice.spi.connector.SampleSink;
import io.sluice.spi.metrics.Metrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real ConnectorContext for tests: collects samples and health reports, keeps metrics in maps. */
final class TestContext implements ConnectorContext, AutoCloseable {

    record HealthReport(HealthState state, String detail, long atNanos) {
    }

    final List<Sample> samples = new CopyOnWriteArrayList<>();
    final List<HealthReport> health = new CopyOnWriteArrayList<>();
    final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    final Map<String, Supplier<Number>> gauges = new ConcurrentHashMap<>();
    final Map<String, List<Double>> distributions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final Path stateDir;
    private volatile HealthState state = HealthState.STARTING;

    TestContext(Path stateDir) {
        this.stateDir = stateDir;
    }

    @Override public String name() { return "test-opcua"; }

    /** Runs before each batch is taken, on the connector's thread: a test can stall the "store" here. */
    volatile java.util.function.Consumer<List<Sample>> beforeStore = batch -> { };

    @Override public SampleSink sink() {
        return batch -> {
            beforeStore.accept(batch);
            samples.addAll(batch);
            return CompletableFuture.completedFuture(null);
        };
    }

    @Override public Clock clock() { return Clock.systemUTC(); }

    @Override public ScheduledExecutorService scheduler() { return scheduler; }

    @Override public Logger logger() { return LoggerFactory.getLogger("test-opcua"); }

    @Override public Path stateDirectory() { return stateDir; }

    @Override public Health health() {
        return new Health() {
            @Override public void report(HealthState s, String detail) {
                state = s;
                health.add(new HealthReport(s, detail, System.nanoTime()));
            }

            @Override public HealthState state() { return state; }
        };
    }

    @Override public Metrics metrics() {
        return new Metrics() {
            @Override public Counter counter(String name, String... tags) {
                AtomicLong c = counters.computeIfAbsent(name, k -> new AtomicLong());
                return new Counter() {
                    @Override public void increment(long amount) { c.addAndGet(amount); }
                    @Override public long count() { return c.get(); }
                };
            }

            @Override public void gauge(String name, Supplier<Number> value, String... tags) { gauges.put(name, value); }

            @Override public Distribution distribution(String name, String... tags) {
                List<Double> values = distributions.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>());
                return values::add;
            }
        };
    }

    HealthState state() { return state; }

    List<Sample> samplesOf(String tag) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) if (s.tag().equals(tag)) out.add(s);
        return out;
    }

    long counter(String name) {
        AtomicLong c = counters.get(name);
        return c == null ? 0 : c.get();
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            Thread.sleep(20);
        }
    }

    @Override public void close() {
        scheduler.shutdownNow();
    }
}
