package io.sluice.connector.opcda;

import io.sluice.spi.Durations;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.HealthState;
import io.sluice.spi.metrics.Metrics;
import io.sluice.support.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An OPC DA source. Lifecycle:
 *
 * <pre>
 *  start ─► connecting ──ok──► connected ──status check / read fails──► disconnected ─(backoff)─► connecting
 *               │                  │ (failed items: DEGRADED)                                      ▲
 *               └──fails──► disconnected ──────────────────────────────(backoff)───────────────────┘
 *  stop (any state) ─► groups removed, session closed ─► STOPPED
 * </pre>
 *
 * Every step runs on the runtime's scheduler under one lock, so steps never overlap; data callbacks arrive on DCOM
 * threads and go straight to the sink.
 */
public final class OpcDaConnector implements Connector {

    private final String name;
    private final OpcDaConnectorConfig config;
    private final OpcDaSessionFactory factory;
    private final Object lock = new Object();
    private final List<ScheduledFuture<?>> sessionTasks = new ArrayList<>();

    private ConnectorContext context;
    private OpcDaAcquisition acquisition;
    private Backoff backoff;
    private Metrics.Counter reconnects;
    private ScheduledFuture<?> pendingConnect;
    private volatile boolean stopped;
    private volatile boolean connecting;

    public OpcDaConnector(String name, OpcDaConnectorConfig config, OpcDaSessionFactory factory) {
        this.name = name;
        this.config = config;
        this.factory = factory;
    }

    @Override
    public void start(ConnectorContext ctx) {
        this.context = ctx;
        this.acquisition = new OpcDaAcquisition(name, config, factory, ctx.sink(), ctx.clock(), ctx.metrics(), ctx.logger());
        this.backoff = new Backoff(config.reconnectMinDelay(), config.reconnectMaxDelay());
        this.reconnects = ctx.metrics().counter("opcda.reconnects");
        ctx.health().report(HealthState.STARTING, "connecting to " + acquisition.settings().server() + " on " + config.host());
        synchronized (lock) {
            pendingConnect = ctx.scheduler().schedule(this::attemptConnect, 0, TimeUnit.MILLISECONDS);
        }
    }

    private void attemptConnect() {
        synchronized (lock) {
            if (stopped) return;
            pendingConnect = null;
            connecting = true;
            boolean ok;
            try {
                ok = acquisition.connect();
            } finally {
                connecting = false;
            }
            if (stopped) return;
            if (ok) {
                backoff.reset();
                reportConnected();
                ScheduledExecutorService s = context.scheduler();
                long status = config.statusInterval().toMillis();
                sessionTasks.add(s.scheduleWithFixedDelay(this::maintain, status, status, TimeUnit.MILLISECONDS));
                for (OpcDaAcquisition.GroupState gs : acquisition.groups()) {
                    long rate = Math.max(10, gs.live == null ? gs.config.updateRate().toMillis() : gs.live.revisedUpdateRate().toMillis());
                    String group = gs.config.name();
                    sessionTasks.add(s.scheduleWithFixedDelay(() -> pollGroup(group), rate, rate, TimeUnit.MILLISECONDS));
                }
            } else {
                scheduleReconnect(acquisition.lastError());
            }
        }
    }

    private void maintain() {
        synchronized (lock) {
            if (stopped || !acquisition.connected()) return;
            if (acquisition.checkHealth()) {
                reportConnected();
            } else {
                lost(acquisition.lastError());
            }
        }
    }

    private void pollGroup(String group) {
        synchronized (lock) {
            if (stopped || !acquisition.connected()) return;
            try {
                if (!acquisition.poll(group)) {
                    lost(acquisition.lastError());
                }
            } catch (RuntimeException e) {
                context.logger().warn("opcda {}: polling group {} failed: {}", name, group, OpcDaAcquisition.describe(e));
            }
        }
    }

    private void lost(String reason) {
        sessionTasks.forEach(f -> f.cancel(false));
        sessionTasks.clear();
        acquisition.disconnect(reason);
        reconnects.increment();
        scheduleReconnect(reason);
    }

    private void scheduleReconnect(String reason) {
        if (stopped) return;
        Duration delay = backoff.next();
        context.health().report(HealthState.DISCONNECTED, reason + "; retrying in " + Durations.format(Duration.ofMillis(delay.toMillis())));
        pendingConnect = context.scheduler().schedule(this::attemptConnect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void reportConnected() {
        int failed = acquisition.failedItemCount();
        long polling = acquisition.groups().stream().filter(g -> g.mode() == OpcDaAcquisition.Mode.POLLING).count();
        String detail = acquisition.boundItemCount() + " items in " + acquisition.groups().size() + " groups"
                + (polling > 0 && config.acquisition() != OpcDaConnectorConfig.Acquisition.POLLING ? ", " + polling + " polled (callbacks unavailable)" : "")
                + (acquisition.serverState() != null && acquisition.serverState() != OpcDaServerSession.ServerState.RUNNING
                        ? ", server state " + acquisition.serverState() : "");
        if (failed > 0) {
            context.health().report(HealthState.DEGRADED, detail + ", " + failed + " items rejected (see log)");
        } else {
            context.health().report(HealthState.CONNECTED, detail);
        }
    }

    @Override
    public void stop() {
        stopped = true;
        if (acquisition != null && connecting) {
            // A connect attempt holds the lock for up to socket-timeout per call: break it off.
            acquisition.abort();
        }
        synchronized (lock) {
            if (pendingConnect != null) pendingConnect.cancel(false);
            sessionTasks.forEach(f -> f.cancel(false));
            sessionTasks.clear();
            if (acquisition != null) {
                acquisition.close();
            }
            if (context != null) {
                context.health().report(HealthState.STOPPED, "stopped");
            }
        }
    }
}
