package io.sluice.connector.lorawan;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.lorawan.PacketForwarderSimulator;
import io.sluice.rigs.lorawan.VirtualDevice;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.store.StoredSample;
import io.sluice.spi.Value;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** End to end through the runtime: YAML config, the connector found by ServiceLoader, samples committed to the store. */
class GatewayIT {

    @Test
    void uplinksFromTheSimulatorLandInTheStreamStore() throws Exception {
        // not a @TempDir: the runtime may still finish writing its status file while JUnit deletes the folder
        Path data = java.nio.file.Files.createTempDirectory("lorawan-gateway-it");
        int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            port = probe.getLocalPort();
        }
        PacketForwarderSimulator registry = new PacketForwarderSimulator(new InetSocketAddress("127.0.0.1", port),
                InetAddress.getLoopbackAddress(), 1, 6, 65_534, 3);
        String yaml = """
                connectors:
                  field:
                    type: lorawan
                    stream: lora
                    asset: {site: test, area: field}
                    bind-address: 127.0.0.1
                    port: %d
                    dedup-window: 100ms
                %s
                streams:
                  lora:
                    priority: 2
                """.formatted(port, registry.registryYaml("    "));
        registry.close();
        try (Gateway gateway = Gateway.start(ConfigLoader.parse(yaml, "gateway-it.yaml"), data);
             PacketForwarderSimulator sim = new PacketForwarderSimulator(new InetSocketAddress("127.0.0.1", port),
                     InetAddress.getLoopbackAddress(), 2, 6, 65_534, 3)) {
            await("the connector listens").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> gateway.status().connectors().stream().anyMatch(c -> c.name().equals("field")
                            && c.state().equals("CONNECTED")));
            List<VirtualDevice.Uplink> sent = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (VirtualDevice d : sim.devices()) {
                    VirtualDevice.Uplink u = d.nextUplink();
                    sim.send(u, 2);
                    sent.add(u);
                }
            }
            long expected = sent.stream().mapToLong(u -> u.expected().size() + 1).sum();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(gateway.store().stats("lora").storedSamples() >= expected, "stored " + gateway.store().stats("lora").storedSamples() + " of " + expected));
            assertTrue(sim.awaitAcks(Duration.ofSeconds(5)));
            List<StoredSample> stored = gateway.store().read("lora", 0, (int) expected + 10).samples();
            assertEquals(expected, stored.size());
            Map<String, Integer> radios = new HashMap<>();
            for (StoredSample s : stored) {
                assertEquals("field", s.connector());
                if (s.sample().tag().endsWith(".radio")) {
                    Value.StructValue v = (Value.StructValue) s.sample().value();
                    radios.merge(s.sample().tag(), 1, Integer::sum);
                    assertEquals(2, ((Value.ArrayValue) v.fields().get("gateways")).elements().size());
                    assertTrue(((Value.IntValue) v.fields().get("fcnt")).value() >= 65_534);
                }
            }
            assertEquals(6, radios.size());
            radios.values().forEach(n -> assertEquals(4, n));
        } finally {
            try (var paths = java.nio.file.Files.walk(data)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
