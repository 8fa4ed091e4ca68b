package io.sluice.destination.iotcore;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.rigs.mqtt.MosquittoRig;
import io.sluice.rigs.pki.TestPki;
import io.sluice.rigs.readers.PythonFlatReader;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.samplejson.DecodedSample;
import io.sluice.samplejson.SeriesJson;
import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.testkit.FakeDestinationContext;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wide live data ({@code payload-format: json}, {@code json-layout: auto}) against mosquitto with mutual TLS: the
 * messages a subscriber with its own certificate receives are read by the documented standard-library Python reader
 * ({@code docs/readers/flat_payloads.py iot-packed}, no Sluice code), which must find every sample once, with its
 * sequence number and absolute times.
 */
class IotCoreWideIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Published by the test's own subscriber after the gateway's last window was acknowledged. */
    private static final String MARKER = "plant/zz-test-marker";

    @TempDir
    Path dir;

    /** A subscriber with its own certificate keeping every payload on {@code plant/#} with its topic. */
    private static final class Collector implements AutoCloseable {
        final ConcurrentLinkedQueue<Map.Entry<String, byte[]>> messages = new ConcurrentLinkedQueue<>();
        final AtomicBoolean marker = new AtomicBoolean();
        final MqttClient client;

        Collector(MosquittoRig broker) throws Exception {
            TestPki.PemIdentity me = broker.issueClientCertificate("reader");
            client = new MqttClient(broker.uri(), "reader", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setSocketFactory(broker.clientSslContext(me).getSocketFactory());
            o.setMaxInflight(1000);
            client.connect(o);
            client.subscribe("plant/#", 1, (topic, m) -> {
                if (topic.equals(MARKER)) marker.set(true);
                else messages.add(Map.entry(topic, m.getPayload()));
            });
        }

        /** Every payload so far, one per line (plain JSON documents hold no raw newline), for the Python reader. */
        Path write(Path file) throws Exception {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (Map.Entry<String, byte[]> m : messages) {
                assertTrue(!SeriesJson.isGzip(m.getValue()), "payload-format json");
                all.write(m.getValue());
                all.write('\n');
            }
            Files.write(file, all.toByteArray());
            return file;
        }

        int versions(String topic, int version) throws Exception {
            int n = 0;
            for (Map.Entry<String, byte[]> m : messages) {
                if (m.getKey().equals(topic) && JSON.readTree(m.getValue()).get("v").asInt() == version) n++;
            }
            return n;
        }

        @Override
        public void close() throws Exception {
            client.disconnect(2000);
            client.close(true);
        }
    }

    @Test
    void wideLiveDataAndANarrowSourceArriveOnceAndAnIndependentReaderFindsEverySeqAndTime() throws Exception {
        try (MosquittoRig broker = MosquittoRig.startMutualTls(dir); Collector reader = new Collector(broker)) {
            long startNs = System.currentTimeMillis() * 1_000_000L;
            // a wide machine: 500 tags every 20 ms (each poll one source time); a narrow one: one tag every 1 ms
            String yaml = """
                    connectors:
                      wide:
                        type: simulator
                        stream: telemetry
                        asset: {site: hamburg, machine: press-3}
                        interval: 20ms
                        limit: 25000
                        tags: [{name: p, kind: counter, count: 500, unit: bar}]
                      narrow:
                        type: simulator
                        stream: spindle
                        interval: 1ms
                        limit: 3000
                        tags: [{name: rpm, kind: counter}]
                    streams:
                      telemetry: {priority: 5, export: [{destination: iot}]}
                      spindle: {priority: 5, export: [{destination: iot}]}
                    destinations:
                      iot:
                        type: iotcore
                        endpoint: %s
                        client-id: press-gateway
                        certificate: %s
                        private-key: %s
                        ca-certificate: %s
                        topic: plant/{connector}/{stream}
                        payload-format: json
                    """.formatted(broker.uri(), broker.clientCertificatePath(), broker.clientKeyPath(), broker.caCertificatePath());
            try (Gateway gateway = Gateway.start(ConfigLoader.parse(yaml, "wide-it.yaml"), dir.resolve("data"))) {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                        .until(() -> gateway.store().nextSequence("telemetry") >= 25_000 && gateway.store().nextSequence("spindle") >= 3_000
                                && gateway.store().stats("telemetry").backlog("iot") == 0
                                && gateway.store().stats("spindle").backlog("iot") == 0);
                // a duplicate would come before a marker sent once every window was acknowledged: the broker queues
                // each publish for the subscriber before it acknowledges it
                reader.client.publish(MARKER, new byte[] {1}, 1, false);
                await("the marker").atMost(Duration.ofSeconds(30)).until(reader.marker::get);
            }
            long endNs = System.currentTimeMillis() * 1_000_000L + 1_000_000L;
            assertTrue(reader.versions("plant/wide/telemetry", 2) > 0, "the wide machine's messages go wide");
            assertTrue(reader.versions("plant/narrow/spindle", 1) > 0, "one tag with many values stays a series");

            List<String> read = PythonFlatReader.read("iot-packed", reader.write(dir.resolve("messages.jsonl")));
            Set<String> seen = new HashSet<>();
            Map<String, Long> lastValue = new HashMap<>();
            Map<Long, Long> instantOfPoll = new HashMap<>(); // counter value of the wide tags -> their common source time
            for (String line : read) {
                JsonNode s = JSON.readTree(line);
                String stream = s.get("stream").asText();
                assertTrue(seen.add(stream + "#" + s.get("seq").asLong()), "twice: " + line);
                long ts = s.get("ts").asLong();
                assertTrue(ts >= startNs && ts <= endNs, "absolute source time within the run: " + line);
                assertEquals(ts, s.get("rt").asLong(), "the simulator receives at the source time: " + line);
                assertTrue(s.get("st").isNull(), line);
                long value = s.get("value").asLong();
                String tag = s.get("connector").asText() + "/" + s.get("tag").asText();
                lastValue.merge(tag, value, (a, b) -> b);
                if (stream.equals("telemetry")) {
                    assertEquals("bar", s.get("unit").asText());
                    assertEquals("press-3", s.get("asset").get("machine").asText());
                    Long same = instantOfPoll.putIfAbsent(value, ts);
                    assertTrue(same == null || same == ts, "one poll, one source time: " + line);
                }
            }
            assertEquals(28_000, seen.size(), "every sample once");
            for (long seq = 0; seq < 25_000; seq++) assertTrue(seen.contains("telemetry#" + seq), "telemetry#" + seq);
            for (long seq = 0; seq < 3_000; seq++) assertTrue(seen.contains("spindle#" + seq), "spindle#" + seq);
            assertEquals(501, lastValue.size());
            assertEquals(50, instantOfPoll.size(), "50 polls of the wide machine");
        }
    }

    @Test
    void qualityStatusUnitsServerTimesAndStreamsOfWideMessagesReachAnIndependentReader() throws Exception {
        try (MosquittoRig broker = MosquittoRig.startMutualTls(dir); Collector reader = new Collector(broker);
             FakeDestinationContext ctx = new FakeDestinationContext("test", dir);
             IotCoreDestination d = new IotCoreDestination("it", IotTestSamples.config(broker.uri(),
                     broker.clientCertificatePath().toString(), broker.clientKeyPath().toString(),
                     broker.caCertificatePath().toString(), IotCoreDestinationConfig.PayloadFormat.JSON,
                     IotPayloadFormat.Layout.WIDE, "plant/{connector}"))) {
            d.start(ctx);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(d::isConnected);
            List<OutboundSample> in = new ArrayList<>();
            long t = 1_763_800_000_000_000_000L;
            Quality[] qualities = Quality.values();
            for (int poll = 0; poll < 20; poll++) {
                long ts = t + poll * 100_000_000L;
                for (int i = 0; i < 200; i++) {
                    Quality q = qualities[(poll + i) % qualities.length];
                    long status = q == Quality.GOOD ? 0 : 0x80000000L + i;
                    Sample s = i % 2 == 0
                            ? new Sample("f" + i, Value.of(i + poll / 4.0), q, status, ts, ts + i, ts + 5_000, "kPa")
                            : new Sample("i" + i, Value.of((long) poll * i), q, status, ts, ts + 6_000, null);
                    in.add(new OutboundSample(i < 150 ? "telemetry" : "alarms", poll * 200L + i, "plc", s,
                            i % 3 == 0 ? AssetContext.EMPTY : IotTestSamples.ASSET));
                }
            }
            IotCoreDestinationIT.sendAll(d, d.pack(in).packets());
            reader.client.publish(MARKER, new byte[] {1}, 1, false);
            await("the marker").atMost(Duration.ofSeconds(30)).until(reader.marker::get);

            Map<String, JsonNode> read = new HashMap<>();
            for (String line : PythonFlatReader.read("iot-packed", reader.write(dir.resolve("mixed.jsonl")))) {
                JsonNode s = JSON.readTree(line);
                assertEquals(null, read.put(s.get("stream").asText() + "#" + s.get("seq").asLong(), s), "twice: " + line);
            }
            assertEquals(in.size(), read.size());
            for (OutboundSample o : in) {
                JsonNode s = read.get(o.stream() + "#" + o.sequence());
                assertNotNull(s, o.stream() + "#" + o.sequence());
                Sample x = o.sample();
                assertEquals(x.tag(), s.get("tag").asText());
                assertEquals("plc", s.get("connector").asText());
                assertEquals(x.quality().name(), s.get("quality").asText());
                assertEquals(x.statusCode(), s.get("status").asLong());
                assertEquals(x.sourceTimeNanos(), s.get("ts").asLong());
                assertEquals(x.receiveTimeNanos(), s.get("rt").asLong());
                if (x.hasServerTime()) assertEquals(x.serverTimeNanos(), s.get("st").asLong());
                else assertTrue(s.get("st").isNull());
                assertEquals(x.unit(), s.get("unit").isNull() ? null : s.get("unit").asText());
                assertEquals(o.asset().levels(), JSON.convertValue(s.get("asset"), Map.class));
                if (x.value() instanceof Value.FloatValue f) assertEquals(f.value(), s.get("value").asDouble());
                else assertEquals(((Value.IntValue) x.value()).value(), s.get("value").asLong());
            }
            List<DecodedSample> java = new ArrayList<>();
            for (Map.Entry<String, byte[]> m : reader.messages) java.addAll(IotPayloadFormat.decode(m.getValue()));
            assertEquals(in.size(), java.size(), "the Java decoder agrees");
        }
    }
}
