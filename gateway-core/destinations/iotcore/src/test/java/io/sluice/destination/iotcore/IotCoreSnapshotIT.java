package io.sluice.destination.iotcore;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.rigs.mqtt.MosquittoRig;
import io.sluice.rigs.pki.TestPki;
import io.sluice.rigs.readers.PythonFlatReader;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * payload-format: snapshot end to end: simulator connectors and lap records (shaped as the simmem lap tracker emits
 * them, appended to the store) -> publisher -> IoT Core destination -> mosquitto (mutual TLS). A plain Paho
 * subscriber keeps the raw payloads; the standard-library Python reader of docs/readers (no Sluice code) parses them
 * and must find every sample, with ISO and epoch times that agree and lie within the run.
 */
class IotCoreSnapshotIT {

    private static final String MARKER = "plant/zz-test-marker";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static Value lap(long n, long ms, long best) {
        Map<String, Value> f = new LinkedHashMap<>();
        f.put("lap", Value.of(n));
        f.put("lapTimeMs", Value.of(ms));
        f.put("valid", Value.of(true));
        f.put("sectorTimesMs", new Value.ArrayValue(List.of(Value.of(ms / 3), Value.of(ms / 3), Value.of(ms - 2 * (ms / 3)))));
        if (n > 1) f.put("deltaToBestMs", Value.of(ms - best));
        f.put("bestLap", Value.of(1L));
        f.put("bestLapTimeMs", Value.of(best));
        f.put("car", Value.of("ks_porsche_911_gt3_r"));
        f.put("track", Value.of("monza"));
        return new Value.StructValue(f);
    }

    @Test
    void aPlainReaderFindsEverySnapshotSampleAndLapWithAbsoluteTimes() throws Exception {
        long startMs = System.currentTimeMillis();
        try (MosquittoRig broker = MosquittoRig.startMutualTls(dir)) {
            TestPki.PemIdentity me = broker.issueClientCertificate("rule");
            ConcurrentLinkedQueue<byte[]> payloads = new ConcurrentLinkedQueue<>();
            MqttClient subscriber = new MqttClient(broker.uri(), "rule", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setSocketFactory(broker.clientSslContext(me).getSocketFactory());
            o.setMaxInflight(1000);
            subscriber.connect(o);
            AtomicBoolean marker = new AtomicBoolean();
            subscriber.subscribe("plant/#", 1, (topic, m) -> {
                if (topic.equals(MARKER)) marker.set(true);
                else payloads.add(m.getPayload());
            });
            List<Long> lapTimes = new ArrayList<>();
            try {
                GatewayConfig config = ConfigLoader.parse("""
                        connectors:
                          press:
                            type: simulator
                            stream: telemetry
                            asset: {site: hamburg, machine: press-3}
                            interval: 5ms
                            limit: 3000
                            tags: [{name: c, kind: counter, count: 5}]
                          alarms:
                            type: simulator
                            stream: alarms
                            interval: 10ms
                            limit: 400
                            tags: [{name: a, kind: counter, count: 2}]
                        streams:
                          telemetry: {export: [{destination: iot}]}
                          alarms: {export: [{destination: iot}]}
                          laps: {export: [{destination: iot}]}
                        destinations:
                          iot:
                            type: iotcore
                            endpoint: %s
                            client-id: press-gateway
                            certificate: %s
                            private-key: %s
                            ca-certificate: %s
                            topic: plant/{connector}/{stream}
                            payload-format: snapshot
                            publishes-per-second: 5000
                            bytes-per-second: 50MB
                        """.formatted(broker.uri(), broker.clientCertificatePath(), broker.clientKeyPath(),
                        broker.caCertificatePath()), "iotcore-snapshot-it.yaml");
                try (Gateway gateway = Gateway.start(config, dir.resolve("data"))) {
                    List<Sample> laps = new ArrayList<>();
                    for (int n = 1; n <= 5; n++) {
                        long t = (startMs + n * 1000L) * 1_000_000L + 123_456L;
                        lapTimes.add(Math.floorDiv(t, 1_000_000L));
                        laps.add(new Sample("lap", lap(n, 108_000 + n * 10L, 108_010), Quality.GOOD, 0, t, t, null));
                    }
                    gateway.store().append("laps", "acc", laps, null).get(30, TimeUnit.SECONDS);
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                            .until(() -> gateway.store().cursor("telemetry", "iot") >= 3000
                                    && gateway.store().cursor("alarms", "iot") >= 400
                                    && gateway.store().cursor("laps", "iot") >= 5);
                    // every message is queued for the subscriber before the broker acknowledges it
                    subscriber.publish(MARKER, new byte[] {1}, 1, false);
                    await("the marker").atMost(Duration.ofSeconds(30)).until(marker::get);
                }
            } finally {
                subscriber.disconnect(2000);
                subscriber.close(true);
            }
            long endMs = System.currentTimeMillis();

            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] p : payloads) {
                for (byte b : p) assertFalse(b == '\n', "a message is one line of JSON");
                all.write(p);
                all.write('\n');
            }
            Path file = dir.resolve("messages.jsonl");
            Files.write(file, all.toByteArray());
            List<String> read = PythonFlatReader.read("iot", file);

            Map<String, Set<Long>> values = new HashMap<>();
            Map<String, List<Long>> snapshotValues = new HashMap<>(); // message ts -> values of its press tags
            List<JsonNode> lapsRead = new ArrayList<>();
            for (String line : read) {
                JsonNode s = JSON.readTree(line);
                long ms = s.get("epoch_ms").asLong();
                if (s.get("kind").asText().equals("lap")) {
                    lapsRead.add(s);
                    continue;
                }
                assertTrue(ms >= startMs - 1 && ms <= endMs, "absolute time within the run: " + line);
                String tag = s.get("connector").asText() + "/" + s.get("tag").asText();
                assertTrue(values.computeIfAbsent(tag, k -> new HashSet<>()).add(s.get("value").asLong()), "duplicate " + line);
                if (s.get("connector").asText().equals("press")) {
                    assertEquals("hamburg", s.get("asset").get("site").asText());
                    snapshotValues.computeIfAbsent(s.get("ts").asText(), k -> new ArrayList<>()).add(s.get("value").asLong());
                }
            }
            assertEquals(7, values.size(), values.keySet().toString());
            for (var e : values.entrySet()) {
                int n = e.getKey().startsWith("press/") ? 600 : 200;
                assertEquals(n, e.getValue().size(), e.getKey());
                for (long v = 0; v < n; v++) assertTrue(e.getValue().contains(v), e.getKey() + " value " + v);
            }
            // one snapshot per tick: the five tags of one source time together, each with the same counter value
            for (var e : snapshotValues.entrySet()) {
                Map<Long, Long> perValue = new HashMap<>();
                for (long v : e.getValue()) perValue.merge(v, 1L, Long::sum);
                for (long count : perValue.values()) assertEquals(5, count, "a tick's five tags at " + e.getKey());
            }
            assertEquals(5, lapsRead.size());
            lapsRead.sort((a, b) -> Long.compare(a.get("value").get("lap").asLong(), b.get("value").get("lap").asLong()));
            for (int i = 0; i < 5; i++) {
                JsonNode l = lapsRead.get(i);
                assertEquals(lapTimes.get(i), l.get("epoch_ms").asLong());
                assertEquals(108_000 + (i + 1) * 10L, l.get("value").get("lapTimeMs").asLong());
                assertEquals("monza", l.get("value").get("track").asText());
                assertEquals("acc", l.get("connector").asText());
                assertEquals("laps", l.get("stream").asText());
            }
        }
    }
}
