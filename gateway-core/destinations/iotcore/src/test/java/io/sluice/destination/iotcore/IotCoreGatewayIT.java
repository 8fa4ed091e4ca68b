package io.sluice.destination.iotcore;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.mqtt.MosquittoRig;
import io.sluice.rigs.pki.TestPki;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.samplejson.DecodedSample;
import io.sluice.spi.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the runtime: simulator connectors -> store -> publisher -> IoT Core destination -> mosquitto
 * (mutual TLS); a subscriber with its own client certificate reads every message back.
 */
class IotCoreGatewayIT {

    /** Published by the test's own subscriber after the gateway's last window was acknowledged. */
    private static final String MARKER = "plant/zz-test-marker";

    @TempDir
    Path dir;

    @Test
    void everySimulatorSampleArrivesExactlyOnceInPerStreamOrder() throws Exception {
        try (MosquittoRig broker = MosquittoRig.startMutualTls(dir)) {
            TestPki.PemIdentity me = broker.issueClientCertificate("dashboard");
            ConcurrentLinkedQueue<DecodedSample> received = new ConcurrentLinkedQueue<>();
            MqttClient subscriber = new MqttClient(broker.uri(), "dashboard", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setSocketFactory(broker.clientSslContext(me).getSocketFactory());
            o.setMaxInflight(1000);
            subscriber.connect(o);
            java.util.concurrent.atomic.AtomicBoolean marker = new java.util.concurrent.atomic.AtomicBoolean();
            subscriber.subscribe("plant/#", 1, (topic, m) -> {
                if (topic.equals(MARKER)) marker.set(true);
                else received.addAll(IotPayloadFormat.decode(m.getPayload()));
            });
            try {
                GatewayConfig config = ConfigLoader.parse("""
                        connectors:
                          press:
                            type: simulator
                            stream: telemetry
                            asset: {site: hamburg, machine: press-3}
                            interval: 1ms
                            limit: 20000
                            tags: [{name: c, kind: counter, count: 10}]
                          alarms:
                            type: simulator
                            stream: alarms
                            interval: 5ms
                            limit: 1000
                            tags: [{name: a, kind: counter, count: 2}]
                        streams:
                          telemetry: {priority: 5, export: [{destination: iot}]}
                          alarms: {priority: 1, export: [{destination: iot}]}
                        destinations:
                          iot:
                            type: iotcore
                            endpoint: %s
                            client-id: press-gateway
                            certificate: %s
                            private-key: %s
                            ca-certificate: %s
                            topic: plant/{connector}/{stream}
                            payload-format: json-gzip
                        """.formatted(broker.uri(), broker.clientCertificatePath(), broker.clientKeyPath(),
                        broker.caCertificatePath()), "iotcore-it.yaml");
                try (Gateway gateway = Gateway.start(config, dir.resolve("data"))) {
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                            .until(() -> received.size() >= 21_000);
                    // a surplus (a duplicate) would come before a marker sent once every window was acknowledged:
                    // the broker queues each publish for the subscriber before it acknowledges it
                    await().atMost(Duration.ofSeconds(30)).until(() -> gateway.store().stats("telemetry").backlog("iot") == 0
                            && gateway.store().stats("alarms").backlog("iot") == 0);
                    subscriber.publish(MARKER, new byte[] {1}, 1, false);
                    await("the marker").atMost(Duration.ofSeconds(30)).until(marker::get);
                }
            } finally {
                subscriber.disconnect(2000);
                subscriber.close(true);
            }
            Set<String> seen = new HashSet<>();
            Map<String, Long> last = new HashMap<>();
            for (var s : received) {
                assertTrue(seen.add(s.stream() + "#" + s.sequence()), "duplicate " + s.stream() + "#" + s.sequence());
                String tag = s.connector() + "/" + s.sample().tag();
                long value = ((Value.IntValue) s.sample().value()).value();
                Long prev = last.put(tag, value);
                assertEquals(prev == null ? 0 : prev + 1, value, "counter of " + tag + " in order, without gaps");
            }
            assertEquals(21_000, seen.size());
        }
    }

    @Test
    void aDestinationWithoutCertificateOrKeyFailsValidation() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                connectors:
                  sim: {type: simulator, stream: t, tags: [{name: c, kind: counter}]}
                streams:
                  t: {export: [{destination: iot}]}
                destinations:
                  iot:
                    type: iotcore
                    endpoint: ssl://example-ats.iot.eu-central-1.amazonaws.com:8883
                """, "bad.yaml"));
        String text = e.getMessage();
        assertTrue(text.contains("certificate"), text);
        assertTrue(text.contains("private-key"), text);
    }
}
