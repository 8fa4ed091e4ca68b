package io.sluice.connector.lorawan;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.lorawan.DatagramFuzzer;
import io.sluice.rigs.lorawan.PacketForwarderSimulator;
import io.sluice.rigs.lorawan.VirtualDevice;
import io.sluice.spi.Sample;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import io.sluice.testkit.FakeMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 datagrams at the UDP port: every tenth a valid uplink, the rest random or mutated. Nothing escapes, every
 * valid uplink is served, and the counters match what the fuzzer says it sent.
 */
class FuzzIT {

    static final int TOTAL = 100_000;
    static final int DEVICES = 20;
    static final long SEED = 7;

    @TempDir
    Path state;

    @Test
    void randomAndMutatedDatagramsAreCountedAndValidFramesStillServed() throws Exception {
        List<VirtualDevice> devices = IntStream.range(0, DEVICES).mapToObj(i -> new VirtualDevice(i, SEED, 0)).toList();
        LoRaWanConnectorConfig config = SimulatorConfigs.udp(devices, Duration.ofMillis(50));
        try (FakeConnectorContext ctx = new FakeConnectorContext("lora", state)) {
            LoRaWanConnector connector = new LoRaWanConnector("lora", config);
            connector.start(ctx);
            await().atMost(Duration.ofSeconds(5)).until(() -> ctx.healthState() == HealthState.CONNECTED);
            Map<String, Integer> variants = new TreeMap<>();
            long malformed = 0;
            long badFrames = 0;
            long valid = 0;
            List<VirtualDevice.Uplink> validSent = new ArrayList<>();
            try (PacketForwarderSimulator sim = new PacketForwarderSimulator(new InetSocketAddress("127.0.0.1", connector.udpPort()),
                    InetAddress.getLoopbackAddress(), 2, DEVICES, 0, SEED)) {
                DatagramFuzzer fuzzer = new DatagramFuzzer(sim, SEED);
                byte[] lastValid = sim.devices().get(0).nextUplink().phy();
                sim.send(new VirtualDevice.Uplink(sim.devices().get(0), 0, lastValid, Map.of()), 1);
                valid++;
                for (int i = 1; i < TOTAL; i++) {
                    if (i % 10 == 0) {
                        VirtualDevice.Uplink u = sim.devices().get((i / 10) % DEVICES).nextUplink();
                        sim.send(u, 1);
                        validSent.add(u);
                        lastValid = u.phy();
                        valid++;
                    } else {
                        DatagramFuzzer.Fuzzed f = fuzzer.next(i % 2, lastValid);
                        variants.merge(f.variant(), 1, Integer::sum);
                        if (f.kind() == DatagramFuzzer.Kind.MALFORMED_DATAGRAM) malformed++;
                        else badFrames++;
                        sim.sendDatagram(i % 2, f.datagram());
                    }
                    if (i % 500 == 0) {
                        ctx.metrics().awaitCounter("lorawan.datagrams.received", i + 1, Duration.ofSeconds(10)); // the server keeps up
                    }
                }
                long finalMalformed = malformed;
                await().atMost(Duration.ofSeconds(10)).until(() -> ctx.metrics().count("lorawan.datagrams.received") == TOTAL);
                assertTrue(sim.awaitAcks(Duration.ofSeconds(10)), sim.pushAcked() + " of " + sim.pushSent() + ", server ACK send failures " + ctx.metrics().count("lorawan.acks.failed"));
                assertEquals(0, sim.unexpectedAcks(), "a malformed datagram was acknowledged");
                assertEquals(TOTAL - finalMalformed, sim.pushSent());
            }
            FakeMetrics m = ctx.metrics();
            long expectedValid = valid;
            await().atMost(Duration.ofSeconds(5)).until(() -> m.count("lorawan.frames.accepted") == expectedValid);
            connector.stop();
            assertEquals(malformed, m.count("lorawan.datagrams.malformed"), "variants " + variants);
            long rejected = m.count("lorawan.frames.malformed") + m.count("lorawan.frames.not-uplink")
                    + m.count("lorawan.frames.unknown-device") + m.count("lorawan.frames.mic-failed")
                    + m.count("lorawan.frames.replayed") + m.count("lorawan.frames.counter-gap")
                    + m.count("lorawan.rxpk.malformed") + m.count("lorawan.rxpk.crc-failed");
            assertEquals(badFrames, rejected, "frame rejections " + m.snapshot());
            assertEquals(0, m.count("lorawan.frames.replayed") + m.count("lorawan.frames.counter-gap"));
            assertTrue(m.count("lorawan.frames.mic-failed") > 1000 && m.count("lorawan.frames.malformed") > 1000, m.snapshot().toString());
            assertEquals(valid, m.count("lorawan.frames.accepted"));
            assertEquals(TOTAL, m.count("lorawan.datagrams.received"));
            assertTrue(malformed > 40_000 && badFrames > 30_000, variants.toString());

            // every valid uplink was served: one radio sample each, and its decoded fields
            List<Sample> samples = ctx.samples();
            assertEquals(valid, samples.stream().filter(s -> s.tag().endsWith(".radio")).count());
            long expectedFields = validSent.stream().mapToLong(u -> u.expected().size()).sum() + 2; // + first uplink (LPP)
            assertEquals(expectedFields, samples.stream().filter(s -> !s.tag().endsWith(".radio")).count());
        }
    }
}
