package io.sluice.connector.lorawan;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which gateways the UDP server serves, over real UDP with the packet-forwarder simulator: a flood of PULL_DATA from
 * made-up EUIs fills the table only up to {@code gateways.max-known}, and {@code gateways.allow} refuses a gateway
 * that is not listed. Refused gateways get no acknowledgement and produce no samples.
 */
@Timeout(60)
class GatewayAdmissionIT {

    static final long SEED = 7;
    static final int DEVICES = 4;
    static final long STRANGERS = 0xDEAD000000000000L;

    @TempDir
    Path state;

    private static List<VirtualDevice> devices() {
        return IntStream.range(0, DEVICES).mapToObj(i -> new VirtualDevice(i, SEED, 10)).toList();
    }

    private static void received(FakeConnectorContext ctx, long datagrams) throws InterruptedException {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx.metrics().count("lorawan.datagrams.received") >= datagrams, "server received " + ctx.metrics().count("lorawan.datagrams.received") + " of " + datagrams));
    }

    private static boolean hasTag(FakeConnectorContext ctx, String tag) {
        return ctx.samples().stream().anyMatch(s -> s.tag().equals(tag));
    }

    @Test
    void aFloodOfMadeUpGatewaysStopsAtTheDefaultCapAndIsCounted() throws Exception {
        int cap = LoRaWanConnectorConfig.Gateways.DEFAULT.maxKnown();
        int flood = 52_000; // as in issue 15
        LoRaWanConnectorConfig config = SimulatorConfigs.udp(devices(), Duration.ofMillis(100)); // no gateways: section
        try (FakeConnectorContext ctx = new FakeConnectorContext("lora", state)) {
            LoRaWanConnector connector = new LoRaWanConnector("lora", config);
            connector.start(ctx);
            try (PacketForwarderSimulator sim = new PacketForwarderSimulator(new InetSocketAddress("127.0.0.1", waitForPort(ctx, connector)),
                    InetAddress.getLoopbackAddress(), 1, DEVICES, 10, SEED)) {
                sim.pullData(0);
                await().atMost(Duration.ofSeconds(5)).until(() -> sim.pullAcked(0) == 1);
                long datagrams = 1;
                for (int k = 0; k < flood; k++) {
                    sim.sendAsStranger(STRANGERS + k, 2, null);
                    datagrams++;
                    if (k % 1_000 == 999) {
                        received(ctx, datagrams);
                    }
                }
                // a refused stranger reports stats and forwards a valid uplink: neither becomes samples
                long last = STRANGERS + flood - 1;
                sim.sendAsStranger(last, 0, PacketForwarderSimulator.statJson("2026-11-22 06:00:00 GMT", 1, 1, 1));
                sim.sendAsStranger(last, 0, sim.uplinkJson(sim.devices().get(0).nextUplink(), Instant.now()));
                datagrams += 2;
                // the known gateway is still served: its stat and uplink are the marker that everything before was handled
                sim.stat(0, 5, 4, 3);
                sim.send(sim.devices().get(1).nextUplink(), 1);
                datagrams += 2;
                received(ctx, datagrams);
                String known = "gateway." + sim.gatewayEui(0) + ".rxnb";
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertTrue(hasTag(ctx, known) && hasTag(ctx, "sensor-001.radio"), ctx.samples().toString()));

                assertEquals(cap, connector.udpServer().gateways().size(), "the gateway table stops at max-known");
                assertTrue(connector.udpServer().gateways().containsKey(sim.gatewayEui(0)));
                FakeMetrics m = ctx.metrics();
                long admittedStrangers = cap - 1;
                assertEquals(flood - admittedStrangers + 2, m.count("lorawan.gateways.refused.table-full"));
                assertEquals(0, m.count("lorawan.gateways.refused.not-allowed"));
                assertEquals(1, m.count("lorawan.frames.accepted"), "the refused gateway's uplink was not taken");
                // ACKs travel over UDP: a busy machine may drop some before the simulator reads them, never add any
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertTrue(sim.strangerAnswers() > 0, "admitted gateways are acknowledged"));
                assertTrue(sim.strangerAnswers() <= admittedStrangers,
                        "only admitted gateways are acknowledged: " + sim.strangerAnswers() + " > " + admittedStrangers);
                assertTrue(ctx.samples().stream().noneMatch(s -> s.tag().startsWith("gateway.dead")), "no samples of strangers");
                assertTrue(ctx.samples().stream().noneMatch(s -> s.tag().startsWith("sensor-000.")), "nothing from the refused uplink");
            } finally {
                connector.stop();
            }
        }
    }

    @Test
    void theAllowListRefusesAStrangerAndServesAListedGateway() throws Exception {
        try (FakeConnectorContext ctx = new FakeConnectorContext("lora", state)) {
            String listed = PacketForwarderSimulator.gatewayEuiOf(0);
            String stranger = PacketForwarderSimulator.gatewayEuiOf(1);
            LoRaWanConnectorConfig config = TestConfigs.withGateways(SimulatorConfigs.udp(devices(), Duration.ofMillis(100)),
                    List.of(listed.toUpperCase()), 1000, Duration.ofHours(1));
            LoRaWanConnector connector = new LoRaWanConnector("lora", config);
            connector.start(ctx);
            try (PacketForwarderSimulator sim = new PacketForwarderSimulator(new InetSocketAddress("127.0.0.1", waitForPort(ctx, connector)),
                    InetAddress.getLoopbackAddress(), 2, DEVICES, 10, SEED)) {
                sim.pullData();                                 // both gateways
                sim.stat(1, 9, 9, 9);                           // the stranger's stat
                sim.send(sim.devices().get(0).nextUplink(), 2); // heard by both
                sim.send(sim.devices().get(1).nextUplink(), 1); // heard by the listed one
                sim.sendBatch(1, List.of(sim.devices().get(2).nextUplink())); // heard by the stranger only
                sim.stat(0, 5, 4, 3);                           // the listed gateway's stat: the marker
                received(ctx, 8);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertTrue(hasTag(ctx, "gateway." + listed + ".rxnb")
                        && hasTag(ctx, "sensor-000.radio") && hasTag(ctx, "sensor-001.radio"), ctx.samples().toString()));
                await().atMost(Duration.ofSeconds(5)).until(() -> sim.pullAcked(0) == 1 && sim.pushAcked(0) == 3);
                assertEquals(0, sim.pullAcked(1) + sim.pushAcked(1), "the stranger is not acknowledged");

                assertEquals(Set.of(listed), connector.udpServer().gateways().keySet());
                FakeMetrics m = ctx.metrics();
                assertEquals(4, m.count("lorawan.gateways.refused.not-allowed"), "PULL_DATA, stat and two uplinks of the stranger");
                assertEquals(0, m.count("lorawan.gateways.refused.table-full"));
                assertEquals(2, m.count("lorawan.frames.accepted"));
                assertTrue(ctx.samples().stream().noneMatch(s -> s.tag().startsWith("gateway." + stranger)));
                assertTrue(ctx.samples().stream().noneMatch(s -> s.tag().startsWith("sensor-002.")));
                Sample radio = ctx.samples().stream().filter(s -> s.tag().equals("sensor-000.radio")).findFirst().orElseThrow();
                List<Value> gws = ((Value.ArrayValue) ((Value.StructValue) radio.value()).fields().get("gateways")).elements();
                assertEquals(List.of(listed), gws.stream().map(g -> Value.render(((Value.StructValue) g).fields().get("gateway"))).toList(),
                        "only the listed gateway's reception is kept");
            } finally {
                connector.stop();
            }
        }
    }

    static int waitForPort(FakeConnectorContext ctx, LoRaWanConnector connector) throws InterruptedException {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertTrue(ctx.healthState() == HealthState.CONNECTED, ctx.healthDetail()));
        return connector.udpPort();
    }
}
