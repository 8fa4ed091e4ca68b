package io.sluice.destination.iotcore;

import io.sluice.spi.SluiceException;
import io.sluice.support.PemTls;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;

/**
 * The built-in transport: one MQTT 3.1.1 connection over TLS 1.2 with the device certificate (Eclipse Paho). It
 * connects in the background and, when the connection drops, reconnects with exponential backoff and jitter;
 * publishes made while disconnected fail at once as retryable, so the publisher keeps the data and backs off.
 * Clean session: unacknowledged messages are the publisher's to resend, not the broker's.
 */
final class MqttTransport implements IotCoreTransport {

    private final String destination;
    private final IotCoreDestinationConfig config;
    private final ScheduledExecutorService scheduler;
    private final Logger log;
    private final MqttAsyncClient client;
    private final MqttConnectOptions options;
    private final AtomicLong reconnects = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean connecting;
    private volatile String lastError = "";
    /** The connect failure last logged at WARN; null while connected. One WARN line per episode and reason. */
    private String loggedFailure;
    private final TrackingSocketFactory sockets;
    private long delayMillis;

    MqttTransport(String destination, IotCoreDestinationConfig config, ScheduledExecutorService scheduler, Logger log)
            throws Exception {
        this.destination = destination;
        this.config = config;
        this.scheduler = scheduler;
        this.log = log;
        SSLContext tls = PemTls.clientContext("TLSv1.2", Path.of(config.certificate().orElseThrow()),
                Path.of(config.privateKey().orElseThrow()), config.caCertificate().map(Path::of).orElse(null));
        options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval((int) Math.max(1, config.keepAlive().toSeconds()));
        options.setConnectionTimeout((int) Math.max(1, config.connectTimeout().toSeconds()));
        options.setMaxInflight(Math.max(10, config.maxInFlight() * 2));
        sockets = new TrackingSocketFactory(tls.getSocketFactory());
        options.setSocketFactory(sockets);
        options.setHttpsHostnameVerificationEnabled(true);
        client = new MqttAsyncClient(config.endpoint().orElseThrow(), config.clientId().orElse(destination),
                new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lastError = describe(cause);
                log.warn("iotcore destination '{}': connection to {} lost ({}); reconnecting", destination,
                        config.endpoint().orElse(""), lastError);
                scheduleConnect();
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {}

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
        });
        delayMillis = config.reconnectMinDelay().toMillis();
    }

    /** Connects now in the background; failures are retried with backoff. */
    void start() {
        connectNow();
    }

    private synchronized void scheduleConnect() {
        if (closed || connecting) return;
        connecting = true;
        long jittered = delayMillis / 2 + ThreadLocalRandom.current().nextLong(delayMillis / 2 + 1);
        delayMillis = Math.min(config.reconnectMaxDelay().toMillis(), Math.max(1, delayMillis * 2));
        scheduler.schedule(() -> {
            synchronized (MqttTransport.this) {
                connecting = false;
            }
            connectNow();
        }, jittered, TimeUnit.MILLISECONDS);
    }

    private void connectNow() {
        if (closed || client.isConnected()) return;
        try {
            client.connect(options, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    synchronized (MqttTransport.this) {
                        delayMillis = config.reconnectMinDelay().toMillis();
                        loggedFailure = null;
                    }
                    if (reconnects.getAndIncrement() > 0) {
                        log.info("iotcore destination '{}': reconnected to {}", destination, config.endpoint().orElse(""));
                    } else {
                        log.info("iotcore destination '{}': connected to {} as {}", destination,
                                config.endpoint().orElse(""), client.getClientId());
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    String reason = describeConnectFailure(cause);
                    lastError = reason;
                    boolean first;
                    synchronized (MqttTransport.this) {
                        first = !reason.equals(loggedFailure);
                        loggedFailure = reason;
                    }
                    if (first) {
                        log.warn("iotcore destination '{}': cannot connect to {}: {}; retrying with backoff",
                                destination, config.endpoint().orElse(""), reason);
                    } else {
                        log.debug("iotcore destination '{}': connect failed again: {}", destination, reason, cause);
                    }
                    scheduleConnect();
                }
            });
        } catch (MqttException e) {
            // already connecting, or a client-side error: try again later
            lastError = describe(e);
            if (e.getReasonCode() != MqttException.REASON_CODE_CONNECT_IN_PROGRESS
                    && e.getReasonCode() != MqttException.REASON_CODE_CLIENT_CONNECTED) {
                scheduleConnect();
            }
        }
    }

    /** A failed connect in one line: TLS failures and MQTT refusals by name, anything else by its causes. */
    String describeConnectFailure(Throwable cause) {
        String host = java.net.URI.create(config.endpoint().orElse("ssl://unknown:0")).getHost();
        String trustedBy = config.caCertificate().map(ca -> "ca-certificate " + ca).orElse("the JVM trust store");
        String tls = TlsFailures.describe(cause, sockets.progress(), host, trustedBy);
        if (tls != null) return tls;
        if (cause instanceof MqttException e) {
            String clientId = client.getClientId();
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

    static String describe(Throwable t) {
        if (t == null) return "unknown";
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String msg = t.getMessage();
        if (root != t) msg = msg + ": " + root.getClass().getSimpleName() + ": " + root.getMessage();
        return msg;
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!client.isConnected()) {
            done.completeExceptionally(SluiceException.retryable("not connected to " + config.endpoint().orElse("")
                    + (lastError.isEmpty() ? "" : " (" + lastError + ")"), null));
            return done;
        }
        try {
            MqttMessage message = new MqttMessage(payload);
            message.setQos(qos);
            client.publish(topic, message, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    done.complete(null);
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
        return client.isConnected();
    }

    String lastError() {
        return lastError;
    }

    long connects() {
        return reconnects.get();
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (client.isConnected()) client.disconnect(2000).waitForCompletion(3000);
        } catch (MqttException e) {
            log.debug("iotcore destination '{}': disconnect: {}", destination, e.getMessage());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            log.debug("iotcore destination '{}': close: {}", destination, e.getMessage());
        }
    }

}
