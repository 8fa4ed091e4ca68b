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
import io.sluice.support.Backoff;
import io.sluice.support.SampleIntake;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
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
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.enumerated.DataChangeTrigger;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.DataChangeFilter;
import org.eclipse.milo.opcua.stack.core.types.structured.MonitoredItemCreateResult;
import org.eclipse.milo.opcua.stack.core.types.structured.MonitoredItemNotification;
import org.eclipse.milo.opcua.stack.core.types.structured.TransferResult;
import org.slf4j.Logger;

/**
 * One OPC UA source. Lifecycle: {@code start} schedules a connect and returns; each connect opens a fresh session,
 * resolves the nodes again (namespace indexes may have changed), continues the previous session's subscriptions if the
 * server still has them (transferred, not recreated) or creates new ones (or polling loops), and reports CONNECTED
 * (DEGRADED when some nodes are bad). When the session is lost the connector stores an outage marker per tag (if
 * configured), closes the session without deleting its subscriptions, reports DISCONNECTED and reconnects with
 * exponential backoff (reconnect-min-delay doubling up to reconnect-max-delay); with history-backfill the outage is
 * filled from the server's history before live values resume. Data changes reach the store once each and in
 * sequence-number order per subscription ({@link SequencingTransport}, {@link NotificationSequencer}). The gap (from
 * the last value before a loss to the first after it) is reported in health and metrics.
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
    private Backoff reconnectBackoff;
    private ScheduledFuture<?> pendingConnect;
    /** An outage being bridged: from the last value received before the loss to the first value after it. */
    private record Gap(long fromNanos, long fromMillis) {
    }

    private final java.util.concurrent.atomic.AtomicReference<Gap> openGap = new java.util.concurrent.atomic.AtomicReference<>();
    /** Per tag, the newest source time stored (kept only with history-backfill): where a backfill starts. */
    private final Map<String, Long> lastSourceNanos = new ConcurrentHashMap<>();
    private volatile long lastValueNanos;
    private volatile long lastValueMillis;
    private final Object healthLock = new Object();
    private HealthState connectedState;     // null while not connected
    private String connectedDetail;
    private String closedGapText = "";      // the gap closed by a value that arrived before the connect was reported
    private volatile Session previous;     // the last connected session, whose subscriptions the next one continues
    private int generation;

    private SampleIntake intake;
    private Metrics.Counter reconnects;
    private Metrics.Counter connectFailures;
    private Metrics.Counter badNodes;
    private Metrics.Counter lostNotifications;
    private Metrics.Counter watchdogElapsed;
    private Metrics.Counter outageMarkers;
    private Metrics.Counter backfillSamples;
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
        final Notifications notifications;
        final List<OpcUaSubscription> subscriptions = new CopyOnWriteArrayList<>();
        final List<ScheduledFuture<?>> polls = new CopyOnWriteArrayList<>();
        /** Every tag this session acquires (subscribed or polled), with its unit: who gets an outage marker. */
        final Map<String, String> tags = new ConcurrentHashMap<>();
        /** The subscribed nodes by tag: what history backfill reads. */
        final Map<String, ResolvedNode> subscribedByTag = new ConcurrentHashMap<>();
        /** While true, live data changes wait in {@link #waiting} (guarded by the sequencer) and polls skip. */
        volatile boolean backfilling;
        final List<Runnable> waiting = new ArrayList<>();
        /** Per tag, the newest source time stored by backfill: live values up to it are already stored. */
        final Map<String, Long> backfilledUpTo = new ConcurrentHashMap<>();
        volatile boolean closed;

        Session(int id, OpcUaClient client, OpcUaValues values, Notifications notifications) {
            this.id = id;
            this.client = client;
            this.values = values;
            this.notifications = notifications;
        }
    }

    /**
     * The data changes of one session's subscriptions, in sequence-number order and each message once (see
     * {@link SequencingTransport}): maps client handles to nodes and hands the samples to the sink.
     */
    private final class Notifications implements NotificationSequencer.Receiver<List<MonitoredItemNotification>> {
        final NotificationSequencer<List<MonitoredItemNotification>> sequencer =
                new NotificationSequencer<>(this, MAX_HELD_MESSAGES, config.requestTimeout().toNanos());
        /** subscription id -> client handle -> node */
        final Map<Long, ClientHandles> handles = new ConcurrentHashMap<>();
        final Map<Long, String> groups = new ConcurrentHashMap<>();
        volatile SequencingTransport transport;
        volatile Session session;

        @Override
        public void deliver(long subscriptionId, long sequenceNumber, List<MonitoredItemNotification> changes) {
            Session s = session;
            ClientHandles nodes = handles.get(subscriptionId);
            if (s == null || nodes == null) return;
            if (s.backfilling) {
                s.waiting.add(() -> OpcUaConnector.this.deliver(s, nodes, changes)); // under the sequencer's lock
                return;
            }
            OpcUaConnector.this.deliver(s, nodes, changes);
        }

        @Override
        public void lost(long subscriptionId, long firstSequenceNumber, long count) {
            lostNotifications.increment(count);
            String range = count == 1 ? "sequence number " + firstSequenceNumber
                    : "sequence numbers " + firstSequenceNumber + "-" + (firstSequenceNumber + count - 1);
            log.warn("opcua {}: group {}: {} notification message(s) lost ({}): the server no longer had them; the "
                    + "values they held are missing", name, groups.getOrDefault(subscriptionId, "?"), count, range);
        }
    }

    /** Messages held behind a missing one, per subscription, before the missing one is given up. */
    private static final int MAX_HELD_MESSAGES = 1000;

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
        this.reconnectBackoff = new Backoff(config.reconnectMinDelay(), config.reconnectMaxDelay());
        Metrics m = context.metrics();
        intake = SampleIntake.of("opcua", context);
        reconnects = m.counter("opcua.reconnects");
        connectFailures = m.counter("opcua.connect.failures");
        badNodes = m.counter("opcua.bad.nodes");
        lostNotifications = m.counter("opcua.notifications.lost");
        watchdogElapsed = m.counter("opcua.subscription.watchdog");
        outageMarkers = m.counter("opcua.outage.markers");
        backfillSamples = m.counter("opcua.backfill.samples");
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

    private Duration nextDelay() {
        synchronized (lock) {
            return reconnectBackoff.next();
        }
    }

    private void connect() {
        if (!running) return;
        OpcUaClient client = null;
        try {
            Notifications notifications = new Notifications();
            client = OpcUaClients.connect(options, pki, tcp -> notifications.transport =
                    new SequencingTransport(tcp, notifications.sequencer, System::nanoTime));
            Session session;
            synchronized (lock) {
                session = new Session(++generation, client, values(client), notifications);
            }
            notifications.session = session;
            session.backfilling = config.historyBackfill() && openGap.get() != null && !lastSourceNanos.isEmpty();
            session.polls.add(ctx.scheduler().scheduleAtFixedRate(() -> notifications.sequencer.expire(System.nanoTime()),
                    1, 1, TimeUnit.SECONDS));
            List<Problem> problems = new ArrayList<>();
            int items = setUp(session, problems, transferPrevious(session));
            if (session.backfilling) {
                try {
                    backfill(session);
                } finally {
                    synchronized (session.notifications.sequencer) {
                        session.backfilling = false;
                        session.waiting.forEach(Runnable::run);
                        session.waiting.clear();
                    }
                }
            }
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
                reconnectBackoff.reset();
                monitoredItems.set(items);
                previous = session;
            }
            if (openGap.get() != null) {
                log.info("opcua {}: reconnected to {}; {} monitored items restored{}", name, config.endpoint(), items,
                        afterFailures());
            } else {
                log.info("opcua {}: connected to {}; {} nodes{}", name, config.endpoint(), items, afterFailures());
            }
            if (problems.isEmpty()) {
                reportConnected(HealthState.CONNECTED, items + " nodes from " + config.endpoint());
            } else {
                badNodes.increment(problems.size());
                for (Problem p : problems) log.warn("opcua {}: {}: {} (skipped)", name, p.origin(), p.message());
                reportConnected(HealthState.DEGRADED, NodeResolver.summary(problems, NodeResolver.PROBLEMS_SHOWN) + "; "
                        + items + " nodes OK");
            }
        } catch (Exception e) {
            if (client != null) OpcUaClients.disconnectQuietly(client, config.requestTimeout());
            if (!running) return; // stopped while connecting
            connectFailures.increment();
            Duration delay = nextDelay();
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

    private void reportConnected(HealthState state, String detail) {
        synchronized (healthLock) {
            connectedState = state;
            connectedDetail = detail;
            ctx.health().report(state, detail + closedGapText);
        }
    }

    /** The first value after an outage: the gap is from the last value before it to now. */
    private void closeGap(Gap gap) {
        double seconds = (System.nanoTime() - gap.fromNanos()) / 1e9;
        lastGapMillis.set(Math.round(seconds * 1000));
        gapSeconds.record(seconds);
        String text = String.format(" (recovered after a gap of %.1f s since %s)", seconds,
                java.time.Instant.ofEpochMilli(gap.fromMillis()));
        log.info("opcua {}: values flow again after a gap of {} s since the last value at {}", name,
                String.format("%.1f", seconds), java.time.Instant.ofEpochMilli(gap.fromMillis()));
        synchronized (healthLock) {
            closedGapText = text;
            if (connectedState != null) ctx.health().report(connectedState, connectedDetail + text);
        }
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

    /** A subscription of the previous session, transferred to the new one and continued there. */
    private record Kept(SequencingTransport.Adoption adoption, ClientHandles handles) {
    }

    /**
     * Transfers the previous session's subscriptions to the new session if the server still has them (a network drop
     * or a frozen server rather than a restart). They are kept: their monitored items go on where they were, with the
     * values the server queued meanwhile, and their sequence numbers go on in the new session's sequencer.
     */
    private Map<String, Kept> transferPrevious(Session session) {
        Session old = previous;
        previous = null;
        if (old == null || old.subscriptions.isEmpty()) return Map.of();
        List<OpcUaSubscription> subs = old.subscriptions.stream().filter(s -> s.getSubscriptionId().isPresent()).toList();
        List<UInteger> ids = subs.stream().map(s -> s.getSubscriptionId().orElseThrow()).toList();
        Map<String, Kept> kept = new HashMap<>();
        try {
            var response = Durations.await(session.client.transferSubscriptionsAsync(ids, false), config.requestTimeout());
            TransferResult[] results = response.getResults();
            List<String> refused = new ArrayList<>();
            for (int i = 0; results != null && i < results.length; i++) {
                UInteger id = ids.get(i);
                if (!results[i].getStatusCode().isGood()) {
                    refused.add(id + ": " + OpcUaClients.statusName(results[i].getStatusCode().value()));
                    continue;
                }
                OpcUaSubscription sub = subs.get(i);
                Map<NodeId, MonitoredItemCreateResult> items = new HashMap<>();
                for (OpcUaMonitoredItem item : sub.getMonitoredItems()) {
                    if (item.getMonitoredItemId().isEmpty()) continue;
                    items.put(item.getReadValueId().getNodeId(), new MonitoredItemCreateResult(StatusCode.GOOD,
                            item.getMonitoredItemId().get(), item.getRevisedSamplingInterval().orElse(item.getSamplingInterval()),
                            item.getRevisedQueueSize().orElse(item.getQueueSize()), null));
                }
                SequencingTransport.Adoption adoption = new SequencingTransport.Adoption(id,
                        sub.getRevisedPublishingInterval().orElse(sub.getPublishingInterval()),
                        sub.getRevisedLifetimeCount().orElse(sub.getLifetimeCount()),
                        sub.getRevisedMaxKeepAliveCount().orElse(sub.getMaxKeepAliveCount()), items);
                old.notifications.sequencer.moveTo(id.longValue(), session.notifications.sequencer);
                String group = old.notifications.groups.getOrDefault(id.longValue(), "");
                kept.put(group, new Kept(adoption, old.notifications.handles.getOrDefault(id.longValue(), ClientHandles.NONE)));
            }
            if (!refused.isEmpty()) {
                log.info("opcua {}: previous subscriptions not transferred ({}); new ones are created", name,
                        String.join(", ", refused));
            }
            if (!kept.isEmpty()) {
                log.info("opcua {}: {} subscription(s) of the previous session transferred and continued", name, kept.size());
            }
        } catch (RuntimeException e) {
            log.info("opcua {}: could not transfer the previous session's subscriptions: {}", name, e.getMessage());
        }
        return kept;
    }

    private void deleteQuietly(Session session, UInteger subscriptionId) {
        try {
            Durations.await(session.client.deleteSubscriptionsAsync(List.of(subscriptionId)), config.requestTimeout());
        } catch (RuntimeException e) {
            log.debug("opcua {}: could not delete subscription {}: {}", name, subscriptionId, e.getMessage());
        }
    }

    private int setUp(Session session, List<Problem> problems, Map<String, Kept> kept) throws Exception {
        NodeResolver resolver = new NodeResolver(session.client, config.requestTimeout());
        Set<String> tags = new HashSet<>();
        Map<String, Kept> unused = new HashMap<>(kept);
        int total = 0;
        for (int g = 0; g < config.groups().size(); g++) {
            NodeGroup group = config.groups().get(g);
            NodeResolver.Result r = resolver.resolve(group, "groups[" + g + "]", tags);
            problems.addAll(r.problems());
            if (r.nodes().isEmpty()) continue;
            if (group.mode() == AcquisitionMode.SUBSCRIPTION) {
                Kept k = unused.remove(group.name());
                Set<NodeId> wanted = new HashSet<>();
                for (ResolvedNode n : r.nodes()) wanted.add(n.nodeId());
                if (k != null && !wanted.equals(k.adoption().items().keySet())) {
                    log.info("opcua {}: group {}: the nodes changed since the previous session; its subscription is "
                            + "replaced", name, group.name());
                    deleteQuietly(session, k.adoption().subscriptionId());
                    session.notifications.sequencer.forget(k.adoption().subscriptionId().longValue());
                    k = null;
                }
                total += subscribe(session, group, r.nodes(), problems, k);
            } else {
                total += poll(session, group, r.nodes(), problems);
            }
        }
        for (Kept k : unused.values()) {
            deleteQuietly(session, k.adoption().subscriptionId());
            session.notifications.sequencer.forget(k.adoption().subscriptionId().longValue());
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

    private int subscribe(Session session, NodeGroup group, List<ResolvedNode> nodes, List<Problem> problems, Kept kept)
            throws Exception {
        OpcUaSubscription sub = new OpcUaSubscription(session.client, (double) group.publishingInterval().toMillis());
        sub.setMaxMonitoredItemsPerCall(uint(itemsPerCall(session.client, true)));
        sub.setMaxNotificationsPerPublish(uint(config.maxNotificationsPerPublish()));
        sub.setSubscriptionListener(new OpcUaSubscription.SubscriptionListener() {
            // data changes arrive through the session's Notifications, in sequence-number order (SequencingTransport)

            @Override
            public void onNotificationDataLost(OpcUaSubscription s) {
                // Milo's own view, which also fires for a message that is still on its way; the sequencer counts
                log.debug("opcua {}: group {}: a republish failed", name, group.name());
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
        if (kept != null) session.notifications.transport.adoptNextCreate(kept.adoption());
        sub.create();
        session.subscriptions.add(sub);
        long subscriptionId = sub.getSubscriptionId().orElseThrow().longValue();
        if (kept == null) session.notifications.sequencer.begin(subscriptionId);
        session.notifications.groups.put(subscriptionId, group.name());
        Map<UInteger, ResolvedNode> handles = new HashMap<>();
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
        for (OpcUaMonitoredItem item : items) {
            ResolvedNode n = (ResolvedNode) item.getUserObject().orElseThrow();
            handles.put(item.getClientHandle().orElseThrow(), n);
        }
        // a continued subscription's items keep the client handles the server knows them by
        session.notifications.handles.put(subscriptionId, kept != null ? kept.handles() : new ClientHandles(handles));
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
                ResolvedNode n = (ResolvedNode) item.getUserObject().orElseThrow();
                session.tags.put(n.tag(), n.unit() == null ? "" : n.unit());
                session.subscribedByTag.put(n.tag(), n);
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

    private void deliver(Session session, ClientHandles nodes, List<MonitoredItemNotification> changes) {
        if (session.closed) return;
        long now = Sample.toNanos(ctx.clock().instant());
        List<Sample> batch = new ArrayList<>(changes.size());
        Map<String, Long> backfilledUpTo = session.backfilledUpTo.isEmpty() ? Map.of() : session.backfilledUpTo;
        for (MonitoredItemNotification change : changes) {
            ResolvedNode n = nodes.node(change.getClientHandle());
            if (n == null) continue; // an item deleted while its notification was on its way
            try {
                Sample sample = session.values.sample(n.tag(), change.getValue(), now, n.unit());
                Long backfilled = backfilledUpTo.isEmpty() ? null : backfilledUpTo.get(n.tag());
                if (backfilled != null && sample.sourceTimeNanos() <= backfilled) continue; // stored from history
                batch.add(sample);
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
        if (config.historyBackfill()) {
            for (Sample s : batch) lastSourceNanos.merge(s.tag(), s.sourceTimeNanos(), Math::max);
        }
        lastValueNanos = System.nanoTime();
        lastValueMillis = System.currentTimeMillis();
        Gap gap = openGap.get();
        if (gap != null && openGap.compareAndSet(gap, null)) closeGap(gap);
        intake.publish(batch);
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
        for (ResolvedNode n : nodes) session.tags.put(n.tag(), n.unit() == null ? "" : n.unit());
        Runnable task = () -> {
            if (session.closed || !running || session.backfilling) return;
            try {
                List<Problem> refused = pollOnce(session, active, chunk, lastPublished);
                failures.set(0);
                if (!refused.isEmpty()) {
                    badNodes.increment(refused.size());
                    monitoredItems.addAndGet(-refused.size());
                    for (Problem p : refused) log.warn("opcua {}: {}: {} (skipped until the next reconnect)", name, p.origin(), p.message());
                    reportConnected(HealthState.DEGRADED, NodeResolver.summary(refused, NodeResolver.PROBLEMS_SHOWN));
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
            long lastValue = lastValueNanos;
            openGap.compareAndSet(null, lastValue != 0 ? new Gap(lastValue, lastValueMillis)
                    : new Gap(System.nanoTime(), System.currentTimeMillis()));
            monitoredItems.set(0);
        }
        synchronized (healthLock) {
            connectedState = null;
            closedGapText = "";
        }
        synchronized (session.notifications.sequencer) {
            session.closed = true; // no value of this session reaches the store after its outage markers
        }
        if (config.outageMarkers()) markOutage(session);
        reconnects.increment();
        reportFailure(reason + "; reconnecting", false, "", null);
        SequencingTransport transport = session.notifications.transport;
        if (transport != null) transport.keepSubscriptionsOnClose(); // for the next session to transfer
        ctx.scheduler().execute(() -> close(session, false));
        schedule(nextDelay());
    }

    /**
     * History backfill after a reconnect: reads the raw history of every subscribed tag from its last stored source
     * time to now and stores what is newer, oldest first per tag (see {@link HistoryBackfill}). Live values wait
     * meanwhile; those the history already covered are dropped when they are let through.
     */
    private void backfill(Session session) {
        List<ResolvedNode> nodes = new ArrayList<>();
        for (ResolvedNode n : session.subscribedByTag.values()) if (lastSourceNanos.containsKey(n.tag())) nodes.add(n);
        if (nodes.isEmpty()) return;
        HistoryBackfill history = new HistoryBackfill(session.client, session.values, config.requestTimeout(),
                itemsPerCall(session.client, false));
        HistoryBackfill.Outcome outcome = history.read(nodes, lastSourceNanos::get, DateTime.now(),
                Sample.toNanos(ctx.clock().instant()), batch -> {
                    for (Sample s : batch) {
                        session.backfilledUpTo.merge(s.tag(), s.sourceTimeNanos(), Math::max);
                        lastSourceNanos.merge(s.tag(), s.sourceTimeNanos(), Math::max);
                    }
                    backfillSamples.increment(batch.size());
                    intake.publish(batch);
                });
        List<String> without = outcome.withoutHistory();
        if (!without.isEmpty()) {
            log.info("opcua {}: history backfill: no history for {} of {} tag(s) (first: {})", name, without.size(),
                    nodes.size(), without.get(0));
        }
        log.info("opcua {}: history backfill: {} value(s) of {} tag(s) stored from the server's history", name,
                outcome.samples(), nodes.size() - without.size());
    }

    /** One BAD / BadNoCommunication sample per tag of the lost session; GOOD resumes with the next value. */
    private void markOutage(Session session) {
        long now = Sample.toNanos(ctx.clock().instant());
        List<Sample> markers = new ArrayList<>(session.tags.size());
        session.tags.forEach((tag, unit) -> markers.add(new Sample(tag, OpcUaValues.NO_VALUE, io.sluice.spi.Quality.BAD,
                org.eclipse.milo.opcua.stack.core.StatusCodes.Bad_NoCommunication, now, Sample.NO_SERVER_TIME, now,
                unit.isEmpty() ? null : unit)));
        outageMarkers.increment(markers.size());
        intake.publish(markers);
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
