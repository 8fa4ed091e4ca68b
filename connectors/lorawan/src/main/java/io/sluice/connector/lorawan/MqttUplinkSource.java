package io.sluice.connector.lorawan;

import io.sluice.spi.EpisodeLog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Mqtt;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.support.MqttSession;
import io.sluice.support.PemTls;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.HealthState;
import io.sluice.spi.metrics.Metrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;

/**
 * MQTT mode: subscribes to a network server's uplink events (ChirpStack v4 or The Things Stack v3), decodes the
 * already decrypted payload with the device's profile and hands the samples to the sink. A message is acknowledged
 * to the broker (QoS 1) only after its samples are committed: the callback waits for the commit, and a failed commit
 * drops the connection so the broker redelivers. The connection is a {@link MqttSession}: it reconnects with backoff
 * and this source subscribes again on every connection.
 */
final class MqttUplinkSource implements AutoCloseable {

    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Mqtt config;
    private final DeviceRegistry registry;
    private final DeviceProfile defaultProfile;
    private final LoRaWanConnectorConfig.RadioMetadata radio;
    private final ConnectorContext context;
    private final GatewayClock gatewayClock;
    private final ObjectMapper json = new ObjectMapper();
    private final Metrics.Counter messages;
    private final Metrics.Counter malformed;
    private final Metrics.Counter unknownDevice;
    private final Metrics.Counter decodeErrors;
    private final Metrics.Counter samplesEmitted;
    private final Metrics.Counter connects;
    private final Metrics.Counter duplicates;
    private final Metrics.Counter dedupSaveFailures;
    private final EpisodeLog duplicateLog;
    private final RecentIds recent;
    private final EpisodeLog problemLog;
    private volatile MqttSession session;

    MqttUplinkSource(String name, Mqtt config, DeviceRegistry registry, DeviceProfile defaultProfile, LoRaWanConnectorConfig.RadioMetadata radio,
                     GatewayClock gatewayClock, ConnectorContext context) {
        this.gatewayClock = gatewayClock;
        this.name = name;
        this.config = config;
        this.registry = registry;
        this.defaultProfile = defaultProfile;
        this.radio = radio;
        this.context = context;
        Metrics m = context.metrics();
        messages = m.counter("lorawan.mqtt.messages");
        malformed = m.counter("lorawan.mqtt.malformed");
        unknownDevice = m.counter("lorawan.frames.unknown-device");
        decodeErrors = m.counter("lorawan.payload.decode-errors");
        samplesEmitted = m.counter("lorawan.samples.emitted");
        connects = m.counter("lorawan.mqtt.connects");
        duplicates = m.counter("lorawan.mqtt.duplicates");
        dedupSaveFailures = m.counter("lorawan.mqtt.dedup-save-failures");
        duplicateLog = new EpisodeLog(context.logger(), Duration.ofSeconds(10));
        recent = new RecentIds(config.dedupIds(), config.dedupMaxAge().toMillis(), context.stateDirectory());
        problemLog = new EpisodeLog(context.logger(), Duration.ofSeconds(10));
    }

    /** Reads the dedup state and the TLS files, then connects in the background. */
    void start() throws Exception {
        try {
            int bad = recent.load(context.clock().millis());
            if (bad > 0) {
                context.logger().warn("{} unreadable lines in {} skipped", bad, RecentIds.FILE);
            }
        } catch (java.io.IOException e) {
            dedupSaveFailures.increment();
            context.logger().warn("cannot read or rewrite {} ({}); events stored before this start may be stored again "
                    + "if the broker delivers them again", RecentIds.FILE, e.toString());
        }
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(config.cleanSession());
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout((int) Math.max(1, config.connectTimeout().toSeconds()));
        o.setKeepAliveInterval((int) Math.max(1, config.keepAlive().toSeconds()));
        o.setMaxInflight(100);
        config.username().ifPresent(o::setUserName);
        config.password().ifPresent(p -> o.setPassword(p.reveal().toCharArray()));
        if (config.server().startsWith("ssl://")) {
            o.setSocketFactory(PemTls.clientContext("TLS", config.certFile().map(Path::of).orElse(null),
                    config.keyFile().map(Path::of).orElse(null), config.caFile().map(Path::of).orElse(null))
                    .getSocketFactory());
        }
        MqttSession s = new MqttSession(new MqttSession.Settings("MQTT", config.server(),
                config.clientId().orElse("sluice-" + name), o, config.reconnectMinDelay(), config.reconnectMaxDelay(),
                MqttSession.Reporting.OWNER),
                context.scheduler(), context.logger(), new MqttSession.Listener() {
                    @Override
                    public void connected(MqttAsyncClient client, boolean reconnect) throws MqttException {
                        client.subscribe(config.topicFilter(), config.qos()).waitForCompletion(config.connectTimeout().toMillis());
                        connects.increment();
                        context.health().report(HealthState.CONNECTED, "subscribed to " + config.topicFilter() + " on "
                                + config.server());
                    }

                    @Override
                    public void messageArrived(String topic, MqttMessage message) {
                        handle(topic, message.getPayload());
                    }

                    @Override
                    public void disconnected(String reason, Duration retryIn) {
                        context.health().report(HealthState.DISCONNECTED, "no connection to " + config.server() + ": "
                                + reason + "; retrying in " + Durations.format(retryIn));
                    }
                }, MqttSession::describe);
        session = s;
        s.start();
    }

    /** Handles one event; package-private for tests. A failed commit throws so the broker redelivers. */
    void handle(String topic, byte[] body) {
        messages.increment();
        NetworkServerUplink up;
        try {
            JsonNode root = json.readTree(body);
            up = NetworkServerUplink.parse(config.flavor(), root);
        } catch (Exception e) {
            malformed.increment();
            problemLog.warn("malformed uplink event on " + topic + ": " + firstLine(e.getMessage()));
            return;
        }
        long nowMillis = context.clock().millis();
        if (recent.contains(up.eventId(), nowMillis)) {
            duplicates.increment();
            duplicateLog.info("uplink event " + up.eventId() + " was delivered again by the broker; stored once, the copy "
                    + "dropped");
            return;
        }
        DeviceSession device = registry.byDevEui(up.devEui());
        String deviceName;
        DeviceProfile profile;
        if (device != null) {
            deviceName = device.name();
            profile = device.profile();
        } else if (defaultProfile != null && up.devEui() != null) {
            deviceName = up.devEui().toLowerCase(java.util.Locale.ROOT);
            profile = defaultProfile;
        } else {
            unknownDevice.increment();
            problemLog.warn("uplink from unknown device " + (up.devEui() != null ? up.devEui() : up.deviceName()) + " dropped");
            return;
        }
        List<DecodedField> fields = null;
        String error = null;
        if (up.fport() > 0) {
            try {
                fields = profile.decode(up.payload(), up.fport());
            } catch (PayloadCodec.CodecException e) {
                error = e.getMessage();
                decodeErrors.increment();
            }
        }
        long now = Sample.toNanos(context.clock().instant());
        List<RxMetadata> receptions = new ArrayList<>(up.receptions().size());
        for (RxMetadata rx : up.receptions()) {
            receptions.add(gatewayClock.check(rx, now));
        }
        List<Sample> out = new ArrayList<>();
        UplinkSamples.build(new UplinkSamples.Uplink(deviceName, device != null ? device.tags() : null, up.devAddr(), up.devEui(), up.fcnt(), up.fport(),
                up.confirmed(), up.adr(), fields, error, up.payload(), receptions, now), radio, out);
        if (out.isEmpty()) {
            return;
        }
        Durations.await(context.sink().publish(out), COMMIT_TIMEOUT);
        samplesEmitted.increment(out.size());
        try {
            recent.add(up.eventId(), nowMillis);
        } catch (java.io.IOException e) {
            dedupSaveFailures.increment();
            problemLog.warn("cannot save the id of a stored uplink event to " + RecentIds.FILE + ": " + e
                    + "; it is remembered until the next restart");
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "?";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    @Override
    public void close() {
        MqttSession s = session;
        if (s != null) {
            s.close();
        }
        recent.close();
    }
}
