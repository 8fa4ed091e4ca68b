package io.sluice.destination.iotcore;

import static io.sluice.support.MqttSession.describe;

import io.sluice.spi.SluiceException;
import io.sluice.support.MqttSession;
import io.sluice.support.PemTls;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.slf4j.Logger;

/**
 * The built-in transport: one MQTT 3.1.1 connection over TLS 1.2 with the device certificate (Eclipse Paho), kept by
 * a {@link MqttSession}: it connects in the background and, when the connection drops, reconnects with backoff;
 * publishes made while disconnected fail at once as retryable, so the publisher keeps the data and backs off.
 * Clean session: unacknowledged messages are the publisher's to resend, not the broker's.
 */
final class MqttTransport implements IotCoreTransport {

    private final IotCoreDestinationConfig config;
    private final TrackingSocketFactory sockets;
    private final MqttSession session;

    MqttTransport(String destination, IotCoreDestinationConfig config, ScheduledExecutorService scheduler, Logger log)
            throws Exception {
        this.config = config;
        SSLContext tls = PemTls.clientContext("TLSv1.2", Path.of(config.certificate().orElseThrow()),
                Path.of(config.privateKey().orElseThrow()), config.caCertificate().map(Path::of).orElse(null));
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval((int) Math.max(1, config.keepAlive().toSeconds()));
        options.setConnectionTimeout((int) Math.max(1, config.connectTimeout().toSeconds()));
        options.setMaxInflight(Math.max(10, config.maxInFlight() * 2));
        sockets = new TrackingSocketFactory(tls.getSocketFactory());
        options.setSocketFactory(sockets);
        options.setHttpsHostnameVerificationEnabled(true);
        session = new MqttSession(new MqttSession.Settings("iotcore destination '" + destination + "'",
                config.endpoint().orElseThrow(), config.clientId().orElse(destination), options,
                config.reconnectMinDelay(), config.reconnectMaxDelay(), MqttSession.Reporting.LOG),
                scheduler, log, new MqttSession.Listener() {}, this::describeConnectFailure);
    }

    /** Connects now in the background; failures are retried with backoff. */
    void start() {
        session.start();
    }

    /** A failed connect in one line: TLS failures and MQTT refusals by name, anything else by its causes. */
    String describeConnectFailure(Throwable cause) {
        String host = java.net.URI.create(config.endpoint().orElse("ssl://unknown:0")).getHost();
        String trustedBy = config.caCertificate().map(ca -> "ca-certificate " + ca).orElse("the JVM trust store");
        String tls = TlsFailures.describe(cause, sockets.progress(), host, trustedBy);
        if (tls != null) return tls;
        if (cause instanceof MqttException e) {
            String clientId = session.settings().clientId();
            switch (e.getReasonCode()) {
                case MqttException.REASON_CODE_NOT_AUTHORIZED:
                    return "the broker refused CONNECT: not authorized (check the IoT policy allows iot:Connect for client id "
                            + clientId + ")";
                case MqttException.REASON_CODE_FAILED_AUTHENTICATION:
                    return "the broker refused CONNECT: bad user name or password";
                case MqttException.REASON_CODE_INVALID_CLIENT_ID:
                    return "the broker refused CONNECT: client id " + clientId + " not accepted";
                default:
                    break;
            }
        }
        return describe(cause);
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos) {
        return publishWithId(topic, payload, qos).thenApply(id -> null);
    }

    @Override
    public CompletableFuture<Integer> publishWithId(String topic, byte[] payload, int qos) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        if (!session.isConnected()) {
            String lastError = session.lastError();
            done.completeExceptionally(SluiceException.retryable("not connected to " + config.endpoint().orElse("")
                    + (lastError.isEmpty() ? "" : " (" + lastError + ")"), null));
            return done;
        }
        try {
            MqttMessage message = new MqttMessage(payload);
            message.setQos(qos);
            session.client().publish(topic, message, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    done.complete(token.getMessageId());
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    done.completeExceptionally(SluiceException.retryable("publish to " + topic + " failed: " + describe(cause), cause));
                }
            });
        } catch (MqttException e) {
            done.completeExceptionally(SluiceException.retryable("publish to " + topic + " failed: " + describe(e), e));
        }
        return done.orTimeout(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(e instanceof java.util.concurrent.TimeoutException
                        ? SluiceException.retryable("no PUBACK for a message to " + topic + " within "
                        + config.publishTimeout(), e) : e));
    }

    @Override
    public boolean isConnected() {
        return session.isConnected();
    }

    String lastError() {
        return session.lastError();
    }

    long connects() {
        return session.connects();
    }

    @Override
    public void close() {
        session.close();
    }
}
