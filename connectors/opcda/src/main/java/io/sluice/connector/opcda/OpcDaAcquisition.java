package io.sluice.connector.opcda;

import io.sluice.connector.opcda.OpcDaConnectorConfig.Acquisition;
import io.sluice.connector.opcda.OpcDaServerSession.DataSource;
import io.sluice.connector.opcda.OpcDaServerSession.GroupSpec;
import io.sluice.connector.opcda.OpcDaServerSession.ItemDefinition;
import io.sluice.connector.opcda.OpcDaServerSession.ItemResult;
import io.sluice.connector.opcda.OpcDaServerSession.ItemState;
import io.sluice.connector.opcda.OpcDaServerSession.ServerState;
import io.sluice.connector.opcda.OpcDaServerSession.ServerStatus;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.connector.SampleSink;
import io.sluice.support.SampleIntake;
import io.sluice.spi.metrics.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * The connector's state against one server, driven step by step by {@link OpcDaConnector}'s scheduler (and
 * directly by tests): {@link #connect}, {@link #checkHealth}, {@link #poll}, {@link #refreshItems},
 * {@link #disconnect}. Not thread-safe for those steps (the connector serializes them); data callbacks may arrive
 * on any thread.
 *
 * <p>Desired state is the configuration (items, plus browse rules evaluated against the server); actual state is
 * what the server holds (groups, items with server handles). Client handles are stable per tag for the life of the
 * connector, so after a reconnect, when every server handle is new, callbacks still map to the right tags.
 */
final class OpcDaAcquisition {

    record DesiredItem(String tag, String itemId, String accessPath, short requestedType, String unit) {}

    record Binding(DesiredItem item, int clientHandle, int serverHandle) {}

    enum Mode { NONE, SUBSCRIBED, POLLING }

    /** What one reconcile pass did. */
    record Reconciled(int added, int removed, Map<String, Integer> failed) {}

    private record Last(Value value, int quality, Instant timestamp) {}

    final class GroupState {
        final OpcDaConnectorConfig.Group config;
        final int groupHandle;
        OpcDaServerSession.Group live;
        volatile Map<Integer, Binding> bindings = Map.of();
        final Map<String, Integer> failed = new LinkedHashMap<>();
        final Map<Integer, List<String>> lastBrowse = new HashMap<>();
        final Map<Integer, Last> last = new ConcurrentHashMap<>();
        volatile Mode mode = Mode.NONE;
        volatile long subscribedAtNanos;
        volatile long lastCallbackNanos;

        GroupState(OpcDaConnectorConfig.Group config, int groupHandle) {
            this.config = config;
            this.groupHandle = groupHandle;
        }

        Mode mode() {
            return mode;
        }

        Map<Integer, Binding> bindings() {
            return bindings;
        }

        Map<String, Integer> failed() {
            return Map.copyOf(failed);
        }
    }

    private final String name;
    private final OpcDaConnectorConfig config;
    private final OpcDaSessionFactory factory;
    private final OpcDaSessionFactory.ConnectionSettings settings;
    private final SampleIntake intake;
    private final Clock clock;
    private final Logger log;
    private final Metrics.Counter unconvertible;
    private final Metrics.Counter unknownHandles;
    private final Metrics.Counter itemErrors;
    private final Metrics.Counter fallbacks;
    private final Map<String, GroupState> groups = new LinkedHashMap<>();
    private final Map<String, Integer> clientHandles = new HashMap<>();
    private final Set<String> warnedTags = ConcurrentHashMap.newKeySet();
    private int nextClientHandle = 1;

    private volatile OpcDaServerSession session;
    private volatile boolean connected;
    private ServerState lastServerState;
    private long lastItemRefreshNanos;
    private volatile String lastError = "not connected yet";
    private int statusFailures;
    /** GetStatus failing this many times in a row with a COM error (not a broken socket) also counts as lost. */
    static final int MAX_STATUS_FAILURES = 3;

    OpcDaAcquisition(String name, OpcDaConnectorConfig config, OpcDaSessionFactory factory, SampleSink sink, Clock clock,
                     Metrics metrics, Logger log) {
        this.name = name;
        this.config = config;
        this.factory = factory;
        this.intake = new SampleIntake("opcda", name, sink, metrics, log);
        this.clock = clock;
        this.log = log;
        this.settings = new OpcDaSessionFactory.ConnectionSettings(config.host(), config.domain(), config.user(),
                config.password(), serverId(config), config.progIdResolution(), config.socketTimeout(), config.sessionSecurity(), "sluice/" + name,
                config.localeId(), config.dateZone().map(java.time.ZoneId::of).orElse(java.time.ZoneId.systemDefault()));
        this.unconvertible = metrics.counter("opcda.values.unconvertible");
        this.unknownHandles = metrics.counter("opcda.values.unknown-handle");
        this.itemErrors = metrics.counter("opcda.values.item-error");
        this.fallbacks = metrics.counter("opcda.callback.fallbacks");
        metrics.gauge("opcda.items.bound", () -> groups.values().stream().mapToInt(g -> g.bindings.size()).sum());
        metrics.gauge("opcda.items.failed", () -> groups.values().stream().mapToInt(g -> g.failed.size()).sum());
        List<OpcDaConnectorConfig.Group> configured = config.groups() == null ? List.of() : config.groups();
        for (int i = 0; i < configured.size(); i++) {
            groups.put(configured.get(i).name(), new GroupState(configured.get(i), i + 1));
        }
    }

    static ServerId serverId(OpcDaConnectorConfig config) {
        return config.clsid().<ServerId>map(ServerId::parseClsid)
                .orElseGet(() -> ServerId.parseProgId(config.progId().orElseThrow()));
    }

    OpcDaSessionFactory.ConnectionSettings settings() {
        return settings;
    }

    boolean connected() {
        return connected;
    }

    String lastError() {
        return lastError;
    }

    GroupState group(String groupName) {
        return groups.get(groupName);
    }

    Collection<GroupState> groups() {
        return groups.values();
    }

    int failedItemCount() {
        return groups.values().stream().mapToInt(g -> g.failed.size()).sum();
    }

    int boundItemCount() {
        return groups.values().stream().mapToInt(g -> g.bindings.size()).sum();
    }

    /** Opens a session and builds every group. Returns false (and cleans up) when anything essential fails. */
    boolean connect() {
        try {
            session = factory.open(settings);
            ServerStatus status = session.status();
            lastServerState = status.state();
            log.info("opcda {}: connected to {} on {} ({}, version {}, state {})", name, settings.server(), settings.host(),
                    status.vendorInfo(), status.version(), status.state());
            for (GroupState gs : groups.values()) {
                setUpGroup(gs);
            }
            connected = true;
            statusFailures = 0;
            lastItemRefreshNanos = nanos();
            lastError = null;
            return true;
        } catch (RuntimeException e) {
            lastError = describe(e);
            log.warn("opcda {}: connecting to {} on {} failed: {}", name, settings.server(), settings.host(), lastError);
            dropSession();
            return false;
        }
    }

    private void setUpGroup(GroupState gs) {
        OpcDaConnectorConfig.Group c = gs.config;
        gs.live = session.addGroup(new GroupSpec(c.name(), c.active(), c.updateRate(), (float) c.deadband(), gs.groupHandle));
        if (!gs.live.revisedUpdateRate().equals(c.updateRate())) {
            log.info("opcda {}: group {} update rate revised by the server from {} to {}", name, c.name(),
                    io.sluice.spi.Durations.format(c.updateRate()), io.sluice.spi.Durations.format(gs.live.revisedUpdateRate()));
        }
        reconcile(gs, resolveDesired(gs));
        gs.lastCallbackNanos = 0;
        if (config.acquisition() == Acquisition.POLLING) {
            gs.mode = Mode.POLLING;
            return;
        }
        try {
            gs.live.subscribe((groupHandle, states) -> onCallback(gs, states));
            gs.subscribedAtNanos = nanos();
            gs.mode = Mode.SUBSCRIBED;
        } catch (OpcDaException e) {
            if (e.connectionLost() || config.acquisition() == Acquisition.SUBSCRIPTION) {
                throw e;
            }
            fallbacks.increment();
            log.warn("opcda {}: group {}: subscribing to data callbacks failed ({}); polling instead", name, c.name(), describe(e));
            gs.mode = Mode.POLLING;
        }
    }

    /** The configured items plus the current result of every browse rule, by tag, in configuration order. */
    Map<String, DesiredItem> resolveDesired(GroupState gs) {
        Map<String, DesiredItem> desired = new LinkedHashMap<>();
        for (OpcDaConnectorConfig.Item item : gs.config.items() == null ? List.<OpcDaConnectorConfig.Item>of() : gs.config.items()) {
            String tag = item.tag().orElse(item.itemId());
            desired.put(tag, new DesiredItem(tag, item.itemId(), item.accessPath().orElse(""), item.type().vartype(),
                    item.unit().orElse(null)));
        }
        List<OpcDaConnectorConfig.Browse> rules = gs.config.browse() == null ? List.of() : gs.config.browse();
        for (int r = 0; r < rules.size(); r++) {
            OpcDaConnectorConfig.Browse rule = rules.get(r);
            List<String> ids;
            try {
                AddressSpaceWalker.Selection sel = AddressSpaceWalker.select(session.browser(), rule);
                ids = sel.itemIds();
                if (sel.truncated()) {
                    log.warn("opcda {}: group {} browse[{}] stopped at max-items {}", name, gs.config.name(), r, rule.maxItems());
                }
                gs.lastBrowse.put(r, ids);
            } catch (OpcDaException e) {
                if (e.connectionLost()) throw e;
                ids = gs.lastBrowse.getOrDefault(r, List.of());
                log.warn("opcda {}: group {} browse[{}] failed ({}); keeping {} items from the last browse", name,
                        gs.config.name(), r, describe(e), ids.size());
            }
            for (String id : ids) {
                String tag = rule.tagPrefix() + id;
                desired.putIfAbsent(tag, new DesiredItem(tag, id, rule.accessPath().orElse(""), rule.type().vartype(), null));
            }
        }
        return desired;
    }

    /**
     * Brings the server group in line with {@code desired}: removes items no longer wanted (or whose definition
     * changed), adds the missing ones (including those that failed before). A rejected ItemID is recorded, logged
     * and skipped; the rest of the group works.
     */
    Reconciled reconcile(GroupState gs, Map<String, DesiredItem> desired) {
        Map<Integer, Binding> current = new LinkedHashMap<>(gs.bindings);
        List<Integer> removeHandles = new ArrayList<>();
        for (var it = current.values().iterator(); it.hasNext(); ) {
            Binding b = it.next();
            DesiredItem want = desired.get(b.item().tag());
            if (want == null || !want.equals(b.item())) {
                removeHandles.add(b.serverHandle());
                gs.last.remove(b.clientHandle());
                it.remove();
            }
        }
        if (!removeHandles.isEmpty()) {
            gs.live.removeItems(removeHandles);
        }
        Set<String> bound = new java.util.HashSet<>();
        current.values().forEach(b -> bound.add(b.item().tag()));
        List<DesiredItem> toAdd = desired.values().stream().filter(d -> !bound.contains(d.tag())).toList();
        Map<String, Integer> failed = new LinkedHashMap<>();
        if (!toAdd.isEmpty()) {
            List<ItemDefinition> defs = new ArrayList<>();
            Map<Integer, Binding> provisional = new LinkedHashMap<>(current);
            for (DesiredItem d : toAdd) {
                int handle = clientHandle(d.tag());
                defs.add(new ItemDefinition(handle, d.itemId(), d.accessPath(), d.requestedType(), true));
                provisional.put(handle, new Binding(d, handle, 0));
            }
            // A subscribed group may call back with the new items' first values before AddItems returns.
            gs.bindings = Map.copyOf(provisional);
            List<ItemResult> results;
            try {
                results = gs.live.addItems(defs);
            } catch (RuntimeException e) {
                gs.bindings = Map.copyOf(current);
                throw e;
            }
            for (int i = 0; i < toAdd.size(); i++) {
                DesiredItem d = toAdd.get(i);
                ItemResult r = i < results.size() ? results.get(i) : null;
                if (r != null && r.ok()) {
                    current.put(defs.get(i).clientHandle(), new Binding(d, defs.get(i).clientHandle(), r.serverHandle()));
                } else {
                    int hr = r == null ? HResults.E_FAIL : r.error();
                    failed.put(d.tag(), hr);
                }
            }
        }
        Map<String, Integer> previouslyFailed = new HashMap<>(gs.failed);
        gs.failed.clear();
        gs.failed.putAll(failed);
        failed.forEach((tag, hr) -> {
            if (!Objects.equals(previouslyFailed.get(tag), hr)) {
                log.warn("opcda {}: group {}: item {} rejected by the server: {}; skipped, retried every {}", name,
                        gs.config.name(), desired.get(tag).itemId(), HResults.describe(hr),
                        config.itemRetryInterval().isZero() ? "never" : io.sluice.spi.Durations.format(config.itemRetryInterval()));
            }
        });
        previouslyFailed.keySet().stream().filter(t -> !failed.containsKey(t) && desired.containsKey(t))
                .forEach(t -> log.info("opcda {}: group {}: item {} accepted now", name, gs.config.name(), desired.get(t).itemId()));
        gs.bindings = Map.copyOf(current);
        return new Reconciled(toAdd.size() - failed.size(), removeHandles.size(), Map.copyOf(failed));
    }

    /**
     * Periodic check: server status, callback fallback, item retry. Returns false when the server is lost (the
     * caller disconnects and reconnects with backoff).
     */
    boolean checkHealth() {
        if (!connected) return false;
        try {
            ServerStatus status = session.status();
            statusFailures = 0;
            if (status.state() != lastServerState) {
                log.info("opcda {}: server state {} -> {}", name, lastServerState, status.state());
                lastServerState = status.state();
            }
            long now = nanos();
            if (config.acquisition() == Acquisition.AUTO) {
                for (GroupState gs : groups.values()) {
                    if (gs.mode == Mode.SUBSCRIBED && gs.lastCallbackNanos == 0 && !gs.bindings.isEmpty() && gs.config.active()
                            && now - gs.subscribedAtNanos >= config.callbackTimeout().toNanos()) {
                        fallbacks.increment();
                        log.warn("opcda {}: group {}: no data callback within {} (DCOM callbacks blocked? see README, "
                                + "'callback account'); polling every {} instead", name, gs.config.name(),
                                io.sluice.spi.Durations.format(config.callbackTimeout()),
                                io.sluice.spi.Durations.format(gs.live.revisedUpdateRate()));
                        gs.live.unsubscribe();
                        gs.mode = Mode.POLLING;
                    }
                }
            }
            Duration retry = config.itemRetryInterval();
            if (!retry.isZero() && now - lastItemRefreshNanos >= retry.toNanos()) {
                lastItemRefreshNanos = now;
                refreshItems();
            }
            return true;
        } catch (OpcDaException e) {
            if (!e.connectionLost() && e.hresult() != 0 && ++statusFailures < MAX_STATUS_FAILURES) {
                log.warn("opcda {}: health check call failed ({} of {} before reconnecting): {}", name, statusFailures,
                        MAX_STATUS_FAILURES, describe(e));
                return true;
            }
            lastError = describe(e);
            return false;
        } catch (RuntimeException e) {
            lastError = describe(e);
            return false;
        }
    }

    /** Re-evaluates browse rules and retries failed items in every group. */
    void refreshItems() {
        for (GroupState gs : groups.values()) {
            if (gs.live != null) {
                reconcile(gs, resolveDesired(gs));
            }
        }
    }

    ServerState serverState() {
        return lastServerState;
    }

    /** One polling cycle of a group; a no-op unless the group is in polling mode. Returns false when the server is lost. */
    boolean poll(String groupName) {
        GroupState gs = groups.get(groupName);
        if (!connected || gs == null || gs.mode != Mode.POLLING || !gs.config.active()) return true;
        Map<Integer, Binding> bindings = gs.bindings;
        if (bindings.isEmpty()) return true;
        List<Integer> handles = bindings.values().stream().map(Binding::serverHandle).toList();
        Map<Integer, Integer> clientByServer = new HashMap<>();
        bindings.values().forEach(b -> clientByServer.put(b.serverHandle(), b.clientHandle()));
        try {
            List<ItemState> states = gs.live.read(config.pollSource() == OpcDaConnectorConfig.PollSource.DEVICE
                    ? DataSource.DEVICE : DataSource.CACHE, handles);
            List<ItemState> fixed = new ArrayList<>(states.size());
            for (int i = 0; i < states.size() && i < handles.size(); i++) {
                ItemState s = states.get(i);
                // Servers fill hClient in OPCITEMSTATE, but some leave it 0 after a failed read: trust the order.
                int client = clientByServer.get(handles.get(i));
                fixed.add(s.clientHandle() == client ? s
                        : new ItemState(client, s.value(), s.quality(), s.timestamp(), s.error(), s.problem()));
            }
            publish(gs, fixed, true);
            return true;
        } catch (OpcDaException e) {
            if (e.connectionLost()) {
                lastError = describe(e);
                return false;
            }
            log.warn("opcda {}: group {}: read failed: {}", name, groupName, describe(e));
            return true;
        }
    }

    void onCallback(GroupState gs, List<ItemState> states) {
        gs.lastCallbackNanos = nanos();
        if (gs.mode == Mode.POLLING) {
            // A late callback after the fallback: the subscription works after all; polling continues (no duplicates).
            return;
        }
        publish(gs, states, false);
    }

    private void publish(GroupState gs, List<ItemState> states, boolean dedupe) {
        Map<Integer, Binding> bindings = gs.bindings;
        long now = Sample.toNanos(clock.instant());
        List<Sample> samples = new ArrayList<>(states.size());
        for (ItemState s : states) {
            Binding b = bindings.get(s.clientHandle());
            if (b == null) {
                unknownHandles.increment();
                continue;
            }
            if (s.value() == null) {
                unconvertible.increment();
                if (warnedTags.add(b.item().tag())) {
                    log.warn("opcda {}: item {}: value skipped: {}", name, b.item().itemId(), s.problem());
                }
                continue;
            }
            if (s.error() < 0) {
                itemErrors.increment();
            }
            OpcQuality q = new OpcQuality(s.quality());
            Last last = new Last(s.value(), q.word(), s.timestamp());
            Last previous = gs.last.put(b.clientHandle(), last);
            if (dedupe && last.equals(previous)) continue;
            long source = s.timestamp() == null ? now : Sample.toNanos(s.timestamp());
            samples.add(new Sample(b.item().tag(), s.value(), q.quality(), q.statusCode(), source, now, b.item().unit()));
        }
        intake.publish(samples);
    }

    /** Drops the session; with bad-on-disconnect, every item's last value is published once more as BAD (comm failure). */
    void disconnect(String reason) {
        boolean was = connected;
        connected = false;
        if (was && config.badOnDisconnect()) {
            long now = Sample.toNanos(clock.instant());
            List<Sample> bad = new ArrayList<>();
            for (GroupState gs : groups.values()) {
                gs.bindings.values().forEach(b -> {
                    Last l = gs.last.get(b.clientHandle());
                    if (l != null) {
                        bad.add(new Sample(b.item().tag(), l.value(), io.sluice.spi.Quality.BAD, OpcQuality.BAD_COMM_FAILURE,
                                now, now, b.item().unit()));
                    }
                });
            }
            intake.publish(bad);
        }
        if (was) {
            log.warn("opcda {}: lost {} on {}: {}", name, settings.server(), settings.host(), reason);
        }
        dropSession();
    }

    private void dropSession() {
        for (GroupState gs : groups.values()) {
            if (gs.live != null && session != null) {
                gs.live.unsubscribe();
            }
            gs.live = null;
            gs.bindings = Map.of();
            gs.last.clear();
            gs.mode = Mode.NONE;
        }
        if (session != null) {
            session.close();
            session = null;
        }
    }

    /**
     * Closes the current session from any thread, without the connector's lock: a DCOM call in progress on another
     * thread fails at once instead of running into its socket timeout. Used by stop.
     */
    void abort() {
        OpcDaServerSession s = session;
        if (s != null) s.close();
    }

    /** Removes the groups politely and closes the session (connector stop). */
    void close() {
        connected = false;
        for (GroupState gs : groups.values()) {
            if (gs.live != null) {
                gs.live.unsubscribe();
                gs.live.remove();
            }
        }
        dropSession();
    }

    private int clientHandle(String tag) {
        return clientHandles.computeIfAbsent(tag, t -> nextClientHandle++);
    }

    private long nanos() {
        Instant i = clock.instant();
        return Sample.toNanos(i);
    }

    static String describe(Throwable e) {
        if (e instanceof OpcDaException o && o.hresult() != 0) {
            return o.getMessage() + " [" + HResults.describe(o.hresult()) + "]";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
