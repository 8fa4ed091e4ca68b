package io.sluice.connector.lorawan;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.lorawan.PacketForwarderSimulator;
import io.sluice.rigs.lorawan.VirtualDevice;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.testkit.FakeConnectorContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateways with wrong clocks, over real UDP with the packet-forwarder simulator: a gateway time outside
 * {@code gateway-time-tolerance} of the receive time never becomes a sample's source time.
 */
@Timeout(60)
class GatewayClockIT {

    static final long SEED = 11;
    static final Instant EPOCH_PLUS_10S = Instant.parse("1970-01-01T00:00:10Z");
    static final Instant YEAR_2099 = Instant.parse("2099-01-01T00:00:00Z");

    @TempDir
    Path state;

    private static Sample only(FakeConnectorContext ctx, String tag) {
        List<Sample> s = ctx.samples().stream().filter(x -> x.tag().equals(tag)).toList();
        assertEquals(1, s.size(), tag + ": " + s);
        return s.get(0);
    }

    private static List<Value> gateways(Sample radio) {
        return ((Value.ArrayValue) ((Value.StructValue) radio.value()).fields().get("gateways")).elements();
    }

    @Test
    void aGatewayTimeFarFromTheReceiveTimeIsNotTheSourceTime() throws Exception {
        List<VirtualDevice> devices = IntStream.range(0, 3).mapToObj(i -> new VirtualDevice(i, SEED, 10)).toList();
        LoRaWanConnectorConfig config = SimulatorConfigs.udp(devices, Duration.ofMillis(100));
        try (FakeConnectorContext ctx = new FakeConnectorContext("lora", state)) {
            LoRaWanConnector connector = new LoRaWanConnector("lora", config);
            connector.start(ctx);
            try (PacketForwarderSimulator sim = new PacketForwarderSimulator(
                    new InetSocketAddress("127.0.0.1", GatewayAdmissionIT.waitForPort(ctx, connector)),
                    InetAddress.getLoopbackAddress(), 3, devices.size(), 10, SEED)) {
                long before = Sample.toNanos(Instant.now());
                Instant good = Instant.now().minusSeconds(2);
                // heard only by a gateway without a GPS fix that reports 1970
                sim.send(sim.devices().get(0).nextUplink(), Arrays.asList(EPOCH_PLUS_10S));
                // heard by the 1970 gateway, a 2099 gateway and one with a good clock
                sim.send(sim.devices().get(1).nextUplink(), Arrays.asList(EPOCH_PLUS_10S, YEAR_2099, good));
                // heard by a 2099 gateway and by one without any time
                sim.send(sim.devices().get(2).nextUplink(), Arrays.asList(null, YEAR_2099));
                sim.stat(0, EPOCH_PLUS_10S, 1, 1, 1);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertTrue(ctx.samples().stream().filter(s -> s.tag().endsWith(".radio")).count() == 3
                        && ctx.samples().stream().anyMatch(s -> s.tag().endsWith(".rxnb")), ctx.samples().toString()));
                long after = Sample.toNanos(Instant.now());

                Sample alone = only(ctx, "sensor-000.radio");
                assertTrue(alone.sourceTimeNanos() >= before && alone.sourceTimeNanos() <= after,
                        "1970 from the only gateway: the receive time is the source time, got " + Sample.toInstant(alone.sourceTimeNanos()));
                assertEquals(alone.receiveTimeNanos(), alone.sourceTimeNanos());
                assertFalse(((Value.StructValue) gateways(alone).get(0)).fields().containsKey("time-ns"),
                        "a rejected gateway time is not reported as the reception's time");

                Sample three = only(ctx, "sensor-001.radio");
                assertEquals(Sample.toNanos(good), three.sourceTimeNanos(), "the one gateway with a good clock sets the time");
                assertEquals(3, gateways(three).size());

                Sample noTime = only(ctx, "sensor-002.radio");
                assertEquals(noTime.receiveTimeNanos(), noTime.sourceTimeNanos());

                Sample stat = only(ctx, "gateway." + sim.gatewayEui(0) + ".rxnb");
                assertTrue(stat.sourceTimeNanos() >= before && stat.sourceTimeNanos() <= after,
                        "a stat report dated 1970 gets the receive time");

                // the decoded fields carry the same source time as their radio sample
                for (Sample s : ctx.samples()) {
                    if (s.tag().startsWith("sensor-000.")) {
                        assertEquals(alone.sourceTimeNanos(), s.sourceTimeNanos(), s.tag());
                    }
                }
                assertEquals(5, ctx.metrics().count("lorawan.gateway-time.rejected"),
                        "1970 twice, 2099 twice, the 1970 stat once");
            } finally {
                connector.stop();
            }
        }
    }

    @Test
    void theToleranceIsConfigurable() throws Exception {
        List<VirtualDevice> devices = IntStream.range(0, 1).mapToObj(i -> new VirtualDevice(i, SEED, 10)).toList();
        LoRaWanConnectorConfig config = TestConfigs.withGatewayTimeTolerance(SimulatorConfigs.udp(devices, Duration.ofMillis(50)),
                Duration.ofSeconds(30));
        try (FakeConnectorContext ctx = new FakeConnectorContext("lora", state)) {
            LoRaWanConnector connector = new LoRaWanConnector("lora", config);
            connector.start(ctx);
            try (PacketForwarderSimulator sim = new PacketForwarderSimulator(
                    new InetSocketAddress("127.0.0.1", GatewayAdmissionIT.waitForPort(ctx, connector)),
                    InetAddress.getLoopbackAddress(), 1, 1, 10, SEED)) {
                Instant tenSecondsAgo = Instant.now().minusSeconds(10);
                sim.send(sim.devices().get(0).nextUplink(), List.of(tenSecondsAgo));
                sim.send(sim.devices().get(0).nextUplink(), List.of(Instant.now().minusSeconds(120)));
                await().atMost(Duration.ofSeconds(5)).until(() -> ctx.samples().stream().filter(s -> s.tag().endsWith(".radio")).count() == 2);
                List<Sample> radio = ctx.samples().stream().filter(s -> s.tag().endsWith(".radio")).toList();
                assertEquals(Sample.toNanos(tenSecondsAgo), radio.get(0).sourceTimeNanos(), "10 s off is within 30 s");
                assertEquals(radio.get(1).receiveTimeNanos(), radio.get(1).sourceTimeNanos(), "2 min off is not");
                assertEquals(1, ctx.metrics().count("lorawan.gateway-time.rejected"));
            } finally {
                connector.stop();
            }
        }
    }
}
