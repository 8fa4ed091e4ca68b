package io.sluice.connector.lorawan;

import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Mode;
import io.sluice.spi.Durations;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.HealthState;
import io.sluice.support.Backoff;
import io.sluice.support.SampleIntake;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A LoRaWAN connector instance: in UDP mode a {@link PacketForwarderServer} feeding an {@link UplinkPipeline}; in
 * MQTT mode an {@link MqttUplinkSource}. If the UDP port cannot be bound (in use), the connector reports
 * DISCONNECTED and tries again with backoff up to one minute.
 */
public final class LoRaWanConnector implements Connector {

    private final String name;
    private final LoRaWanConnectorConfig config;
    private volatile PacketForwarderServer server;
    private volatile MqttUplinkSource mqtt;
    private volatile ScheduledFuture<?> retry;
    private volatile ScheduledFuture<?> silenceCheck;
    private volatile SilenceWatch silence;
    private volatile boolean stopped;

    public LoRaWanConnector(String name, LoRaWanConnectorConfig config) {
        this.name = name;
        this.config = config;
    }

    @Override
    public void start(ConnectorContext context) throws Exception {
        DeviceRegistry registry = DeviceRegistry.build(config);
        context.health().report(HealthState.STARTING, registry.size() + " devices");
        GatewayClock gatewayClock = new GatewayClock(config.gatewayTimeTolerance().toNanos(), context.metrics(), context.logger());
        if (config.mode() == Mode.MQTT) {
            MqttUplinkSource source = new MqttUplinkSource(name, config.mqtt().orElseThrow(), registry,
                    config.defaultProfile().map(registry::profile).orElse(null), config.radioMetadata(), gatewayClock, context);
            mqtt = source;
            source.start();
            return;
        }
        FrameCounterStore counters = new FrameCounterStore(context.stateDirectory());
        int bad = counters.load();
        if (bad > 0) {
            context.logger().warn("{} unreadable lines in {}; those devices start without a counter", bad, FrameCounterStore.FILE);
        }
        SessionStore sessions = new SessionStore(context.stateDirectory());
        java.util.Set<String> names = registry.names();
        try {
            sessions.load(names::contains);
        } catch (IOException | RuntimeException e) {
            context.logger().warn("cannot read LoRaWAN sessions: {}; OTAA devices must join again", e.getMessage());
        }
        KnownGateways gateways = KnownGateways.of(config.gatewaysOrDefault(), context.metrics(), context.logger());
        JoinServer joins = null;
        Downlinks downlinks = null;
        if (config.networkServer().isPresent()) {
            RegionalParameters region = RegionalParameters.of(config.region());
            joins = new JoinServer(registry, sessions, counters, config.networkServer().get(), region);
            int restored = joins.restore();
            if (restored > 0) {
                context.logger().info("{} OTAA sessions restored from {}", restored, SessionStore.FILE);
            }
            downlinks = new Downlinks(region, config.networkServer().get(), sessions, gateways, context.metrics(), context.logger());
        }
        UplinkPipeline pipeline = new UplinkPipeline(registry, counters, config.maxFcntGap(),
                config.dedupWindow().toNanos(), config.radioMetadata(), context.metrics(), joins, sessions, downlinks != null);
        PacketForwarderServer s = new PacketForwarderServer(config.bindAddress(), config.port(),
                (int) Math.min(Integer.MAX_VALUE, config.receiveBuffer().bytes()), pipeline, counters,
                config.gatewayStats(), config.dedupWindow().toNanos(),
                gateways, gatewayClock, SampleIntake.of("lorawan", context), context.clock(),
                context.metrics(), context.logger(), downlinks, sessions);
        server = s;
        silence = new SilenceWatch(names, sessions, config.silenceAlarm(), context.clock(), context.metrics(), context.logger());
        silence.startedAt(context.clock().millis());
        if (!config.silenceAlarm().isZero()) {
            long every = Math.max(1_000, Math.min(60_000, config.silenceAlarm().toMillis() / 4));
            silenceCheck = context.scheduler().scheduleAtFixedRate(silence::check, every, every, TimeUnit.MILLISECONDS);
        }
        bindOrRetry(s, context, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)));
    }

    private void bindOrRetry(PacketForwarderServer s, ConnectorContext context, Backoff backoff) {
        if (stopped) {
            return;
        }
        try {
            s.bind();
            s.start("lorawan-udp-" + name, context.health());
        } catch (IOException e) {
            Duration delay = backoff.next();
            context.health().report(HealthState.DISCONNECTED, "cannot bind UDP " + config.bindAddress() + ":" + config.port()
                    + ": " + e.getMessage() + "; retrying in " + Durations.format(delay));
            retry = context.scheduler().schedule(() -> bindOrRetry(s, context, backoff), delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** The bound UDP port (useful with {@code port: 0}), or -1 when not bound. */
    public int udpPort() {
        PacketForwarderServer s = server;
        return s == null ? -1 : s.localPort();
    }

    /** The UDP server, or null in MQTT mode. */
    public PacketForwarderServer udpServer() {
        return server;
    }

    @Override
    public void stop() {
        stopped = true;
        ScheduledFuture<?> r = retry;
        if (r != null) {
            r.cancel(false);
        }
        ScheduledFuture<?> sc = silenceCheck;
        if (sc != null) {
            sc.cancel(false);
        }
        PacketForwarderServer s = server;
        if (s != null) {
            s.close();
        }
        MqttUplinkSource m = mqtt;
        if (m != null) {
            m.close();
        }
    }

    @Override
    public String toString() {
        return "LoRaWanConnector[" + name + ", " + config.mode() + "]";
    }
}
