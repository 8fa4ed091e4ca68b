package io.sluice.runtime.connector;

import io.sluice.runtime.config.ConnectorInstance;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.ConnectorFactory;
import io.sluice.spi.connector.Health;
import io.sluice.spi.connector.HealthState;
import io.sluice.spi.connector.SampleSink;
import io.sluice.spi.metrics.Metrics;
import io.sluice.support.Lifecycle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connector instance: builds it, gives it its context, stops it, tracks its health. Its own life
 * (started, failed, stopped) is a {@link ConnectorLifecycle}; what the connector says about its source is its
 * {@link HealthTracker health}.
 */
public final class ConnectorRunner {

    private static final Logger log = LoggerFactory.getLogger(ConnectorRunner.class);

    private final ConnectorInstance instance;
    private final SampleSink sink;
    private final Metrics metrics;
    private final Path stateDirectory;
    private final Clock clock;
    private final HealthTracker health;
    private ScheduledThreadPoolExecutor scheduler;
    private Connector connector;
    private final Lifecycle<ConnectorLifecycle> lifecycle;

    public ConnectorRunner(ConnectorInstance instance, SampleSink sink, Metrics metrics, Path stateDirectory, Clock clock) {
        this.instance = instance;
        this.sink = sink;
        this.metrics = metrics;
        this.stateDirectory = stateDirectory;
        this.clock = clock;
        this.health = new HealthTracker(instance.name(), clock);
        this.lifecycle = new Lifecycle<>("connector " + instance.name(), ConnectorLifecycle.NEW);
    }

    public ConnectorInstance instance() {
        return instance;
    }

    /** Where the runner is in its life (see {@link ConnectorLifecycle}). */
    public ConnectorLifecycle lifecycle() {
        return lifecycle.state();
    }

    /**
     * Builds and starts the connector: {@code NEW}, {@code FAILED} or {@code STOPPED} to {@code RUNNING}, or to
     * {@code FAILED} when its factory or {@code start} throws (logged once, shown in status). Starting a runner that
     * is running throws {@link IllegalStateException}.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public synchronized void start() {
        ConnectorLifecycle from = lifecycle.state();
        lifecycle.moveTo(ConnectorLifecycle.STARTING);
        if (from == ConnectorLifecycle.FAILED) release(); // what the failed attempt left
        health.report(HealthState.STARTING, "");
        AtomicInteger threads = new AtomicInteger();
        scheduler = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "sluice-" + instance.name() + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        Logger connectorLog = LoggerFactory.getLogger("io.sluice.connector." + instance.name());
        ConnectorContext context = new ConnectorContext() {
            public String name() { return instance.name(); }
            public SampleSink sink() { return sink; }
            public Clock clock() { return clock; }
            public ScheduledExecutorService scheduler() { return scheduler; }
            public Metrics metrics() { return metrics; }
            public Logger logger() { return connectorLog; }
            public Health health() { return health; }
            public Path stateDirectory() { return stateDirectory; }
        };
        try {
            Files.createDirectories(stateDirectory);
            connector = ((ConnectorFactory) instance.factory()).create(instance.name(), instance.options());
            connector.start(context);
            lifecycle.moveTo(ConnectorLifecycle.RUNNING);
            log.info("connector {} ({}) started, default stream {}", instance.name(), instance.type(), instance.stream());
        } catch (Exception e) {
            String reason = e instanceof IOException ? "cannot create state directory " + stateDirectory + ": " + e
                    : e.getMessage();
            lifecycle.moveTo(ConnectorLifecycle.FAILED);
            health.report(HealthState.STOPPED, "failed to start: " + reason);
            log.error("connector {} failed to start: {}", instance.name(), reason);
            log.debug("connector {} failed to start", instance.name(), e);
        }
    }

    /** Stops the connector and its scheduler; a runner already stopped stays so. */
    public synchronized void stop() {
        if (lifecycle.isAnyOf(ConnectorLifecycle.STOPPED)) return;
        if (lifecycle.moveFrom(ConnectorLifecycle.NEW, ConnectorLifecycle.STOPPED)) return;
        lifecycle.moveTo(ConnectorLifecycle.STOPPING);
        release();
        lifecycle.moveTo(ConnectorLifecycle.STOPPED);
        health.report(HealthState.STOPPED, "");
        log.info("connector {} stopped", instance.name());
    }

    private void release() {
        try {
            if (connector != null) connector.stop();
        } catch (RuntimeException e) {
            log.warn("connector {} did not stop cleanly: {}", instance.name(), e.getMessage());
        }
        connector = null;
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler = null;
        }
    }

    public HealthTracker health() {
        return health;
    }

    /** Health as reported by the connector; logs each change of state once. */
    public static final class HealthTracker implements Health {
        private final String name;
        private volatile HealthState state = HealthState.STARTING;
        private volatile String detail = "";
        private final Clock clock;
        private volatile long sinceMillis;

        HealthTracker(String name, Clock clock) {
            this.name = name;
            this.clock = clock;
            this.sinceMillis = clock.millis();
        }

        @Override
        public synchronized void report(HealthState newState, String newDetail) {
            String d = newDetail == null ? "" : newDetail;
            if (newState != state) {
                sinceMillis = clock.millis();
                if (newState == HealthState.DISCONNECTED || newState == HealthState.DEGRADED) {
                    log.warn("connector {} is {}{}", name, newState, d.isEmpty() ? "" : ": " + d);
                } else {
                    log.info("connector {} is {}{}", name, newState, d.isEmpty() ? "" : ": " + d);
                }
            }
            state = newState;
            detail = d;
        }

        @Override
        public HealthState state() {
            return state;
        }

        public String detail() {
            return detail;
        }

        public long sinceMillis() {
            return sinceMillis;
        }
    }
}
