package io.sluice.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.config.ConnectorInstance;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.connector.ConnectorRunner;
import io.sluice.runtime.metrics.MicrometerMetrics;
import io.sluice.runtime.publish.Publisher;
import io.sluice.runtime.route.AssetResolver;
import io.sluice.runtime.route.Router;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StreamSettings;
import io.sluice.spi.AssetContext;
import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import io.sluice.spi.connector.SampleSink;
import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.destination.GatewayServices;
import io.sluice.spi.metrics.Metrics;
import io.sluice.support.Lifecycle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: connectors feed the router, the router appends to the stream store, the publisher drains the
 * store to the destinations. Built from a validated {@link GatewayConfig}; {@link #reconfigure} applies a new one
 * touching only what changed; {@link #close} stops connectors first, then flushes, then stops the publisher and
 * closes the store, so nothing acknowledged is lost.
 *
 * <pre>
 *   start() ──► STARTING ──► RUNNING ──reconfigure()──► RUNNING
 *                  │            │
 *        (fails)   └────────► close() ──► STOPPING (connectors, flush, publisher, store) ──► STOPPED
 * </pre>
 * The states and their moves are {@link GatewayLifecycle}.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    public static final String STORE_FILE = "streams.db";
    public static final String STATUS_FILE = "status.json";
    /** The file a running gateway holds locked in its data directory (see {@link DataDirectoryLock}). */
    public static final String LOCK_FILE = ".lock";

    private final Path dataDir;
    private final Clock clock;
    private final MeterRegistry registry;
    private final SqliteStreamStore store;
    private final Publisher publisher;
    private final ScheduledExecutorService housekeeping;
    private final Map<String, ConnectorRunner> connectors = new LinkedHashMap<>();
    private final Map<String, ConnectorCounters> connectorCounters = new java.util.concurrent.ConcurrentHashMap<>();
    private final DataDirectoryLock lock;
    private volatile StatusFile statusFile;
    private volatile boolean statusWriteFailing;
    private final long startedMillis;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private volatile GatewayConfig config;
    private volatile Router router;
    private volatile AssetResolver assets;
    private final Lifecycle<GatewayLifecycle> lifecycle = new Lifecycle<>("gateway", GatewayLifecycle.STARTING);
    private final io.sluice.runtime.operations.StreamOperations operations;
    private final ConfigReloads reloads;
    private final GatewayServices services;

    private Gateway(GatewayConfig config, Path dataDir, Clock clock, MeterRegistry registry, GatewayServices services) {
        this.dataDir = dataDir;
        this.services = services;
        this.clock = clock;
        this.registry = registry;
        this.startedMillis = clock.millis();
        this.lock = DataDirectoryLock.acquire(dataDir);
        try {
            this.statusFile = StatusFile.open(dataDir.resolve(STATUS_FILE)); // reserve its space before the store can fill the disk
        } catch (IOException e) {
            log.warn("cannot reserve {}: {} (tried again every second)", dataDir.resolve(STATUS_FILE), e.getMessage());
        }
        var s = config.store();
        try {
            this.store = SqliteStreamStore.open(dataDir.resolve(STORE_FILE), new SqliteStreamStore.StoreOptions(
                    s.commitWindow(), s.synchronous().name(), s.maxPending().bytes(), 4096, s.retentionInterval(), clock)
                    .withBudget(s.maxSize().bytes(), s.minFreeDisk()));
            store.keepReceipts(s.keepReceipts());
        } catch (RuntimeException e) {
            try {
                if (statusFile != null) statusFile.close();
            } catch (IOException ignored) {
                // failing anyway
            }
            releaseLock();
            throw e;
        }
        this.publisher = new Publisher(store, registry, dataDir.resolve("state").resolve("destinations"), this::destinationContext, clock);
        this.operations = io.sluice.runtime.operations.StreamOperations.of(store, publisher, registry);
        this.reloads = new ConfigReloads(registry);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-housekeeping");
            t.setDaemon(true);
            return t;
        });
        io.micrometer.core.instrument.FunctionCounter.builder("sluice.store.commits", store, st -> st.commits()).register(registry);
        registry.gauge("sluice.store.healthy", store, st -> st.health().state() == io.sluice.runtime.store.StoreHealth.State.OK ? 1 : 0);
        for (io.sluice.runtime.store.StoreHealth.State state : io.sluice.runtime.store.StoreHealth.State.values()) {
            registry.gauge("sluice.store.state", io.micrometer.core.instrument.Tags.of("state", state.name()), store,
                    st -> st.health().state() == state ? 1 : 0);
            io.micrometer.core.instrument.FunctionCounter.builder("sluice.store.transitions", store,
                    st -> st.stateTransitions(state)).tag("to", state.name()).register(registry);
        }
    }

    private void releaseLock() {
        lock.close();
    }

    /** Starts a gateway on {@code dataDir} (or the config's {@code store.directory} when null). */
    public static Gateway start(GatewayConfig config, Path dataDir) {
        return start(config, dataDir, Clock.systemUTC(), new SimpleMeterRegistry());
    }

    public static Gateway start(GatewayConfig config, Path dataDir, Clock clock, MeterRegistry registry) {
        return start(config, dataDir, clock, registry, GatewayServices.NONE);
    }

    /** As {@link #start(GatewayConfig, Path, Clock, MeterRegistry)}, sharing {@code services} with the destinations. */
    public static Gateway start(GatewayConfig config, Path dataDir, Clock clock, MeterRegistry registry,
                                GatewayServices services) {
        Path dir = dataDir != null ? dataDir : Path.of(config.store().directory());
        Gateway gateway = new Gateway(config, dir.toAbsolutePath(), clock, registry, services);
        try {
            gateway.apply(config);
            gateway.lifecycle.moveTo(GatewayLifecycle.RUNNING);
            gateway.housekeeping.scheduleWithFixedDelay(gateway::writeStatus, 0, 1, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            gateway.close();
            throw e;
        }
        log.info("gateway started: {} connectors, {} streams, {} destinations, data in {}", config.connectors().size(),
                config.streams().size(), config.destinations().size(), gateway.dataDir);
        return gateway;
    }

    /** Applies a new configuration: changed connectors restart, the others keep running; streams and destinations follow. */
    public synchronized void reconfigure(GatewayConfig newConfig) {
        if (!lifecycle.isAnyOf(GatewayLifecycle.RUNNING)) throw new SluiceException("gateway is " + lifecycle.state(), false);
        apply(newConfig);
        log.info("configuration applied from {}", newConfig.source());
    }

    private void apply(GatewayConfig newConfig) {
        List<StreamSettings> settings = new ArrayList<>();
        newConfig.streams().forEach((name, s) -> settings.add(StreamSettings.of(name, s)));
        store.configure(settings);
        newConfig.streams().keySet().forEach(name -> io.sluice.runtime.metrics.StreamMeters.register(registry, store, name));
        Map<String, AssetContext> connectorAssets = new LinkedHashMap<>();
        newConfig.connectors().values().forEach(c -> connectorAssets.put(c.name(), c.asset()));
        this.assets = new AssetResolver(connectorAssets, newConfig.assets());
        this.router = new Router(newConfig.routes());
        this.config = newConfig;

        for (String name : new ArrayList<>(connectors.keySet())) {
            ConnectorInstance wanted = newConfig.connectors().get(name);
            if (wanted == null || !wanted.enabled() || !wanted.sameAs(connectors.get(name).instance())) {
                connectors.remove(name).stop();
            }
        }
        publisher.apply(newConfig, assets);
        for (ConnectorInstance c : newConfig.connectors().values()) {
            if (!c.enabled() || connectors.containsKey(c.name())) continue;
            ConnectorRunner runner = new ConnectorRunner(c, sinkFor(c), metricsFor("connector", c.name()),
                    dataDir.resolve("state").resolve("connectors").resolve(c.name()), clock);
            connectors.put(c.name(), runner);
            runner.start();
        }
    }

    /** Samples of one connector the store took, and those it refused; kept across restarts of the connector. */
    private record ConnectorCounters(AtomicLong committed, AtomicLong refused) {}

    private SampleSink sinkFor(ConnectorInstance instance) {
        ConnectorCounters counters = connectorCounters.computeIfAbsent(instance.name(), k -> {
            ConnectorCounters c = new ConnectorCounters(new AtomicLong(), new AtomicLong());
            io.micrometer.core.instrument.FunctionCounter.builder("sluice.connector.samples.committed", c.committed(), AtomicLong::get)
                    .tag("connector", k).register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder("sluice.connector.samples.refused", c.refused(), AtomicLong::get)
                    .tag("connector", k).register(registry);
            return c;
        });
        return samples -> {
            if (samples.isEmpty()) return CompletableFuture.completedFuture(null);
            Map<String, List<Sample>> byStream = router.split(instance.name(), instance.stream(), samples);
            CompletableFuture<?>[] appends = new CompletableFuture<?>[byStream.size()];
            int i = 0;
            for (Map.Entry<String, List<Sample>> e : byStream.entrySet()) {
                int n = e.getValue().size();
                appends[i++] = store.append(e.getKey(), instance.name(), e.getValue(), null)
                        .whenComplete((r, failure) -> (failure == null ? counters.committed() : counters.refused()).addAndGet(n));
            }
            return CompletableFuture.allOf(appends);
        };
    }

    private Metrics metricsFor(String kind, String name) {
        return new MicrometerMetrics(registry, kind, name);
    }

    private DestinationContext destinationContext(String name) {
        Path state = dataDir.resolve("state").resolve("destinations").resolve(name);
        try {
            Files.createDirectories(state);
        } catch (IOException e) {
            throw new SluiceException("cannot create " + state + ": " + e.getMessage(), false, e);
        }
        Logger destinationLog = LoggerFactory.getLogger("io.sluice.destination." + name);
        Metrics metrics = metricsFor("destination", name);
        return new DestinationContext() {
            public String name() { return name; }
            public Clock clock() { return clock; }
            public ScheduledExecutorService scheduler() { return housekeeping; }
            public Metrics metrics() { return metrics; }
            public Logger logger() { return destinationLog; }
            public Path stateDirectory() { return state; }
            public GatewayServices services() { return services; }
        };
    }

    /**
     * Reads the configuration file again and applies it like {@link #reconfigure} (only what changed restarts). An
     * invalid file is rejected with one line naming file, line and key; the running configuration stays. Counted
     * ({@code sluice.config.reloads{result}}) and shown in status. {@code trigger} says what asked (file change,
     * SIGHUP, admin request).
     */
    public ConfigReloads.Result reload(String trigger) {
        return reloads.reload(this, trigger);
    }

    /** Operator operations on this gateway's streams and destinations (purge, replay, redrive, test, pause, resume). */
    public io.sluice.runtime.operations.StreamOperations operations() {
        return operations;
    }

    public SqliteStreamStore store() {
        return store;
    }

    public GatewayConfig config() {
        return config;
    }

    public Path dataDirectory() {
        return dataDir;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public GatewayStatus status() {
        return status(true);
    }

    /** The status; without {@code withMetrics} its metric list is empty (cheaper: no meter is measured). */
    public synchronized GatewayStatus status(boolean withMetrics) {
        List<GatewayStatus.ConnectorStatus> cs = new ArrayList<>();
        connectors.values().forEach(r -> {
            ConnectorCounters counters = connectorCounters.get(r.instance().name());
            cs.add(new GatewayStatus.ConnectorStatus(r.instance().name(), r.instance().type(), r.health().state().name(),
                    r.health().detail(), r.health().sinceMillis(), counters.committed().get(), counters.refused().get(),
                    r.lifecycle()));
        });
        return new GatewayStatus(lifecycle.state().statusWord(), clock.millis(), startedMillis, config.source(), store.health(), store.stats(), publisher.status(), cs,
                withMetrics ? metrics() : List.of(), reloads.status());
    }

    /** One meter as status.json lists it: its name and tags, fixed for its life, made once. */
    private record MeterRow(io.micrometer.core.instrument.Meter meter, String name, Map<String, String> tags, String tagText) {}

    /** The meters at the last status, and their rows sorted by name, then by the tags' text (status lock). */
    private List<io.micrometer.core.instrument.Meter> meters = List.of();
    private List<MeterRow> meterRows = List.of();

    /**
     * Every meter's measurements, by name, then by the tags' text. The rows (name, tags, order) are made again only
     * when meters came or went; each status only reads the values.
     */
    private List<GatewayStatus.MetricValue> metrics() {
        List<io.micrometer.core.instrument.Meter> now = registry.getMeters();
        if (!now.equals(meters)) {
            List<MeterRow> rows = new ArrayList<>(now.size());
            for (io.micrometer.core.instrument.Meter meter : now) {
                Map<String, String> tags = new java.util.TreeMap<>();
                meter.getId().getTags().forEach(t -> tags.put(t.getKey(), t.getValue()));
                rows.add(new MeterRow(meter, meter.getId().getName(), java.util.Collections.unmodifiableMap(tags), tags.toString()));
            }
            rows.sort(java.util.Comparator.comparing(MeterRow::name).thenComparing(MeterRow::tagText));
            meters = now;
            meterRows = rows;
        }
        List<GatewayStatus.MetricValue> out = new ArrayList<>(meterRows.size() + 16);
        for (MeterRow row : meterRows) {
            for (io.micrometer.core.instrument.Measurement m : row.meter().measure()) {
                double value = m.getValue(); // a gauge's measurement measures again on every call
                if (Double.isFinite(value)) {
                    out.add(new GatewayStatus.MetricValue(row.name(), row.tags(), m.getStatistic().getTagValueRepresentation(), value));
                }
            }
        }
        return out;
    }

    /**
     * Rewrites {@code status.json} in the space reserved for it (see {@link StatusFile}), so a full disk does not stop
     * it; a status too large for the reserve on a full disk is written without its metrics. A failure is logged once
     * per episode.
     */
    private void writeStatus() {
        try {
            if (statusFile == null) {
                if (stopping()) return;
                statusFile = StatusFile.open(dataDir.resolve(STATUS_FILE));
            }
            GatewayStatus current = status();
            try {
                statusFile.write(json.writeValueAsBytes(current)); // straight to bytes: no JSON tree in between
            } catch (StatusFile.TooLarge e) {
                com.fasterxml.jackson.databind.node.ObjectNode status = json.valueToTree(current);
                status.putArray("metrics");
                status.put("metricsLeftOut", "no room on the disk for every metric");
                statusFile.write(json.writeValueAsBytes(status));
            }
            if (statusWriteFailing) {
                statusWriteFailing = false;
                log.info("status is written again to {}", dataDir.resolve(STATUS_FILE));
            }
        } catch (IOException | RuntimeException e) {
            if (stopping() && e instanceof java.nio.channels.ClosedChannelException) return; // a last tick after close()
            if (!statusWriteFailing) {
                statusWriteFailing = true;
                log.warn("cannot write {}: {} (retried every second; logged again when it works)", dataDir.resolve(STATUS_FILE), e.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (!lifecycle.moveIfAllowed(GatewayLifecycle.STOPPING)) return; // stopping or stopped already
        log.info("gateway stopping: connectors first, then flush, publisher and store");
        for (ConnectorRunner r : connectors.values()) r.stop();
        try {
            store.flush().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("flush at shutdown did not complete: {}", e.getMessage());
        }
        publisher.close();
        writeStatus();
        housekeeping.shutdownNow();
        store.close();
        try {
            if (statusFile != null) statusFile.close();
        } catch (IOException e) {
            log.debug("closing {} failed", STATUS_FILE, e);
        }
        releaseLock();
        lifecycle.moveTo(GatewayLifecycle.STOPPED);
        log.info("gateway stopped");
    }

    /** Where the gateway is in its life. */
    public GatewayLifecycle lifecycle() {
        return lifecycle.state();
    }

    private boolean stopping() {
        return lifecycle.isAnyOf(GatewayLifecycle.STOPPING, GatewayLifecycle.STOPPED);
    }
}
