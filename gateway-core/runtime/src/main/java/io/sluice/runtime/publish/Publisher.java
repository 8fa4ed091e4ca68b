package io.sluice.runtime.publish;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.sluice.runtime.config.DestinationInstance;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.config.StreamConfig;
import io.sluice.runtime.route.AssetResolver;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.destination.DestinationFactory;
import io.sluice.spi.destination.DestinationProbe;
import java.util.concurrent.CompletableFuture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link DestinationRunner} per enabled destination and applies config changes to them. A destination that
 * cannot start is kept as FAILED and retried; {@link #close} stops every destination in parallel, each draining for
 * at most its {@code drain-on-stop}, and makes their last cursor commits durable.
 */
public final class Publisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Publisher.class);
    /** How long a stop waits for a worker past its drain deadline (a pack or a store read under way). */
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private final SqliteStreamStore store;
    private final MeterRegistry registry;
    private final Path stateRoot;
    private final java.util.function.Function<String, DestinationContext> contexts;
    private final PublishClock clock;
    private final Map<String, DestinationRunner> running = new LinkedHashMap<>();
    private final Map<String, DestinationStatus> stopped = new LinkedHashMap<>();
    private final Map<String, DestinationCounters> counters = new LinkedHashMap<>();
    /** Destinations configured with {@code enabled: false}, with the streams exported to them. */
    private final Map<String, Disabled> disabled = new LinkedHashMap<>();

    private record Disabled(DestinationInstance instance, List<ExportPlan> exports, long sinceMillis) {}
    /** Backlog and cursor gauges by destination and stream, so unexported pairs can be removed. */
    private final Map<List<String>, List<Meter>> positionGauges = new LinkedHashMap<>();
    private GatewayConfig config;

    /** {@code clock} is the gateway's: status times, batch intervals, and (with the system clock, by its ticker) waits. */
    public Publisher(SqliteStreamStore store, MeterRegistry registry, Path stateRoot,
                     java.util.function.Function<String, DestinationContext> contexts, java.time.Clock clock) {
        this.clock = PublishClock.of(clock);
        this.store = store;
        this.registry = registry;
        this.stateRoot = stateRoot;
        this.contexts = contexts;
    }

    /** Starts, stops, restarts or updates destinations so they match {@code config}. */
    public synchronized void apply(GatewayConfig config, AssetResolver assets) {
        this.config = config;
        List<String> leaving = new ArrayList<>();
        for (String name : running.keySet()) {
            DestinationInstance wanted = config.destinations().get(name);
            DestinationRunner r = running.get(name);
            if (wanted == null || !wanted.enabled() || !wanted.sameAs(r.instance())) leaving.add(name);
        }
        stop(leaving);
        disabled.keySet().removeIf(name -> !config.destinations().containsKey(name) || config.destinations().get(name).enabled());
        for (DestinationInstance d : config.destinations().values()) {
            if (!d.enabled()) {
                // nothing runs, but its streams keep its data: show their cursors and backlog like any other's
                List<ExportPlan> exports = ExportPlan.sorted(exportsOf(config, d.name()));
                Disabled before = disabled.get(d.name());
                disabled.put(d.name(), new Disabled(d, exports, before != null ? before.sinceMillis() : clock.millis()));
                DestinationRunner.ensureCursors(store, d.name(), exports, new java.util.HashSet<>());
                counters.computeIfAbsent(d.name(), n -> new DestinationCounters(n, registry)).state.set(DestinationState.DISABLED);
                stopped.remove(d.name());
                continue;
            }
            List<ExportPlan> exports = exportsOf(config, d.name());
            DestinationRunner r = running.get(d.name());
            if (r != null) {
                r.updateExports(exports);
                r.updateAssets(assets);
                continue;
            }
            DestinationCounters c = counters.computeIfAbsent(d.name(), n -> new DestinationCounters(n, registry));
            r = new DestinationRunner(d, store, exports, assets, c, contexts, clock);
            if (PauseMarker.isPaused(stateRoot, d.name())) r.pause(true);
            running.put(d.name(), r);
            stopped.remove(d.name());
            r.start();
        }
        updatePositionGauges();
    }

    static List<ExportPlan> exportsOf(GatewayConfig config, String destination) {
        List<ExportPlan> plans = new ArrayList<>();
        config.streams().forEach((stream, s) -> {
            for (StreamConfig.ExportConfig e : s.export()) {
                if (e.destination().equals(destination)) {
                    plans.add(new ExportPlan(stream, s.priority(), e.batchInterval(), e.batchMaxSamples()));
                }
            }
        });
        return plans;
    }

    /**
     * {@code sluice.destination.backlog{destination,stream}} (samples stored it has not had) and
     * {@code sluice.destination.cursor{destination,stream}} for every stream exported to a destination, whether it
     * runs, failed to start or is disabled.
     */
    private void updatePositionGauges() {
        java.util.Set<List<String>> wanted = new java.util.HashSet<>();
        running.forEach((name, r) -> r.exports().forEach(e -> wanted.add(List.of(name, e.stream()))));
        disabled.forEach((name, d) -> d.exports().forEach(e -> wanted.add(List.of(name, e.stream()))));
        for (List<String> key : new ArrayList<>(positionGauges.keySet())) {
            if (!wanted.contains(key)) positionGauges.remove(key).forEach(registry::remove);
        }
        for (List<String> key : wanted) {
            if (positionGauges.containsKey(key)) continue;
            String destination = key.get(0);
            String stream = key.get(1);
            Tags tags = Tags.of("destination", destination, "stream", stream);
            positionGauges.put(key, List.of(
                    Gauge.builder("sluice.destination.backlog", store,
                            s -> Math.max(0, s.nextSequence(stream) - s.cursor(stream, destination))).tags(tags).register(registry),
                    Gauge.builder("sluice.destination.cursor", store, s -> s.cursor(stream, destination)).tags(tags).register(registry)));
        }
    }

    /** Stops destinations in parallel: each drains for at most its drain-on-stop, then its cursors are made durable. */
    private void stop(List<String> names) {
        if (names.isEmpty()) return;
        List<DestinationRunner> runners = new ArrayList<>();
        for (String name : names) {
            DestinationRunner r = running.remove(name);
            if (r == null) continue;
            r.requestStop();
            runners.add(r);
        }
        for (DestinationRunner r : runners) {
            if (!r.await(STOP_GRACE)) {
                log.warn("destination {} did not stop within its drain deadline; closing it anyway", r.instance().name());
            }
        }
        try {
            // the workers' last cursor commits must be durable before another worker reads the cursors
            store.flush().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("cursor flush at stop failed: {}", e.getMessage());
        }
        for (DestinationRunner r : runners) {
            r.closeDestination();
            r.await(STOP_GRACE);
            stopped.put(r.instance().name(), r.status());
            log.info("destination {} stopped", r.instance().name());
        }
    }

    /** Running, failed and disabled destinations, and the last figures of stopped ones. */
    public synchronized List<DestinationStatus> status() {
        List<DestinationStatus> out = new ArrayList<>();
        running.values().forEach(r -> out.add(r.status()));
        disabled.values().forEach(d -> out.add(DestinationRunner.statusOf(d.instance(), d.exports(), store,
                counters.get(d.instance().name()), DestinationState.DISABLED, d.sinceMillis(), 0, "", 1.0, 0, -1)));
        stopped.forEach((name, status) -> {
            if (!running.containsKey(name) && !disabled.containsKey(name)) out.add(status);
        });
        return out;
    }

    private DestinationInstance configured(String name) {
        DestinationInstance d = config == null ? null : config.destinations().get(name);
        if (d == null) throw new SluiceException("no destination '" + name + "' in the configuration", false);
        return d;
    }

    /** The state of a configured destination now (DISABLED for one configured with {@code enabled: false}). */
    public synchronized DestinationState state(String name) {
        configured(name);
        DestinationRunner r = running.get(name);
        return r != null ? r.state() : disabled.containsKey(name) ? DestinationState.DISABLED : DestinationState.STOPPED;
    }

    /**
     * An operator's pause ({@code true}) or resume of a destination, kept across restarts ({@link PauseMarker}).
     * Waits up to {@code timeout} for a running worker to leave the window it is sending; returns the state then.
     */
    public DestinationState pause(String name, boolean paused, Duration timeout) {
        DestinationRunner r;
        synchronized (this) {
            configured(name);
            PauseMarker.set(stateRoot, name, paused);
            r = running.get(name);
            if (r == null) return state(name);
            r.pause(paused);
        }
        long until = clock.nanoTime() + timeout.toNanos();
        while (paused && r.state().active() && clock.nanoTime() - until < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
        return r.state();
    }

    /** Whether an operator paused the destination. */
    public boolean paused(String name) {
        return PauseMarker.isPaused(stateRoot, name);
    }

    /**
     * Moves a destination's cursor of a stream (backwards for a replay), through its worker while it runs so no
     * commit of the worker overtakes the move. Durable on return.
     */
    public void moveCursor(String destination, String stream, long nextSequence, Duration timeout) {
        DestinationRunner r;
        synchronized (this) {
            configured(destination);
            r = running.get(destination);
        }
        if (r != null) r.moveCursor(stream, nextSequence, timeout);
        else io.sluice.spi.Durations.await(store.moveCursor(stream, destination, nextSequence), timeout);
    }

    /**
     * One probe call to a destination ({@link DestinationProbe}): with the running instance once it started, else with
     * an instance started for the probe and closed after it. Returns what the probe found; throws a
     * {@link SluiceException} saying what is wrong.
     */
    public String probe(String name, Duration timeout) {
        DestinationInstance instance;
        Destination live;
        synchronized (this) {
            instance = configured(name);
            DestinationRunner r = running.get(name);
            live = r == null ? null : r.destination();
        }
        if (live != null) return probe(live, instance, timeout);
        return probeFresh(instance, contexts.apply(name), timeout);
    }

    /** Creates and starts an instance of {@code instance} for one probe call, and closes it. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static String probeFresh(DestinationInstance instance, DestinationContext context, Duration timeout) {
        Destination d;
        try {
            d = ((DestinationFactory) instance.factory()).create(instance.name(), instance.options());
            d.start(context);
        } catch (SluiceException e) {
            throw new SluiceException("cannot start: " + e.getMessage(), e.retryable(), e);
        } catch (Exception | LinkageError e) {
            throw new SluiceException("cannot start: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), false, e);
        }
        try {
            return probe(d, instance, timeout);
        } finally {
            try {
                d.close();
            } catch (RuntimeException e) {
                log.debug("closing the probe's destination {} failed", instance.name(), e);
            }
        }
    }

    private static String probe(Destination d, DestinationInstance instance, Duration timeout) {
        if (!(d instanceof DestinationProbe p)) {
            return "started; type " + instance.type() + " has no probe call, so delivery itself was not tried";
        }
        CompletableFuture<String> call;
        try {
            call = p.probeAsync();
        } catch (SluiceException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SluiceException(e.getClass().getSimpleName() + ": " + e.getMessage(), true, e);
        }
        return io.sluice.spi.Durations.await(call, timeout);
    }

    public Path stateRoot() {
        return stateRoot;
    }

    @Override
    public synchronized void close() {
        stop(new ArrayList<>(running.keySet()));
    }
}
