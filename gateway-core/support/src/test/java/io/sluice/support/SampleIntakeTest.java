package io.sluice.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import io.sluice.spi.Value;
import io.sluice.spi.connector.SampleSink;
import io.sluice.spi.metrics.Metrics;
import io.sluice.support.SampleIntake.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.EventRecordingLogger;
import org.slf4j.event.Level;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.SubstituteLogger;

class SampleIntakeTest {

    private final CountingMetrics metrics = new CountingMetrics();
    private final Queue<SubstituteLoggingEvent> events = new ConcurrentLinkedQueue<>();
    private final Logger log = new EventRecordingLogger(new SubstituteLogger("intake", events, false), events);

    /** The lines logged above {@code level}, as {@code LEVEL message}. */
    private List<String> linesAbove(Level level) {
        return events.stream().filter(e -> e.getLevel().toInt() > level.toInt())
                .map(e -> e.getLevel() + " " + MessageFormatter.basicArrayFormat(e.getMessage(), e.getArgumentArray())).toList();
    }

    /** A store that refuses while {@code full} says so, the way the runtime's sink completes a refused append. */
    private final class Store implements SampleSink {
        volatile boolean full;
        final List<Sample> committed = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Void> publish(List<Sample> samples) {
            if (full) return CompletableFuture.failedFuture(new SluiceException("stream plant is full (reject-new)", true));
            committed.addAll(samples);
            return CompletableFuture.completedFuture(null);
        }
    }

    private static List<Sample> batch(int n) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(Sample.good("t" + i, Value.of(1.0), i));
        return out;
    }

    @Test
    void manyRefusalsAreOneWarningAndACountAndTheRecoveryIsOneLine() {
        Store store = new Store();
        SampleIntake intake = new SampleIntake("opcua", "plc1", store, metrics, log);
        assertTrue(intake.publish(batch(3)).isDone());
        store.full = true;
        for (int i = 0; i < 50; i++) {
            assertTrue(intake.publish(batch(2)).isCompletedExceptionally());
        }
        assertEquals(State.REFUSING, intake.state());
        assertEquals(100, metrics.count("opcua.samples.refused"));
        assertEquals(List.of("WARN opcua plc1: the store refuses samples: stream plant is full (reject-new); counting them in "
                + "opcua.samples.refused until it accepts again"), linesAbove(Level.DEBUG));

        store.full = false;
        intake.publish(batch(1));
        intake.publish(batch(1));
        assertEquals(State.ACCEPTING, intake.state());
        assertEquals(List.of("INFO opcua plc1: the store accepts samples again after 100 refused"),
                linesAbove(Level.DEBUG).subList(1, 2));
        assertEquals(2, linesAbove(Level.DEBUG).size());
        assertEquals(105, metrics.count("opcua.samples.emitted"));
        assertEquals(5, store.committed.size());
    }

    @Test
    void aSecondEpisodeIsLoggedAgainAndCountsOnlyItsOwnRefusals() {
        Store store = new Store();
        SampleIntake intake = new SampleIntake("simmem", "shm", store, metrics, log);
        for (int episode = 0; episode < 2; episode++) {
            store.full = true;
            intake.publish(batch(4));
            store.full = false;
            intake.publish(batch(1));
        }
        List<String> lines = linesAbove(Level.DEBUG);
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("WARN simmem shm: the store refuses samples"), lines.get(0));
        assertEquals("INFO simmem shm: the store accepts samples again after 4 refused", lines.get(3));
        assertEquals(8, metrics.count("simmem.samples.refused"));
    }

    @Test
    void aSinkThatThrowsIsARefusalNotAnExceptionForTheConnector() {
        SampleSink broken = samples -> {
            throw new IllegalStateException("store closed");
        };
        SampleIntake intake = new SampleIntake("lorawan", "lns", broken, metrics, log);
        CompletableFuture<Void> result = intake.publish(batch(2));
        assertTrue(result.isCompletedExceptionally());
        intake.publish(batch(2));
        assertEquals(4, metrics.count("lorawan.samples.refused"));
        assertEquals(1, linesAbove(Level.DEBUG).size());
        assertTrue(linesAbove(Level.DEBUG).get(0).contains("store closed"), events.toString());
    }

    @Test
    void anEmptyBatchIsNotHandedOver() {
        Store store = new Store();
        store.full = true;
        SampleIntake intake = new SampleIntake("opcda", "da", store, metrics, log);
        assertTrue(intake.publish(List.of()).isDone());
        assertEquals(State.ACCEPTING, intake.state());
        assertEquals(0, metrics.count("opcda.samples.emitted"));
        assertTrue(events.isEmpty());
    }

    private static final class CountingMetrics implements Metrics {
        private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

        long count(String name) {
            AtomicLong c = counts.get(name);
            return c == null ? 0 : c.get();
        }

        @Override
        public Counter counter(String name, String... tags) {
            AtomicLong c = counts.computeIfAbsent(name, k -> new AtomicLong());
            return new Counter() {
                @Override public void increment(long amount) { c.addAndGet(amount); }
                @Override public long count() { return c.get(); }
            };
        }

        @Override
        public void gauge(String name, Supplier<Number> value, String... tags) {
            throw new UnsupportedOperationException("the intake registers no gauge");
        }

        @Override
        public Distribution distribution(String name, String... tags) {
            throw new UnsupportedOperationException("the intake registers no distribution");
        }
    }
}
