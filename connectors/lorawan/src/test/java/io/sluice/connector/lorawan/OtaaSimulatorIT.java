package io.sluice.connector.lorawan;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.lorawan.LoRaWanConnectorConfig.DevNonceRule;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Device;
import io.sluice.rigs.lorawan.OtaaDevice;
import io.sluice.rigs.lorawan.PacketForwarderSimulator;
import io.sluice.rigs.lorawan.VirtualDevice;
import io.sluice.spi.Sample;
import io.sluice.spi.config.Secret;
import io.sluice.testkit.FakeConnectorContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packet-forwarder simulator's OTAA devices over real UDP: 3 gateways, 40 devices join (each JoinAccept checked
 * by the simulator's own crypto and at its window's time), send uplinks stored exactly once; after a restart of the
 * connector the saved sessions serve the next uplinks without a new join.
 */
@Timeout(90)
class OtaaSimulatorIT {

    static final int DEVICES = 40;

    @TempDir
    Path state;

    static LoRaWanConnectorConfig config(List<OtaaDevice> devices) {
        Map<String, Device> map = new TreeMap<>();
        for (int i = 0; i < devices.size(); i++) {
            OtaaDevice d = devices.get(i);
            map.put(d.name(), new Device(Optional.empty(), Optional.of(d.devEuiHex()), Optional.empty(), Optional.empty(),
                    i % 2 == 0 ? VirtualDevice.LPP_PROFILE : VirtualDevice.LAYOUT_PROFILE, Optional.of(new Secret(d.appKeyHex())),
                    Optional.of(OtaaDevice.APP_EUI), DevNonceRule.RANDOM));
        }
        LoRaWanConnectorConfig base = TestConfigs.udp(0, Duration.ofMillis(100), SimulatorConfigs.profiles(), map);
        return new LoRaWanConnectorConfig(base.mode(), base.bindAddress(), base.port(), base.receiveBuffer(), base.dedupWindow(),
                base.maxFcntGap(), base.gatewayStats(), base.radioMetadata(), base.mqtt(), base.profiles(), base.devices(),
                base.defaultProfile(), base.gatewayTimeTolerance(), base.gateways(), LoRaWanConnectorConfig.Region.EU868,
                Optional.of(OtaaLoraPacketIT.networkServer(Duration.ZERO)), Duration.ZERO);
    }

    static long fieldSamples(FakeConnectorContext ctx) {
        return ctx.samples().stream().map(Sample::tag).filter(t -> t.startsWith("otaa-") && !t.endsWith(".radio")).count();
    }

    @Test
    void simulatedDevicesJoinSendAndKeepTheirSessionsAcrossARestart() throws Exception {
        List<OtaaDevice> devices = OtaaDevice.many(DEVICES, 5);
        LoRaWanConnectorConfig config = config(devices);
        long expectedFields = 0;
        LoRaWanConnector connector = new LoRaWanConnector("lora", config);
        try (FakeConnectorContext ctx = new FakeConnectorContext("lora", state)) {
            connector.start(ctx);
            await().atMost(Duration.ofSeconds(10)).until(() -> connector.udpPort() > 0);
            try (PacketForwarderSimulator sim = new PacketForwarderSimulator(new InetSocketAddress("127.0.0.1", connector.udpPort()),
                    InetAddress.getLoopbackAddress(), 3, 0, 0, 5)) {
                sim.pullData();
                assertTrue(sim.awaitAcks(Duration.ofSeconds(5)));
                sim.sendJoins(devices, 2, 8);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertTrue(sim.joinAccepts() == DEVICES, () -> "accepted " + sim.joinAccepts()));
                assertEquals(0, sim.joinAcceptsBad());
                assertEquals(0, sim.downlinksMistimed());
                assertEquals(DEVICES, ctx.metrics().count("lorawan.joins.accepted"));
                for (int round = 0; round < 3; round++) {
                    for (OtaaDevice d : devices) {
                        VirtualDevice.Uplink u = d.session().nextUplink();
                        expectedFields += u.expected().size();
                        sim.send(u, 2);
                    }
                }
                long want = expectedFields;
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertTrue(fieldSamples(ctx) >= want, () -> fieldSamples(ctx) + " of " + want));
                assertEquals(want, fieldSamples(ctx));
            }
        } finally {
            connector.stop();
        }

        LoRaWanConnector again = new LoRaWanConnector("lora", config);
        try (FakeConnectorContext ctx = new FakeConnectorContext("lora", state)) {
            again.start(ctx);
            await().atMost(Duration.ofSeconds(10)).until(() -> again.udpPort() > 0);
            try (PacketForwarderSimulator sim = new PacketForwarderSimulator(new InetSocketAddress("127.0.0.1", again.udpPort()),
                    InetAddress.getLoopbackAddress(), 3, 0, 0, 5)) {
                long fields = 0;
                for (OtaaDevice d : devices) {
                    VirtualDevice.Uplink u = d.session().nextUplink();
                    fields += u.expected().size();
                    sim.send(u, 1);
                }
                long want = fields;
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertTrue(fieldSamples(ctx) >= want, () -> fieldSamples(ctx) + " of " + want));
                assertEquals(0, ctx.metrics().count("lorawan.frames.unknown-device"));
                assertEquals(0, ctx.metrics().count("lorawan.frames.mic-failed"));
                assertEquals(0, ctx.metrics().count("lorawan.joins.accepted"), "no new join was needed");
            }
        } finally {
            again.stop();
        }
    }
}
