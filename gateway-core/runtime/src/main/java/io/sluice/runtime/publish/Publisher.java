package io.sluice.runtime.publish;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.runtime.config.DestinationInstance;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.config.StreamConfig;
import io.sluice.runtime.route.AssetResolver;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.destination.DestinationFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one {@link DestinationWorker} thread per enabled destination and applies config changes to them. */
public final class Publisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Publisher.class);

    private final SqliteStreamStore store;
    private final MeterRegistry registry;
    private final Path stateRoot;
    private final java.util.function.Function<String, DestinationContext> contexts;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final Map<String, DestinationStatus> stopped = new LinkedHashMap<>();
    private final Map<String, DestinationWorker.Counters> counters = new LinkedHashMap<>();

    private record Running(DestinationWorker worker, Destination destination, Thread thread) {}

    public Publisher(SqliteStreamStore store, MeterRegistry registry, Path stateRoot,
                     java.util.function.Function<String, DestinationContext> contexts) {
        this.store = store;
        this.registry = registry;
        this.stateRoot = stateRoot;
        this.contexts = contexts;
    }

    /** Starts, stops, restarts or updates workers so they match {@code config}. */
    public synchronized void apply(GatewayConfig config, AssetResolver assets) {
        for (String name : new ArrayList<>(running.keySet())) {
            DestinationInstance wanted = config.destinations().get(name);
            Running r = running.get(name);
            if (wanted == null || !wanted.enabled() || !wanted.sameAs(r.worker().instance())) {
                stop(name);
            }
        }
        for (DestinationInstance d : config.destinations().values()) {
            if (!d.enabled()) continue;
            List<DestinationWorker.ExportPlan> exports = exportsOf(config, d.name());
            Running r = running.get(d.name());
            if (r != null) {
                r.worker().updateExports(exports);
                r.worker().updateAssets(assets);
                continue;
            }
            start(d, exports, assets);
        }
    }

    static List<DestinationWorker.ExportPlan> exportsOf(GatewayConfig config, String destination) {
        List<DestinationWorker.ExportPlan> plans = new ArrayList<>();
        config.streams().forEach((stream, s) -> {
            for (StreamConfig.ExportConfig e : s.export()) {
                if (e.destination().equals(destination)) {
                    plans.add(new DestinationWorker.ExportPlan(stream, s.priority(), e.batchInterval(), e.batchMaxSamples()));
                }
            }
        });
        return plans;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void start(DestinationInstance d, List<DestinationWorker.ExportPlan> exports, AssetResolver assets) {
        Destination destination = ((DestinationFactory) d.factory()).create(d.name(), d.options());
        try {
            destination.start(contexts.apply(d.name()));
        } catch (Exception e) {
            log.error("destination {} failed to start: {}; its streams keep buffering", d.name(), e.getMessage());
            destination.close();
            return;
        }
        DestinationWorker.Counters c = counters.computeIfAbsent(d.name(), n -> new DestinationWorker.Counters(n, registry));
        DestinationWorker worker = new DestinationWorker(d, destination, store, exports, assets, c);
        Thread thread = new Thread(worker, "sluice-publish-" + d.name());
        thread.setDaemon(true);
        thread.start();
        running.put(d.name(), new Running(worker, destination, thread));
        log.info("destination {} ({}) started, exporting {}", d.name(), d.type(),
                exports.stream().map(e -> e.stream() + "(p" + e.priority() + ")").toList());
    }

    private void stop(String name) {
        Running r = running.remove(name);
        if (r == null) return;
        r.worker().stop();
        try {
            r.thread().join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped.put(name, r.worker().status());
        try {
            // the worker's last cursor commits must be durable before another worker reads the cursors
            store.flush().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("destination {}: cursor flush at stop failed: {}", name, e.getMessage());
        }
        try {
            r.destination().close();
        } catch (RuntimeException e) {
            log.warn("destination {} did not close cleanly: {}", name, e.getMessage());
        }
        log.info("destination {} stopped", name);
    }

    /** Running destinations, and the last figures of stopped ones. */
    public synchronized List<DestinationStatus> status() {
        List<DestinationStatus> out = new ArrayList<>();
        running.values().forEach(r -> out.add(r.worker().status()));
        stopped.forEach((name, status) -> {
            if (!running.containsKey(name)) out.add(status);
        });
        return out;
    }

    public Path stateRoot() {
        return stateRoot;
    }

    @Override
    public synchronized void close() {
        for (Running r : running.values()) r.worker().stop();
        for (String name : new ArrayList<>(running.keySet())) stop(name);
    }
}
