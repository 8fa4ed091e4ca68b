package io.sluice.connector.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import io.sluice.connector.opcua.NodeResolver.Problem;
import io.sluice.connector.opcua.NodeResolver.ResolvedNode;
import io.sluice.connector.opcua.OpcUaConnectorConfig.AcquisitionMode;
import io.sluice.connector.opcua.OpcUaConnectorConfig.DeadbandType;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.HealthState;
import io.sluice.spi.metrics.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.SessionActivityListener;
import org.eclipse.milo.opcua.sdk.client.UaSession;
import org.eclipse.milo.opcua.sdk.client.subscriptions.MonitoredItemSynchronizationException;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.encoding.EncodingContext;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.enumerated.DataChangeTrigger;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.DataChangeFilter;
import org.eclipse.milo.opcua.stack.core.types.structured.TransferResult;
import org.slf4j.Logger;

/**
 * One OPC UA source. Lifecycle: {@code start} schedules a connect and returns; each connect opens a fresh session,
 * resolves the nodes again (namespace indexes may have changed), creates the subscriptions (or polling loops) and
 * reports CONNECTED (DEGRADED when some nodes are bad). When the session is lost the connector tears it down,
 * reports DISCONNECTED and reconnects with exponential backoff (reconnect-min-delay doubling up to
 * reconnect-max-delay). Before creating new subscriptions on a new session it transfers and deletes the previous
 * session's subscriptions if they still exist on the server, so the server never holds two sets of monitored items.
 * The gap (from losing the connection to having the subscriptions back) is reported in health and metrics.
 */
final class OpcUaConnector implements Connector {

    private final String name;
    private final OpcUaConnectorConfig config;

    private ConnectorContext ctx;
    private Logger log;
    private ConnectionOptions options;
    private OpcUaPki pki;
    private volatile boolean running;
    private final Object lock = new Object();
    private Session current;
    private int attempt;
    private ScheduledFuture<?> pendingConnect;
    private volatile long lostAtNanos;
    private volatile long lostAtMillis;
    private List<UInteger> previousSubscriptionIds = List.of();
    private int generation;

    private Metrics.Counter samplesCounter;
    private Metrics.Counter publishFailures;
    private Metrics.Counter reconnects;
    private Metrics.Counter connectFailures;
    private Metrics.Counter badNodes;
    private Metrics.Counter lostNotifications;
    private Metrics.Counter watchdogElapsed;
    private Metrics.Distribution gapSeconds;
    private final AtomicLong lastGapMillis = new AtomicLong();
    private final AtomicInteger monitoredItems = new AtomicInteger();
    private final AtomicLong decodeFailures = new AtomicLong();
    private final FailureEpisodes episodes = new FailureEpisodes();

    /** Everything that belongs to one session. */
    private final class Session {
        final int id;
        final OpcUaClient client;
        final OpcUaValues values;
        final List<OpcUaSubscription> subscriptions = new CopyOnWriteArrayList<>();
        final List<ScheduledFuture<?>> polls = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        Session(int id, OpcUaClient client, OpcUaValues values) {
            this.id = id;
            this.client = client;
            this.values = values;
        }
    }

    OpcUaConnector(String name, OpcUaConnectorConfig config) {
        this.name = name;
        this.config = config;
    }

    @Override
    public void start(ConnectorContext context) {
        this.ctx = context;
        this.log = context.logger();
        this.options = ConnectionOptions.of(config, context.stateDirectory());
        this.pki = new OpcUaPki(options.pkiDirectory());
        Metrics m = context.metrics();
        samplesCounter = m.counter("opcua.samples");
        publishFailures = m.counter("opcua.publish.failures");
        reconnects = m.counter("opcua.reconnects");
        connectFailures = m.counter("opcua.connect.failures");
        badNodes = m.counter("opcua.bad.nodes");
        lostNotifications = m.counter("opcua.notifications.lost");
        watchdogElapsed = m.counter("opcua.subscription.watchdog");
        gapSeconds = m.distribution("opcua.gap.seconds");
        m.gauge("opcua.connected", () -> current != null ? 1 : 0);
        m.gauge("opcua.monitored.items", monitoredItems::get);
        m.gauge("opcua.gap.last.ms", lastGapMillis::get);
        m.gauge("opcua.decode.failures", decodeFailures::get);
        if (config.trustAll()) {
            log.warn("opcua {}: trust-all is set: the server certificate of {} is NOT checked. Use this in a lab only.",
                    name, config.endpoint());
        }
        running = true;
        context.health().report(HealthState.STARTING, "connecting to " + config.endpoint());
        schedule(Duration.ZERO);
    }

    @Override
    public void stop() {
        Session s;
        synchronized (lock) {
            running = false;
            if (pendingConnect != null) pendingConnect.cancel(false);
            s = current;
            current = null;
        }
        if (s != null) close(s, true);
        if (pki != null) pki.close();
        if (ctx != null) ctx.health().report(HealthState.STOPPED, "stopped");
    }

    /** The monitored items this instance holds on the server right now (for tests and the CLI). */
    int monitoredItemCount() {
        return monitoredItems.get();
    }

    private void schedule(Duration delay) {
        synchronized (lock) {
            if (!running) return;
            pendingConnect = ctx.scheduler().schedule(this::connect, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private Duration backoff() {
        long min = config.reconnectMinDelay().toMillis();
        long max = config.reconnectMaxDelay().toMillis();
        long base = Math.min(max, min << Math.min(attempt, 20));
        long jitter = base / 5 == 0 ? 0 : ThreadLocalRandom.current().nextLong(base / 5);
        attempt++;
        return Duration.ofMillis(Math.max(min, Math.min(max, base - jitter)));
    }

    private void connect() {
        if (!running) return;
        OpcUaClient client = null;
        try {
            client = OpcUaClients.connect(options, pki);
            Session session;
            synchronized (lock) {
                session = new Session(++generation, client, values(client));
            }
            removeStaleSubscriptions(client);
            List<Problem> problems = new ArrayList<>();
            int items = setUp(session, problems);
            client.addSessionActivityListener(new SessionActivityListener() {
                @Override
                public void onSessionInactive(UaSession s) {
                    connectionLost(session, "session to " + config.endpoint() + " lost");
                }
            });
            synchronized (lock) {
                if (!running) {
                    close(session, true);
                    pki.close();
                    return;
                }
                current = session;
                attempt = 0;
                monitoredItems.set(items);
                previousSubscriptionIds = session.subscriptions.stream()
                        .map(sub -> sub.getSubscriptionId().orElse(null)).filter(java.util.Objects::nonNull).toList();
            }
            String gap = "";
            if (lostAtNanos != 0) {
                double seconds = (System.nanoTime() - lostAtNanos) / 1e9;
                lastGapMillis.set(Math.round(seconds * 1000));
                gapSeconds.record(seconds);
                gap = String.format(" (recovered after a gap of %.1f s since %s)", seconds,
                        java.time.Instant.ofEpochMilli(lostAtMillis));
                log.info("opcua {}: reconnected to {} after a gap of {} s; {} monitored items restored{}", name,
                        config.endpoint(), String.format("%.1f", seconds), items, afterFailures());
                lostAtNanos = 0;
            } else {
                log.info("opcua {}: connected to {}; {} nodes{}", name, config.endpoint(), items, afterFailures());
            }
            if (problems.isEmpty()) {
                ctx.health().report(HealthState.CONNECTED, items + " nodes from " + config.endpoint() + gap);
            } else {
                badNodes.increment(problems.size());
                for (Problem p : problems) log.warn("opcua {}: {}: {} (skipped)", name, p.origin(), p.message());
                ctx.health().report(HealthState.DEGRADED, NodeResolver.summary(problems, NodeResolver.PROBLEMS_SHOWN) + "; "
                        + items + " nodes OK" + gap);
            }
        } catch (Exception e) {
            if (client != null) OpcUaClients.disconnectQuietly(client, config.requestTimeout());
            if (!running) return; // stopped while connecting
            connectFailures.increment();
            Duration delay = backoff();
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            reportFailure(message, true, "retrying in " + Durations.format(delay), e);
            schedule(delay);
        }
    }

    /**
     * One line per episode: the runtime logs every change of health state, so a failure that moves the connector to
     * DISCONNECTED is logged there; the connector logs a new cause while already disconnected. Repeats, and Milo's
     * exception, go to DEBUG.
     */
    private void reportFailure(String message, boolean attempt, String next, Throwable cause) {
        boolean newEpisode = episodes.failed(message, attempt);
        boolean transition = ctx.health().state() != HealthState.DISCONNECTED;
        ctx.health().report(HealthState.DISCONNECTED, message);
        if (newEpisode && !transition) {
            log.warn("opcua {}: {}", name, message);
        }
        if (log.isDebugEnabled()) {
            log.debug("opcua {}: {}{}", name, message, next.isEmpty() ? "" : "; " + next, cause);
        }
    }

    private String afterFailures() {
        int failed = episodes.recovered();
        return failed == 0 ? "" : " (after " + failed + (failed == 1 ? " failed attempt)" : " failed attempts)");
    }

    private OpcUaValues values(OpcUaClient client) {
        EncodingContext encoding;
        try {
            encoding = client.getDynamicEncodingContext();
        } catch (Exception e) {
            log.info("opcua {}: the server's data type definitions are unavailable ({}); structures of unknown types "
                    + "arrive as bytes", name, e.getMessage());
            encoding = client.getStaticEncodingContext();
        }
        return new OpcUaValues(client.getNamespaceTable(), encoding);
    }

    /** Transfers the previous session's subscriptions (if the server still has them) and deletes them. */
    private void removeStaleSubscriptions(OpcUaClient client) {
        List<UInteger> ids = previousSubscriptionIds;
        if (ids.isEmpty()) return;
        try {
            var response = Durations.await(client.transferSubscriptionsAsync(ids, false), config.requestTimeout());
            TransferResult[] results = response.getResults();
            List<UInteger> transferred = new ArrayList<>();
            List<String> refused = new ArrayList<>();
            for (int i = 0; results != null && i < results.length; i++) {
                if (results[i].getStatusCode().isGood()) transferred.add(ids.get(i));
                else refused.add(ids.get(i) + ": " + OpcUaClients.statusName(results[i].getStatusCode().value()));
            }
            if (!refused.isEmpty()) {
                log.info("opcua {}: previous subscriptions not on the server any more ({})", name, String.join(", ", refused));
            }
            if (!transferred.isEmpty()) {
                Durations.await(client.deleteSubscriptionsAsync(transferred), config.requestTimeout());
                log.info("opcua {}: deleted {} subscription(s) left over from the previous session", name, transferred.size());
            }
        } catch (RuntimeException e) {
            log.info("opcua {}: could not clean up the previous session's subscriptions: {}", name, e.getMessage());
        }
    }

    private int setUp(Session session, List<Problem> problems) throws Exception {
        NodeResolver resolver = new NodeResolver(session.client, config.requestTimeout());
        Set<String> tags = new HashSet<>();
        int total = 0;
        for (int g = 0; g < config.groups().size(); g++) {
            NodeGroup group = config.groups().get(g);
            NodeResolver.Result r = resolver.resolve(group, "groups[" + g + "]", tags);
            problems.addAll(r.problems());
            if (r.nodes().isEmpty()) continue;
            if (group.mode() == AcquisitionMode.SUBSCRIPTION) {
                total += subscribe(session, group, r.nodes(), problems);
            } else {
                total += poll(session, group, r.nodes(), problems);
            }
        }
        return total;
    }

    private int itemsPerCall(OpcUaClient client, boolean monitored) {
        int limit = config.maxItemsPerCall();
        try {
            var limits = client.getOperationLimits();
            var server = monitored ? limits.maxMonitoredItemsPerCall() : limits.maxNodesPerRead();
            if (server.isPresent() && server.get().longValue() > 0) limit = (int) Math.min(limit, server.get().longValue());
        } catch (Exception e) {
            // the server does not publish operation limits: keep ours
        }
        return Math.max(1, limit);
    }

    private int subscribe(Session session, NodeGroup group, List<ResolvedNode> nodes, List<Problem> problems) throws Exception {
        OpcUaSubscription sub = new OpcUaSubscription(session.client, (double) group.publishingInterval().toMillis());
        sub.setMaxMonitoredItemsPerCall(uint(itemsPerCall(session.client, true)));
        sub.setSubscriptionListener(new OpcUaSubscription.SubscriptionListener() {
            @Override
            public void onDataReceived(OpcUaSubscription s, List<OpcUaMonitoredItem> items, List<DataValue> dataValues) {
                deliver(session, items, dataValues);
            }

            @Override
            public void onNotificationDataLost(OpcUaSubscription s) {
                lostNotifications.increment();
                log.warn("opcua {}: the server reports lost notifications in group {}", name, group.name());
            }

            @Override
            public void onWatchdogTimerElapsed(OpcUaSubscription s) {
                // a slow server, not necessarily a dead one: the session keep-alive decides about reconnecting
                watchdogElapsed.increment();
                log.warn("opcua {}: group {}: no publish response or keep-alive within the subscription's watchdog time",
                        name, group.name());
            }

            @Override
            public void onTransferFailed(OpcUaSubscription s, StatusCode status) {
                connectionLost(session, "subscription transfer failed: " + OpcUaClients.statusName(status.value()));
            }

            @Override
            public void onStatusChanged(OpcUaSubscription s, StatusCode status) {
                if (status.isBad()) connectionLost(session, "subscription closed by the server: " + OpcUaClients.statusName(status.value()));
            }
        });
        sub.create();
        session.subscriptions.add(sub);
        List<OpcUaMonitoredItem> items = new ArrayList<>(nodes.size());
        for (ResolvedNode n : nodes) {
            OpcUaMonitoredItem item = OpcUaMonitoredItem.newDataItem(n.nodeId());
            item.setSamplingInterval(n.samplingMillis());
            item.setQueueSize(uint(n.queueSize()));
            item.setDiscardOldest(group.discardOldest());
            item.setFilter(new DataChangeFilter(trigger(group), uint(deadbandType(n.deadbandType())), n.deadband()));
            item.setUserObject(n);
            items.add(item);
        }
        sub.addMonitoredItems(items);
        try {
            sub.synchronizeMonitoredItems();
        } catch (MonitoredItemSynchronizationException e) {
            // per-item results are checked below
        }
        int ok = 0;
        for (OpcUaMonitoredItem item : items) {
            StatusCode result = item.getCreateResult().orElse(StatusCode.BAD);
            if (result.isGood()) {
                ok++;
            } else {
                ResolvedNode n = (ResolvedNode) item.getUserObject().orElseThrow();
                String hint = n.deadbandType() == DeadbandType.PERCENT
                        ? " (a percent deadband needs an AnalogItem with an EURange property)" : "";
                problems.add(new Problem(n.origin(), "node " + n.nodeId().toParseableString() + " (" + n.tag() + "): "
                        + OpcUaClients.statusName(result.value()) + hint));
            }
        }
        return ok;
    }

    private static DataChangeTrigger trigger(NodeGroup group) {
        return switch (group.trigger()) {
            case STATUS -> DataChangeTrigger.Status;
            case STATUS_VALUE -> DataChangeTrigger.StatusValue;
            case STATUS_VALUE_TIMESTAMP -> DataChangeTrigger.StatusValueTimestamp;
        };
    }

    private static int deadbandType(DeadbandType type) {
        return switch (type) {
            case NONE -> 0;
            case ABSOLUTE -> 1;
            case PERCENT -> 2;
        };
    }

    private void deliver(Session session, List<OpcUaMonitoredItem> items, List<DataValue> dataValues) {
        if (session.closed) return;
        long now = Sample.toNanos(ctx.clock().instant());
        List<Sample> batch = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Object user = items.get(i).getUserObject().orElse(null);
            if (!(user instanceof ResolvedNode n)) continue;
            try {
                batch.add(session.values.sample(n.tag(), dataValues.get(i), now, n.unit()));
            } catch (RuntimeException e) {
                decodeFailures.incrementAndGet();
                log.debug("opcua {}: cannot map the value of {}: {}", name, n.tag(), e.toString());
            }
        }
        decodeFailures.set(Math.max(decodeFailures.get(), session.values.decodeFailures()));
        publish(batch);
    }

    private void publish(List<Sample> batch) {
        if (batch.isEmpty()) return;
        samplesCounter.increment(batch.size());
        try {
            ctx.sink().publish(batch).whenComplete((ok, err) -> {
                if (err != null) {
                    publishFailures.increment(batch.size());
                    log.warn("opcua {}: {} samples were not stored: {}", name, batch.size(), err.getMessage());
                }
            });
        } catch (RuntimeException e) {
            publishFailures.increment(batch.size());
            log.warn("opcua {}: {} samples were not stored: {}", name, batch.size(), e.getMessage());
        }
    }

    /**
     * Starts a polling loop: Read of all nodes every poll-interval, in chunks within the server's limits. The first
     * read runs here, so nodes the server refuses are reported with the connect's other problems and not counted.
     */
    private int poll(Session session, NodeGroup group, List<ResolvedNode> nodes, List<Problem> problems) {
        int chunk = itemsPerCall(session.client, false);
        Map<ResolvedNode, Double> lastPublished = new HashMap<>();
        List<ResolvedNode> active = new CopyOnWriteArrayList<>(nodes);
        problems.addAll(pollOnce(session, active, chunk, lastPublished));
        AtomicInteger failures = new AtomicInteger();
        Runnable task = () -> {
            if (session.closed || !running) return;
            try {
                List<Problem> refused = pollOnce(session, active, chunk, lastPublished);
                failures.set(0);
                if (!refused.isEmpty()) {
                    badNodes.increment(refused.size());
                    monitoredItems.addAndGet(-refused.size());
                    for (Problem p : refused) log.warn("opcua {}: {}: {} (skipped until the next reconnect)", name, p.origin(), p.message());
                    ctx.health().report(HealthState.DEGRADED, NodeResolver.summary(refused, NodeResolver.PROBLEMS_SHOWN));
                }
            } catch (RuntimeException e) {
                int f = failures.incrementAndGet();
                log.warn("opcua {}: polling group {} failed ({}): {}", name, group.name(), f, e.getMessage());
                if (f >= 3) connectionLost(session, "polling failed 3 times: " + e.getMessage());
            }
        };
        long period = group.pollInterval().toNanos();
        session.polls.add(ctx.scheduler().scheduleAtFixedRate(task, period, period, TimeUnit.NANOSECONDS));
        return active.size();
    }

    /** Reads the active nodes once and publishes; nodes the server refuses leave {@code active} and are returned. */
    private List<Problem> pollOnce(Session session, List<ResolvedNode> active, int chunk, Map<ResolvedNode, Double> lastPublished) {
        long now = Sample.toNanos(ctx.clock().instant());
        List<Sample> batch = new ArrayList<>(active.size());
        List<Problem> refused = new ArrayList<>();
        List<ResolvedNode> snapshot = List.copyOf(active);
        for (int i = 0; i < snapshot.size(); i += chunk) {
            List<ResolvedNode> part = snapshot.subList(i, Math.min(snapshot.size(), i + chunk));
            List<DataValue> read = Durations.await(session.client.readValuesAsync(0.0, TimestampsToReturn.Both,
                    part.stream().map(ResolvedNode::nodeId).toList()), config.requestTimeout());
            for (int k = 0; k < part.size(); k++) {
                ResolvedNode n = part.get(k);
                DataValue dv = read.get(k);
                long status = dv.statusCode() == null ? 0 : dv.statusCode().value();
                if (isNodeError(status)) {
                    active.remove(n);
                    refused.add(new Problem(n.origin(), "node " + n.nodeId().toParseableString() + " (" + n.tag() + "): "
                            + OpcUaClients.statusName(status)));
                    continue;
                }
                Sample s = session.values.sample(n.tag(), dv, now, n.unit());
                if (passesDeadband(n, s, lastPublished)) batch.add(s);
            }
        }
        publish(batch);
        return refused;
    }

    private static boolean isNodeError(long status) {
        return status == org.eclipse.milo.opcua.stack.core.StatusCodes.Bad_NodeIdUnknown
                || status == org.eclipse.milo.opcua.stack.core.StatusCodes.Bad_NodeIdInvalid
                || status == org.eclipse.milo.opcua.stack.core.StatusCodes.Bad_AttributeIdInvalid
                || status == org.eclipse.milo.opcua.stack.core.StatusCodes.Bad_NotReadable
                || status == org.eclipse.milo.opcua.stack.core.StatusCodes.Bad_UserAccessDenied;
    }

    /** Gateway-side deadband for polling groups (subscriptions leave it to the server). */
    static boolean passesDeadband(ResolvedNode n, Sample s, Map<ResolvedNode, Double> last) {
        if (n.deadbandType() == DeadbandType.NONE) return true;
        double v;
        if (s.value() instanceof Value.FloatValue f) v = f.value();
        else if (s.value() instanceof Value.IntValue i) v = i.value();
        else return true;
        Double previous = last.get(n);
        double band = n.deadbandType() == DeadbandType.ABSOLUTE ? n.deadband()
                : n.deadband() / 100.0 * (n.euRange().high() - n.euRange().low());
        if (previous == null || Math.abs(v - previous) > band) {
            last.put(n, v);
            return true;
        }
        return false;
    }

    private void connectionLost(Session session, String reason) {
        synchronized (lock) {
            if (session.closed || current != session || !running) return;
            current = null;
            lostAtNanos = System.nanoTime();
            lostAtMillis = System.currentTimeMillis();
            monitoredItems.set(0);
        }
        reconnects.increment();
        reportFailure(reason + "; reconnecting", false, "", null);
        ctx.scheduler().execute(() -> close(session, false));
        schedule(backoff());
    }

    private void close(Session session, boolean deleteSubscriptions) {
        session.closed = true;
        session.polls.forEach(f -> f.cancel(false));
        // bounded: stop() must return within seconds, and a dead peer must not hold a scheduler thread for long
        Duration timeout = config.requestTimeout().compareTo(Duration.ofSeconds(2)) < 0 ? config.requestTimeout() : Duration.ofSeconds(2);
        if (deleteSubscriptions) {
            for (OpcUaSubscription sub : session.subscriptions) {
                try {
                    Durations.await(sub.deleteAsync().toCompletableFuture(), timeout);
                } catch (RuntimeException e) {
                    // the session is closed below, which deletes its subscriptions on the server too
                }
            }
        }
        OpcUaClients.disconnectQuietly(session.client, timeout);
    }
}
