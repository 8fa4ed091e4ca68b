package io.sluice.connector.opcda;

import io.sluice.spi.Sample;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.Health;
import io.sluice.spi.connector.HealthState;
import io.sluice.spi.connector.SampleSink;
import io.sluice.spi.metrics.Metrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A ConnectorContext for tests: collects samples and health reports, counts metrics, a settable clock. */
final class TestContext implements ConnectorContext, SampleSink, Metrics, Health {

    final List<Sample> samples = new CopyOnWriteArrayList<>();
    final List<String> healthLog = new CopyOnWriteArrayList<>();
    final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    final Map<String, Supplier<Number>> gauges = new ConcurrentHashMap<>();
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ScheduledExecutorService scheduler;
    private volatile HealthState state = HealthState.STARTING;

    TestContext(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    @Override public String name() { return "test-opcda"; }
    @Override public SampleSink sink() { return this; }
    @Override public Clock clock() { return clock; }
    @Override public ScheduledExecutorService scheduler() { return scheduler; }
    @Override public Metrics metrics() { return this; }
    @Override public Logger logger() { return LoggerFactory.getLogger("opcda-test"); }
    @Override public Health health() { return this; }
    @Override public Path stateDirectory() { return Path.of(System.getProperty("java.io.tmpdir")); }

    @Override
    public CompletableFuture<Void> publish(List<Sample> batch) {
        samples.addAll(batch);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Counter counter(String name, String... tags) {
        AtomicLong c = counters.computeIfAbsent(name, n -> new AtomicLong());
        return new Counter() {
            @Override public void increment(long amount) { c.addAndGet(amount); }
            @Override public long count() { return c.get(); }
        };
    }

    long count(String name) {
        AtomicLong c = counters.get(name);
        return c == null ? 0 : c.get();
    }

    @Override public void gauge(String name, Supplier<Number> value, String... tags) { gauges.put(name, value); }

    @Override public Distribution distribution(String name, String... tags) { return v -> { }; }

    @Override
    public void report(HealthState s, String detail) {
        state = s;
        healthLog.add(s + ": " + detail);
    }

    @Override public HealthState state() { return state; }

    List<Sample> samplesOf(String tag) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) if (s.tag().equals(tag)) out.add(s);
        return out;
    }

    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) { now = start; }

        void advance(Duration d) { now = now.plus(d); }

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }
}
