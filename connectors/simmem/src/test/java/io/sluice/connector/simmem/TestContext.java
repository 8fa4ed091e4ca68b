package io.sluice.connector.simmem;

import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.Health;
import io.sluice.spi.connector.HealthState;
import io.sluice.spi.connector.SampleSink;
import io.sluice.spi.metrics.Metrics;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.event.EventRecordingLogger;
import org.slf4j.event.Level;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.SubstituteLogger;

/** The SPI's context for a connector under test: a sink that hands batches to the test, real counters, health log. */
final class TestContext implements ConnectorContext, AutoCloseable {

    final List<String> healthLog = new CopyOnWriteArrayList<>();
    final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final Consumer<List<Sample>> consumer;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Path stateDir;
    private volatile HealthState state = HealthState.STARTING;
    /** While set, the sink refuses every batch with this reason, as the store does when full under reject-new. */
    volatile String refusing;
    /** Everything the connector logs, every level. */
    final Queue<SubstituteLoggingEvent> logged = new ConcurrentLinkedQueue<>();

    TestContext(Consumer<List<Sample>> consumer, Path stateDir) {
        this.consumer = consumer;
        this.stateDir = stateDir;
    }

    @Override
    public String name() {
        return "sim";
    }

    @Override
    public SampleSink sink() {
        return samples -> {
            String reason = refusing;
            if (reason != null) return CompletableFuture.failedFuture(new SluiceException(reason, true));
            consumer.accept(samples);
            return CompletableFuture.completedFuture(null);
        };
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public Metrics metrics() {
        return new Metrics() {
            @Override
            public Counter counter(String name, String... tags) {
                AtomicLong c = counters.computeIfAbsent(name + List.of(tags), k -> new AtomicLong());
                return new Counter() {
                    @Override
                    public void increment(long amount) {
                        c.addAndGet(amount);
                    }

                    @Override
                    public long count() {
                        return c.get();
                    }
                };
            }

            @Override
            public void gauge(String name, Supplier<Number> value, String... tags) {}

            @Override
            public Distribution distribution(String name, String... tags) {
                return v -> {};
            }
        };
    }

    @Override
    public Logger logger() {
        return new EventRecordingLogger(new SubstituteLogger(SimMemConnector.class.getName(), logged, false), logged);
    }

    @Override
    public Health health() {
        return new Health() {
            @Override
            public void report(HealthState s, String detail) {
                state = s;
                healthLog.add(s + " " + detail);
            }

            @Override
            public HealthState state() {
                return state;
            }
        };
    }

    /** How many lines at {@code level} contain {@code text}. */
    long logged(Level level, String text) {
        return logLines().stream().filter(l -> l.startsWith(level + " ") && l.contains(text)).count();
    }

    /** What was logged, as {@code LEVEL message}. */
    List<String> logLines() {
        return logged.stream().map(e -> e.getLevel() + " " + MessageFormatter.basicArrayFormat(e.getMessage(), e.getArgumentArray()))
                .toList();
    }

    HealthState state() {
        return state;
    }

    String lastHealth() {
        return healthLog.isEmpty() ? "" : healthLog.get(healthLog.size() - 1);
    }

    @Override
    public Path stateDirectory() {
        return stateDir;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** Waits up to {@code seconds} for {@code condition}; false when it never held. */
    static boolean await(double seconds, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
