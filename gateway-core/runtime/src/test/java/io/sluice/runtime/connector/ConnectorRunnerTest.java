package io.sluice.runtime.connector;

import static io.sluice.runtime.connector.ConnectorLifecycle.FAILED;
import static io.sluice.runtime.connector.ConnectorLifecycle.NEW;
import static io.sluice.runtime.connector.ConnectorLifecycle.RUNNING;
import static io.sluice.runtime.connector.ConnectorLifecycle.STARTING;
import static io.sluice.runtime.connector.ConnectorLifecycle.STOPPED;
import static io.sluice.runtime.connector.ConnectorLifecycle.STOPPING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.ConnectorInstance;
import io.sluice.spi.AssetContext;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.ConnectorFactory;
import io.sluice.spi.connector.HealthState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.metrics.MicrometerMetrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ConnectorRunnerTest {

    @TempDir
    Path dir;

    record NoOptions() {}

    /** A connector whose start fails while {@code failing} is set; records what the runner did to it. */
    static final class FakeFactory implements ConnectorFactory<NoOptions> {
        volatile boolean failing;
        final List<String> calls = new ArrayList<>();
        final List<ScheduledExecutorService> schedulers = new ArrayList<>();

        public String type() { return "fake"; }
        public String description() { return "fake"; }
        public Class<NoOptions> configType() { return NoOptions.class; }

        public Connector create(String name, NoOptions config) {
            int n = calls.size();
            return new Connector() {
                public void start(ConnectorContext context) {
                    calls.add("start");
                    schedulers.add(context.scheduler());
                    if (failing) throw new IllegalStateException("source unreachable");
                    context.health().report(HealthState.CONNECTED, "");
                }

                public void stop() {
                    calls.add("stop");
                }
            };
        }
    }

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        volatile Instant now = Instant.parse("2026-12-07T03:00:00Z");
        public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        public Clock withZone(java.time.ZoneId zone) { return this; }
        public Instant instant() { return now; }
    }

    private final FakeFactory factory = new FakeFactory();
    private final ManualClock clock = new ManualClock();

    private ConnectorRunner runner() {
        ConnectorInstance instance = new ConnectorInstance("plc", "fake", "raw", true, AssetContext.EMPTY, new NoOptions(), factory);
        return new ConnectorRunner(instance, samples -> CompletableFuture.completedFuture(null), new MicrometerMetrics(new SimpleMeterRegistry(), "connector", "plc"),
                dir.resolve("state"), clock);
    }

    @Test
    void theEnumAllowsOnlyTheDrawnTransitions() {
        assertTrue(NEW.canMoveTo(STARTING));
        assertTrue(STARTING.canMoveTo(RUNNING));
        assertTrue(STARTING.canMoveTo(FAILED));
        assertTrue(FAILED.canMoveTo(STARTING));
        assertTrue(RUNNING.canMoveTo(STOPPING));
        assertTrue(STOPPING.canMoveTo(STOPPED));
        assertTrue(STOPPED.canMoveTo(STARTING));

        assertFalse(NEW.canMoveTo(RUNNING));
        assertFalse(RUNNING.canMoveTo(STARTING));
        assertFalse(RUNNING.canMoveTo(STOPPED));
        assertFalse(STOPPED.canMoveTo(RUNNING));
        assertFalse(STOPPING.canMoveTo(RUNNING));
        for (ConnectorLifecycle s : ConnectorLifecycle.values()) {
            assertFalse(s.canMoveTo(s), s + " to itself");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RUNNING.moveTo(STARTING));
        assertTrue(e.getMessage().contains("RUNNING") && e.getMessage().contains("STARTING"), e.getMessage());
        assertSame(STOPPING, RUNNING.moveTo(STOPPING));
    }

    @Test
    void aRunnerStartsFailsRestartsAndStops() {
        ConnectorRunner r = runner();
        assertEquals(NEW, r.lifecycle());

        factory.failing = true;
        r.start();
        assertEquals(FAILED, r.lifecycle());
        assertEquals(HealthState.STOPPED, r.health().state());
        assertTrue(r.health().detail().contains("source unreachable"), r.health().detail());
        long failedAt = r.health().sinceMillis();
        assertEquals(clock.millis(), failedAt);

        clock.now = clock.now.plusSeconds(60);
        factory.failing = false;
        r.start(); // the restart releases what the failed attempt left, then starts a new connector
        assertEquals(RUNNING, r.lifecycle());
        assertEquals(HealthState.CONNECTED, r.health().state());
        assertEquals(failedAt + 60_000, r.health().sinceMillis(), "health changes are stamped by the runner's clock");
        assertEquals(List.of("start", "stop", "start"), factory.calls);
        assertTrue(factory.schedulers.get(0).isShutdown(), "the failed attempt's scheduler is released");

        assertThrows(IllegalStateException.class, r::start, "a running connector is not started twice");
        assertEquals(RUNNING, r.lifecycle());

        r.stop();
        assertEquals(STOPPED, r.lifecycle());
        assertEquals(HealthState.STOPPED, r.health().state());
        assertTrue(factory.schedulers.get(1).isShutdown());
        r.stop(); // stopping twice is harmless
        assertEquals(List.of("start", "stop", "start", "stop"), factory.calls);

        r.start();
        assertEquals(RUNNING, r.lifecycle(), "a stopped runner may start again");
        r.stop();
    }

    @Test
    void aRunnerNeverStartedStopsWithoutTouchingAConnector() {
        ConnectorRunner r = runner();
        r.stop();
        assertEquals(STOPPED, r.lifecycle());
        assertTrue(factory.calls.isEmpty());
    }
}
