package io.sluice.destination.iotcore;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.mqtt.MosquittoRig;
import io.sluice.rigs.pki.TestPki;
import io.sluice.rigs.proxy.FaultProxy;
import io.sluice.samplejson.DecodedSample;
import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.testkit.FakeDestinationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IoT Core destination against mosquitto with mutual TLS (the IoT Core stand-in), driven at destination level
 * (pack, then sendAsync in calls of at most max-in-flight messages with distinct ordering keys, as the publisher
 * does). A second client with its own certificate subscribes and reads every message back.
 */
class IotCoreDestinationIT {

    @TempDir
    static Path dir;
    static MosquittoRig broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = MosquittoRig.startMutualTls(dir);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) broker.close();
    }

    private static IotCoreDestinationConfig config(String endpoint, IotCoreDestinationConfig.PayloadFormat format) {
        return IotTestSamples.config(endpoint, broker.clientCertificatePath().toString(),
                broker.clientKeyPath().toString(), broker.caCertificatePath().toString(), format, "sluice/{connector}/{stream}");
    }

    /** A subscriber with its own certificate, collecting every message on {@code filter}. */
    static final class Subscriber implements AutoCloseable {
        final ConcurrentLinkedQueue<DecodedSample> samples = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> topics = new ConcurrentLinkedQueue<>();
        final MqttClient client;

        Subscriber(String filter) throws Exception {
            TestPki.PemIdentity me = broker.issueClientCertificate("subscriber-" + System.nanoTime());
            client = new MqttClient(broker.uri(), "subscriber-" + System.nanoTime(), new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setSocketFactory(broker.clientSslContext(me).getSocketFactory());
            o.setConnectionTimeout(10);
            o.setMaxInflight(1000);
            client.connect(o);
            client.subscribe(filter, 1, (topic, message) -> {
                topics.add(topic);
                samples.addAll(IotPayloadFormat.decode(message.getPayload()));
            });
        }

        void awaitSamples(int n) throws InterruptedException {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> samples.size() >= n);
        }

        @Override
        public void close() throws MqttException {
            client.disconnect(2000);
            client.close(true);
        }
    }

    private static IotCoreDestination started(IotCoreDestinationConfig c, FakeDestinationContext ctx, boolean awaitConnected)
            throws Exception {
        IotCoreDestination d = new IotCoreDestination("it", c);
        d.start(ctx);
        if (awaitConnected) await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(d::isConnected);
        if (awaitConnected) assertTrue(d.isConnected(), "destination connected to " + broker);
        return d;
    }

    @Test
    void everySampleArrivesExactlyOnceInPerTagOrder() throws Exception {
        for (var format : IotCoreDestinationConfig.PayloadFormat.values()) {
            if (format == IotCoreDestinationConfig.PayloadFormat.SNAPSHOT) continue; // IotCoreSnapshotIT reads those
            String stream = "telemetry-" + format.name().toLowerCase();
            List<OutboundSample> in = new ArrayList<>(IotTestSamples.floats(stream, 20_000, 40, 1));
            in.addAll(IotTestSamples.floats(stream + "-alarms", 2_000, 3, 1));
            try (Subscriber sub = new Subscriber("sluice/sim/" + stream + "/#");
                 Subscriber sub2 = new Subscriber("sluice/sim/" + stream + "-alarms");
                 FakeDestinationContext ctx = new FakeDestinationContext("test", dir);
                 IotCoreDestination d = started(config(broker.uri(), format), ctx, true)) {
                Subscriber[] both = {sub, sub2};
                int calls = 0;
                for (int from = 0; from < in.size(); from += 5000) {
                    var packed = d.pack(in.subList(from, Math.min(in.size(), from + 5000)));
                    assertTrue(packed.rejected().isEmpty());
                    calls += sendAll(d, packed.packets());
                }
                for (Subscriber s : both) s.awaitSamples(s == sub ? 20_000 : 2_000);
                Set<String> seen = new HashSet<>();
                Map<String, Long> last = new HashMap<>();
                for (Subscriber s : both) {
                    for (var p : s.samples) {
                        assertTrue(seen.add(p.stream() + "#" + p.sequence()), "duplicate " + p.stream() + "#" + p.sequence());
                        Long prev = last.put(p.stream() + "/" + p.sample().tag(), p.sequence());
                        assertTrue(prev == null || prev < p.sequence(), "order of " + p.sample().tag());
                    }
                }
                assertEquals(in.size(), seen.size(), format + " after " + calls + " calls");
                assertEquals(Set.of("sluice/sim/" + stream), Set.copyOf(sub.topics));
            }
        }
    }

    @Test
    void theProbeReportsTheConnectionToTheBroker() throws Exception {
        try (FakeDestinationContext ctx = new FakeDestinationContext("test", dir);
             IotCoreDestination d = started(config(broker.uri(), IotCoreDestinationConfig.PayloadFormat.JSON), ctx, false)) {
            assertEquals("connected to " + broker.uri(), d.probeAsync().get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void brokerRefusesAClientWithoutCertificateAndTheDestinationWithAForeignOne() throws Exception {
        MqttClient anonymous = new MqttClient(broker.uri(), "anonymous", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(broker.clientSslContext(null).getSocketFactory());
        o.setConnectionTimeout(5);
        try {
            assertThrows(MqttException.class, () -> anonymous.connect(o));
            assertFalse(anonymous.isConnected());
        } finally {
            anonymous.close(true);
        }

        TestPki foreign = TestPki.create(dir.resolve("foreign-ca"), "Foreign CA");
        TestPki.PemIdentity stranger = foreign.issueClient("stranger");
        IotCoreDestinationConfig c = IotTestSamples.config(broker.uri(), stranger.certificate().toString(),
                stranger.privateKey().toString(), broker.caCertificatePath().toString(),
                IotCoreDestinationConfig.PayloadFormat.JSON, "sluice/{connector}");
        try (FakeDestinationContext ctx = new FakeDestinationContext("test", dir);
             IotCoreDestination d = started(c, ctx, false)) {
            var refused = assertThrows(ExecutionException.class, () -> d.probeAsync().get(30, TimeUnit.SECONDS));
            assertTrue(refused.getCause().getMessage().startsWith("not connected to " + broker.uri() + " after 10s: "),
                    refused.getCause().getMessage());
            assertFalse(d.isConnected());
            var packets = d.pack(IotTestSamples.floats("s", 5, 1, 0)).packets();
            var e = assertThrows(ExecutionException.class, () -> d.sendAsync(packets).get(10, TimeUnit.SECONDS));
            SluiceException se = assertInstanceOf(SluiceException.class, e.getCause());
            assertTrue(se.retryable(), se.getMessage());
        }
    }

    @Test
    void reconnectsAfterTheConnectionIsReset() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(broker.port());
             Subscriber sub = new Subscriber("sluice/sim/reconnect");
             FakeDestinationContext ctx = new FakeDestinationContext("test", dir);
             IotCoreDestination d = started(config("ssl://127.0.0.1:" + proxy.port(), IotCoreDestinationConfig.PayloadFormat.JSON), ctx, true)) {
            List<OutboundSample> first = IotTestSamples.floats("reconnect", 100, 2, 0);
            sendAll(d, d.pack(first).packets());

            proxy.reset();
            await("connection reset seen").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> !d.isConnected());
            assertFalse(d.isConnected(), "connection reset seen");
            var whileDown = d.pack(IotTestSamples.floats("reconnect", 100, 2, 100)).packets();
            assertThrows(ExecutionException.class, () -> d.sendAsync(whileDown).get(10, TimeUnit.SECONDS));

            proxy.pass();
            await("reconnected with backoff").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(d::isConnected);
            assertTrue(d.isConnected(), "reconnected with backoff");
            sendAll(d, whileDown);
            sub.awaitSamples(200);
            assertEquals(200, sub.samples.size());
            assertTrue(ctx.gauge("iotcore.connects") >= 2);
        }
    }

    /** Sends like the publisher: at most max-in-flight packets per call, none sharing an ordering key; returns calls made. */
    static int sendAll(IotCoreDestination d, List<Packet> packets) throws Exception {
        List<Packet> pending = new ArrayList<>(packets);
        int calls = 0;
        while (!pending.isEmpty()) {
            List<Packet> call = new ArrayList<>();
            Set<String> keys = new HashSet<>();
            List<Packet> later = new ArrayList<>();
            for (Packet p : pending) {
                boolean keyTaken = false;
                for (String key : p.orderingKeys()) keyTaken |= !keys.add(key);
                if (call.size() < d.limits().maxPacketsPerCall() && !keyTaken) call.add(p);
                else later.add(p);
            }
            List<PacketOutcome> outcomes = d.sendAsync(call).get(60, TimeUnit.SECONDS);
            calls++;
            for (int i = 0; i < outcomes.size(); i++) {
                PacketOutcome.Delivered delivered = assertInstanceOf(PacketOutcome.Delivered.class, outcomes.get(i));
                assertEquals("mqtt", delivered.receipt().kind());
                assertEquals(((IotCoreDestination.Message) call.get(i).body()).topic(), delivered.receipt().fields().get("topic"));
                if (d.config().qos() == 1) {
                    assertTrue(Integer.parseInt(delivered.receipt().fields().get("packet-id")) > 0,
                            "a QoS 1 publish has the MQTT packet id the broker acknowledged: " + delivered.receipt());
                }
            }
            pending = later;
        }
        return calls;
    }
}
