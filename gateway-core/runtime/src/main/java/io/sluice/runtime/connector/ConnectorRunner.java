package io.sluice.runtime.connector;

import io.sluice.runtime.config.ConnectorInstance;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.ConnectorFactory;
import io.sluice.spi.connector.Health;
import io.sluice.spi.connector.HealthState;
import io.sluice.spi.connector.SampleSink;
import io.sluice.spi.metrics.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one connector instance: builds it, gives it its context, stops it, tracks its health. */
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

    public ConnectorRunner(ConnectorInstance instance, SampleSink sink, Metrics metrics, Path stateDirectory, Clock clock) {
        this.instance = instance;
        this.sink = sink;
        this.metrics = metrics;
        this.stateDirectory = stateDirectory;
        this.clock = clock;
        this.health = new HealthTracker(instance.name());
    }

    public ConnectorInstance instance() {
        return instance;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public void start() {
        AtomicInteger threads = new AtomicInteger();
        scheduler = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "sluice-" + instance.name() + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        try {
            Files.createDirectories(stateDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create state directory " + stateDirectory, e);
        }
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
            connector = ((ConnectorFactory) instance.factory()).create(instance.name(), instance.options());
            connector.start(context);
            log.info("connector {} ({}) started, default stream {}", instance.name(), instance.type(), instance.stream());
        } catch (Exception e) {
            health.report(HealthState.STOPPED, "failed to start: " + e.getMessage());
            log.error("connector {} failed to start: {}", instance.name(), e.getMessage());
            log.debug("connector {} failed to start", instance.name(), e);
        }
    }

    public void stop() {
        try {
            if (connector != null) connector.stop();
        } catch (RuntimeException e) {
            log.warn("connector {} did not stop cleanly: {}", instance.name(), e.getMessage());
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        health.report(HealthState.STOPPED, "");
        log.info("connector {} stopped", instance.name());
    }

    public HealthTracker health() {
        return health;
    }

    /** Health as reported by the connector; logs each change of state once. */
    public static final class HealthTracker implements Health {
        private final String name;
        private volatile HealthState state = HealthState.STARTING;
        private volatile String detail = "";
        private volatile long sinceMillis = System.currentTimeMillis();

        HealthTracker(String name) {
            this.name = name;
        }

        @Override
        public synchronized void report(HealthState newState, String newDetail) {
            String d = newDetail == null ? "" : newDetail;
            if (newState != state) {
                sinceMillis = System.currentTimeMillis();
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
