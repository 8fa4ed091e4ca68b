package io.sluice.support;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.mqtt.MosquittoRig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A session against mosquitto with mutual TLS from PEM files: connect, subscribe in the callback, receive, lose, close. */
class MqttSessionIT {

    @TempDir
    Path dir;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void connectsOverMutualTlsSubscribesAndNoticesALostBroker() throws Exception {
        List<Boolean> connected = new CopyOnWriteArrayList<>();
        List<String> received = new CopyOnWriteArrayList<>();
        List<String> disconnected = new CopyOnWriteArrayList<>();
        MqttSession session;
        try (MosquittoRig broker = MosquittoRig.startMutualTls(dir)) {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setAutomaticReconnect(false);
            options.setConnectionTimeout(10);
            options.setSocketFactory(PemTls.clientContext("TLS", broker.clientCertificatePath(), broker.clientKeyPath(),
                    broker.caCertificatePath()).getSocketFactory());
            session = new MqttSession(new MqttSession.Settings("it", broker.uri(), "session-it", options,
                    Duration.ofMillis(100), Duration.ofSeconds(1), MqttSession.Reporting.LOG), scheduler, LoggerFactory.getLogger(MqttSessionIT.class),
                    new MqttSession.Listener() {
                        @Override
                        public void connected(MqttAsyncClient client, boolean reconnect) throws Exception {
                            client.subscribe("it/#", 1).waitForCompletion(10_000);
                            connected.add(reconnect);
                        }

                        @Override
                        public void messageArrived(String topic, MqttMessage message) {
                            received.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8));
                        }

                        @Override
                        public void disconnected(String reason, Duration retryIn) {
                            disconnected.add(reason);
                        }
                    }, MqttSession::describe);
            session.start();
            await().atMost(Duration.ofSeconds(30)).until(session::isConnected);
            assertEquals(List.of(false), connected);
            assertEquals(1, session.connects());
            assertEquals("", session.lastError());

            session.client().publish("it/a", "hello".getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(10_000);
            await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("it/a=hello"));
        }
        // the broker is gone: the session notices, says why and keeps trying
        await().atMost(Duration.ofSeconds(30)).until(() -> session.state() == MqttSession.State.DISCONNECTED
                || disconnected.size() >= 2);
        assertFalse(session.isConnected());
        assertFalse(disconnected.isEmpty());
        assertFalse(session.lastError().isEmpty());
        session.close();
        assertEquals(MqttSession.State.CLOSED, session.state());
        assertTrue(connected.size() == 1, connected.toString());
    }
}
