package io.sluice.runtime.destination;

import io.sluice.spi.AssetContext;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.metrics.Metrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A DestinationContext for file destination tests: a clock the test moves, counters in a map. */
final class FileTestContext implements DestinationContext, AutoCloseable {

    final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    final MovableClock clock = new MovableClock(Instant.parse("2026-12-06T10:00:00Z"));
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Path state;

    FileTestContext(Path state) {
        this.state = state;
    }

    long counter(String name) {
        AtomicLong n = counters.get(name);
        return n == null ? 0 : n.get();
    }

    @Override public String name() { return "out"; }

    @Override public Clock clock() { return clock; }

    @Override public ScheduledExecutorService scheduler() { return scheduler; }

    @Override public Logger logger() { return LoggerFactory.getLogger("file-destination-test"); }

    @Override public Path stateDirectory() { return state; }

    @Override
    public Metrics metrics() {
        return new Metrics() {
            @Override
            public Counter counter(String name, String... tags) {
                AtomicLong n = counters.computeIfAbsent(name, k -> new AtomicLong());
                return new Counter() {
                    @Override public void increment(long amount) { n.addAndGet(amount); }
                    @Override public long count() { return n.get(); }
                };
            }

            @Override public void gauge(String name, Supplier<Number> value, String... tags) {}

            @Override public Distribution distribution(String name, String... tags) { return v -> {}; }
        };
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** Samples of stream "high" with sequences from..to-1, each with a 40-character string value. */
    static List<OutboundSample> samples(long from, long to) {
        List<OutboundSample> out = new ArrayList<>();
        for (long seq = from; seq < to; seq++) {
            Sample s = Sample.good("h." + String.format("%03d", seq % 1000), Value.of("value-" + "x".repeat(34)), 1_765_000_000_000_000_000L + seq);
            out.add(new OutboundSample("high", seq, "sim", s, AssetContext.EMPTY));
        }
        return out;
    }

    static FileDestinationConfig config(Path dir, String rotateSize, Duration rotateAge, int keepFiles) {
        return new FileDestinationConfig(dir.toString(), "samples", io.sluice.spi.config.DataSize.parse(rotateSize),
                rotateAge, keepFiles, false);
    }

    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }

        @Override public Clock withZone(ZoneId zone) { return this; }

        @Override public Instant instant() { return now; }
    }
}
