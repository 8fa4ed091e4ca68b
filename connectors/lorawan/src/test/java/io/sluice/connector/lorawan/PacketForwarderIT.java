package io.sluice.connector.lorawan;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.lorawan.PacketForwarderSimulator;
import io.sluice.rigs.lorawan.VirtualDevice;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import io.sluice.testkit.FakeMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector against the packet-forwarder simulator over real UDP on 127.0.0.1: 3 gateways, 50 devices whose
 * counters start just below 65,536, every uplink heard by 1 to 3 gateways, plus replays and broken MICs.
 */
class PacketForwarderIT {

    static final long SEED = 42;
    static final int GATEWAYS = 3;
    static final int DEVICES = 50;
    static final int ROUNDS = 12;
    static final long START_FCNT = 65_530;

    @TempDir
    Path state;

    private static List<VirtualDevice> devices() {
        return IntStream.range(0, DEVICES).mapToObj(i -> new VirtualDevice(i, SEED, START_FCNT)).toList();
    }

    private static void paced(FakeConnectorContext ctx, long expectedDatagrams) throws InterruptedException {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx.metrics().count("lorawan.datagrams.received") >= expectedDatagrams, "server received " + ctx.metrics().count("lorawan.datagrams.received") + " of " + expectedDatagrams));
    }

    @Test
    void everyUplinkBecomesSamplesExactlyOnceWithEveryGatewaysReception() throws Exception {
        // a window long enough that a busy machine does not deliver a gateway's copy after it closed (a replay then)
        LoRaWanConnectorConfig config = SimulatorConfigs.udp(devices(), Duration.ofMillis(1_000));
        List<VirtualDevice.Uplink> sent = new ArrayList<>();
        Map<String, List<String>> heardBy = new HashMap<>();
        try (FakeConnectorContext ctx = new FakeConnectorContext("lora", state)) {
            LoRaWanConnector connector = new LoRaWanConnector("lora", config);
            connector.start(ctx);
            await().atMost(Duration.ofSeconds(5)).until(() -> ctx.healthState() == HealthState.CONNECTED);
            int port = connector.udpPort();
            try (PacketForwarderSimulator sim = new PacketForwarderSimulator(new InetSocketAddress("127.0.0.1", port),
                    InetAddress.getLoopbackAddress(), GATEWAYS, DEVICES, START_FCNT, SEED)) {
                long datagrams = 0;
                sim.pullData();
                datagrams += GATEWAYS;
                for (int g = 0; g < GATEWAYS; g++) {
                    sim.stat(g, 10 + g, 9 + g, 8 + g);
                    datagrams++;
                }
                sim.txAck(0, 0x1234, null);
                sim.txAck(1, 0x1235, "NONE");
                sim.txAck(2, 0x1236, "TOO_LATE");
                datagrams += 3;
                for (int round = 0; round < ROUNDS; round++) {
                    for (VirtualDevice d : sim.devices()) {
                        VirtualDevice.Uplink u = d.nextUplink();
                        int n = 1 + (d.index() + round) % GATEWAYS;
                        heardBy.put(d.name() + "/" + u.fcnt(), sim.send(u, n));
                        sent.add(u);
                        datagrams += n;
                    }
                    paced(ctx, datagrams);
                }
                // all windows close; then a replay and a broken MIC for ten devices each
                await().atMost(Duration.ofSeconds(10)).until(() -> ctx.metrics().count("lorawan.frames.accepted") == (long) ROUNDS * DEVICES
                        && Integer.valueOf(0).equals(ctx.metrics().gaugeValue("lorawan.frames.pending")) && ctx.sampleCount() > 0);
                for (int i = 0; i < 10; i++) {
                    sim.send(sent.get(sent.size() - 1 - i * 3), 1);
                    sim.send(sim.devices().get(i).nextUplink().withBadMic(), 1);
                    datagrams += 2;
                }
                paced(ctx, datagrams);
                assertTrue(sim.awaitAcks(Duration.ofSeconds(5)), "push " + sim.pushAcked() + "/" + sim.pushSent()
                        + " pull " + sim.pullAcked() + "/" + sim.pullSent());
                assertEquals(0, sim.unexpectedAcks());
                assertEquals(datagrams - GATEWAYS - 3, sim.pushSent());
                assertEquals(GATEWAYS, sim.pullAcked());
                assertEquals(GATEWAYS, connector.udpServer().gateways().size());
                assertNotNull(connector.udpServer().gateways().get(sim.gatewayEui(0)).downstream());
            }
            long expectedFieldSamples = sent.stream().mapToLong(u -> u.expected().size()).sum();
            // the last datagrams sent (ten replays, ten broken MICs) are the marker: one receive thread handles
            // datagrams in order, so a surplus from any earlier one would have come before them
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> {
                FakeMetrics now = ctx.metrics();
                return now.count("lorawan.samples.emitted") >= expectedFieldSamples + sent.size() + 9L * GATEWAYS
                        && now.count("lorawan.frames.replayed") >= 10 && now.count("lorawan.frames.mic-failed") >= 10
                        && Integer.valueOf(0).equals(now.gaugeValue("lorawan.frames.pending"));
            });

            FakeMetrics m = ctx.metrics();
            assertEquals(sent.size(), m.count("lorawan.frames.accepted"));
            assertEquals(10, m.count("lorawan.frames.replayed"));
            assertEquals(3, m.count("lorawan.tx-ack"));
            assertEquals(1, m.count("lorawan.tx-ack.errors"));
            assertEquals(GATEWAYS, m.count("lorawan.stat.received"));
            assertEquals(10, m.count("lorawan.frames.mic-failed"));
            assertEquals(0, m.count("lorawan.frames.malformed") + m.count("lorawan.frames.unknown-device")
                    + m.count("lorawan.datagrams.malformed") + m.count("lorawan.payload.decode-errors"));
            long duplicates = heardBy.values().stream().mapToLong(l -> l.size() - 1).sum();
            assertEquals(duplicates, m.count("lorawan.frames.duplicates"));

            // exactly once: one radio sample per (device, fcnt), carrying each gateway that heard it
            Map<String, Sample> radio = new HashMap<>();
            Map<String, Double> fields = new HashMap<>();
            Map<String, Integer> fieldCounts = new HashMap<>();
            List<Sample> all = ctx.samples();
            for (Sample s : all) {
                if (s.tag().endsWith(".radio")) {
                    Value.StructValue v = (Value.StructValue) s.value();
                    String key = s.tag().substring(0, s.tag().length() - 6) + "/" + ((Value.IntValue) v.fields().get("fcnt")).value();
                    assertEquals(null, radio.put(key, s), "two radio samples for " + key);
                }
            }
            assertEquals(sent.size(), radio.size());
            for (VirtualDevice.Uplink u : sent) {
                String key = u.device().name() + "/" + u.fcnt();
                Value.StructValue v = (Value.StructValue) radio.get(key).value();
                List<Value> gws = ((Value.ArrayValue) v.fields().get("gateways")).elements();
                List<String> euis = gws.stream().map(g -> Value.render(((Value.StructValue) g).fields().get("gateway"))).toList();
                assertEquals(heardBy.get(key), euis, key);
                for (Value g : gws) {
                    assertTrue(((Value.StructValue) g).fields().containsKey("rssi"));
                    assertTrue(((Value.StructValue) g).fields().containsKey("snr"));
                    assertTrue(((Value.StructValue) g).fields().containsKey("time-ns"));
                }
            }
            // decoded values: samples of one device arrive in counter order, so pair them with the sent uplinks
            Map<String, List<Sample>> byTag = new HashMap<>();
            for (Sample s : all) {
                byTag.computeIfAbsent(s.tag(), k -> new ArrayList<>()).add(s);
            }
            Map<String, Integer> seen = new HashMap<>();
            for (VirtualDevice.Uplink u : sent) {
                for (Map.Entry<String, Double> e : u.expected().entrySet()) {
                    String tag = u.device().name() + "." + e.getKey();
                    int idx = seen.merge(tag, 1, Integer::sum) - 1;
                    Sample s = byTag.get(tag).get(idx);
                    double got = s.value() instanceof Value.BoolValue b ? (b.value() ? 1 : 0)
                            : s.value() instanceof Value.IntValue iv ? iv.value() : ((Value.FloatValue) s.value()).value();
                    assertEquals(e.getValue(), got, 1e-9, tag + " #" + idx);
                }
            }
            for (Map.Entry<String, Integer> e : seen.entrySet()) {
                assertEquals(e.getValue(), byTag.get(e.getKey()).size(), "samples of " + e.getKey());
            }
            assertTrue(byTag.containsKey("gateway." + new PacketForwarderSimulatorEui(0).eui() + ".rxnb"));
            connector.stop();

            // counters went past 65,535 and were saved
            String saved = Files.readString(state.resolve(FrameCounterStore.FILE));
            assertTrue(saved.contains("sensor-000 26000001 " + (START_FCNT + ROUNDS - 1)), saved);

            // after a restart a replay is still a replay
            try (FakeConnectorContext ctx2 = new FakeConnectorContext("lora", state)) {
                LoRaWanConnector again = new LoRaWanConnector("lora", config);
                again.start(ctx2);
                try (PacketForwarderSimulator sim = new PacketForwarderSimulator(new InetSocketAddress("127.0.0.1", again.udpPort()),
                        InetAddress.getLoopbackAddress(), 1, DEVICES, START_FCNT + ROUNDS, SEED)) {
                    sim.send(sent.get(0), 1);
                    sim.send(sim.devices().get(0).nextUplink(), 1);
                    await().atMost(Duration.ofSeconds(5)).until(() -> ctx2.metrics().count("lorawan.frames.replayed") == 1
                            && ctx2.metrics().count("lorawan.frames.accepted") == 1);
                } finally {
                    again.stop();
                }
            }
        }
    }

    @Test
    void aPortInUseIsRetriedUntilItIsFree() throws Exception {
        try (java.net.DatagramSocket squatter = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             FakeConnectorContext ctx = new FakeConnectorContext("lora", state)) {
            int port = squatter.getLocalPort();
            LoRaWanConnectorConfig config = TestConfigs.udp(port, Duration.ofMillis(100), SimulatorConfigs.profiles(), Map.of());
            LoRaWanConnector connector = new LoRaWanConnector("lora", config);
            connector.start(ctx);
            try {
                assertEquals(HealthState.DISCONNECTED, ctx.healthState());
                assertTrue(ctx.healthDetail().contains("cannot bind UDP"), ctx.healthDetail());
                squatter.close();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx.healthState() == HealthState.CONNECTED, ctx.healthDetail()));
                assertEquals(port, connector.udpPort());
            } finally {
                connector.stop();
            }
        }
    }

    /** The simulator's gateway EUI scheme, for finding stat samples. */
    record PacketForwarderSimulatorEui(int index) {
        String eui() {
            return String.format("%016x", 0xB827EBFFFE000000L | index);
        }
    }
}
