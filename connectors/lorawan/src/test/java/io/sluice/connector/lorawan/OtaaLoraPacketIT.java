package io.sluice.connector.lorawan;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Codec;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.DevNonceRule;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Device;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Mode;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.NetworkServer;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Profile;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Region;
import io.sluice.spi.Sample;
import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.Secret;
import io.sluice.testkit.FakeConnectorContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * OTAA end to end against an independent implementation: devices built with the npm lora-packet library
 * ({@code src/test/node/otaa-gateway.js}, two virtual gateways over real UDP) join through the UDP server, decrypt the
 * JoinAccept and derive their keys with the library, send uplinks with those keys and check the ACKs of confirmed
 * uplinks with the library. Needs Node 20 and {@code test-rigs/setup-peers.sh} (npm lora-packet, pinned).
 */
@Timeout(120)
class OtaaLoraPacketIT {

    private static final int DEVICES = 4;
    private static final int UPLINKS = 6;

    @TempDir
    Path tmp;

    static Path peersNodeModules() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("test-rigs/peers/node_modules");
            if (Files.isRegularFile(p.resolve("lora-packet/package.json"))) {
                return p;
            }
        }
        throw new IllegalStateException("npm lora-packet not found in test-rigs/peers/node_modules; run test-rigs/setup-peers.sh");
    }

    static Path script(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("src/test/node/" + name);
            if (Files.isRegularFile(p)) return p;
            p = dir.resolve("connectors/lorawan/src/test/node/" + name);
            if (Files.isRegularFile(p)) return p;
        }
        throw new IllegalStateException(name + " not found");
    }

    static NetworkServer networkServer(Duration statusInterval) {
        return new NetworkServer("000013", Optional.empty(), Optional.empty(), Duration.ofSeconds(1), 0, Optional.empty(),
                Optional.empty(), Optional.empty(), 1000, statusInterval, Duration.ofSeconds(30));
    }

    static LoRaWanConnectorConfig config(Map<String, Device> devices, Duration statusInterval) {
        return new LoRaWanConnectorConfig(Mode.UDP, "127.0.0.1", 0, DataSize.ofMegabytes(4), Duration.ofMillis(100), 16384,
                true, LoRaWanConnectorConfig.RadioMetadata.COMPACT, Optional.empty(),
                Map.of("raw", new Profile(Codec.RAW, List.of(), List.of())), devices, Optional.empty(), Duration.ofMinutes(5),
                Optional.empty(), Region.EU868, Optional.of(networkServer(statusInterval)), Duration.ZERO);
    }

    static Device otaa(String devEui, String appKey, String joinEui) {
        return new Device(Optional.empty(), Optional.of(devEui), Optional.empty(), Optional.empty(), "raw",
                Optional.of(new Secret(appKey)), Optional.of(joinEui), DevNonceRule.RANDOM);
    }

    @Test
    void loraPacketDevicesJoinSendUplinksAndGetTheirAcksInTheRightWindow() throws Exception {
        Map<String, Device> devices = new LinkedHashMap<>();
        List<Map<String, String>> script = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            String name = "otaa-" + i;
            String devEui = String.format("70b3d57ed00010%02x", i);
            String appKey = String.format("%032x", 0x2b7e151628aed2a6L + i * 7919L);
            String appEui = "70b3d57ed0000000";
            devices.put(name, otaa(devEui, appKey, appEui));
            script.add(Map.of("name", name, "devEui", devEui, "appEui", appEui, "appKey", appKey,
                    "devNonce", String.format("%04x", 0x1000 + 17 * i)));
        }
        LoRaWanConnector connector = new LoRaWanConnector("lora", config(devices, Duration.ZERO));
        try (FakeConnectorContext ctx = new FakeConnectorContext("lora", tmp.resolve("state"))) {
            connector.start(ctx);
            await().atMost(Duration.ofSeconds(10)).until(() -> connector.udpPort() > 0);
            JsonNode report = runDevices(connector.udpPort(), script);
            assertEquals(0, report.get("errors").size(), report.get("errors").toString());

            // every JoinAccept: decrypted and MIC-checked by lora-packet, RX1 of the best gateway at tmst + 5 s
            assertEquals(DEVICES, report.get("joinAccepts").size());
            java.util.Set<String> addrs = new java.util.HashSet<>();
            for (JsonNode j : report.get("joinAccepts")) {
                assertTrue(j.get("micOk").asBoolean(), j.toString());
                assertEquals("Join Accept", j.get("mtype").asText());
                assertEquals(0, j.get("gw").asInt(), "the gateway with the better SNR sends: " + j);
                JsonNode tx = j.get("txpk");
                assertEquals((j.get("uplinkTmst").asLong() + 5_000_000L) & 0xFFFFFFFFL, tx.get("tmst").asLong(), j.toString());
                assertFalse(tx.get("imme").asBoolean());
                assertEquals(868.1, tx.get("freq").asDouble(), 1e-9);
                assertEquals("SF7BW125", tx.get("datr").asText());
                assertTrue(tx.get("ipol").asBoolean());
                assertEquals("000013", j.get("netId").asText());
                assertEquals(1, j.get("rxDelay").asInt());
                assertTrue(j.get("devAddr").asText().startsWith("26"), "NwkID 0x13 in the 7 high bits: " + j);
                assertTrue(addrs.add(j.get("devAddr").asText()), "each device its own DevAddr");
            }
            assertTrue(report.get("joinAccepts").get(0).get("txpk").get("tmst").asLong() < 10_000_000L,
                    "the first accept's time passed 2^32 and wrapped");

            // every uplink stored exactly once, decrypted with the keys the library derived
            List<JsonNode> uplinks = new ArrayList<>();
            report.get("uplinks").forEach(uplinks::add);
            assertEquals(DEVICES * UPLINKS + 1, uplinks.size());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(payloads(ctx).size() >= uplinks.size(), () -> "stored " + payloads(ctx).size()));
            Map<String, Integer> stored = new HashMap<>();
            for (String p : payloads(ctx)) stored.merge(p, 1, Integer::sum);
            for (JsonNode u : uplinks) {
                String key = u.get("device").asText() + " " + u.get("payload").asText();
                assertEquals(1, stored.getOrDefault(key, 0), key);
            }
            assertEquals(uplinks.size(), payloads(ctx).size());

            // confirmed uplinks: an ACK in RX1 (tmst + 1 s, uplink frequency and data rate) checked by the library
            List<JsonNode> acks = new ArrayList<>();
            report.get("acks").forEach(acks::add);
            assertEquals(DEVICES * (UPLINKS / 3) + 1, acks.size(), "one confirmed uplink was sent twice and acknowledged twice");
            assertEquals(1, acks.stream().filter(a -> a.path("again").asBoolean()).count());
            assertEquals(1, ctx.metrics().count("lorawan.frames.confirmed-retransmissions"));
            Map<String, Integer> fcntDown = new HashMap<>();
            for (JsonNode a : acks) {
                assertTrue(a.get("micOk").asBoolean(), a.toString());
                assertTrue(a.get("ack").asBoolean(), a.toString());
                assertEquals("Unconfirmed Data Down", a.get("mtype").asText());
                int expected = fcntDown.merge(a.get("device").asText(), 1, Integer::sum) - 1;
                assertEquals(expected, a.get("fcntDown").asInt(), "downlink counters count from 0 after a join: " + a);
            }
            JsonNode rx2 = report.get("rx2").get(0);
            JsonNode first = rx2.get("first");
            JsonNode second = rx2.get("second");
            assertEquals((rx2.get("uplinkTmst").asLong() + 1_000_000L) & 0xFFFFFFFFL, first.get("tmst").asLong(), rx2.toString());
            assertEquals(868.1, first.get("freq").asDouble(), 1e-9);
            assertEquals((rx2.get("uplinkTmst").asLong() + 2_000_000L) & 0xFFFFFFFFL, second.get("tmst").asLong(),
                    "after TOO_LATE the same ACK goes in RX2: " + rx2);
            assertEquals(869.525, second.get("freq").asDouble(), 1e-9);
            assertEquals("SF12BW125", second.get("datr").asText());
            assertTrue(rx2.get("same").asBoolean());
            for (JsonNode a : acks) {
                if (a.get("txpk").get("tmst").asLong() == second.get("tmst").asLong()) continue;
                assertEquals((a.get("uplinkTmst").asLong() + 1_000_000L) & 0xFFFFFFFFL, a.get("txpk").get("tmst").asLong(), a.toString());
                assertEquals(0, a.get("gw").asInt());
            }
            assertEquals(1, ctx.metrics().count("lorawan.downlinks.retried"));

            // the replayed JoinRequest: refused and counted, no JoinAccept before the marker's ACK
            // both gateways forwarded the replay: refused and counted once, the second copy merged as a duplicate
            assertEquals(1, ctx.metrics().count("lorawan.joins.dev-nonce-replayed"));
            assertEquals(DEVICES, ctx.metrics().count("lorawan.joins.accepted"));
            for (JsonNode r : report.get("afterReplay")) {
                assertFalse("Join Accept".equals(r.get("mtype").asText()), report.get("afterReplay").toString());
            }
            assertEquals(1, report.get("afterReplay").size(), "only the marker's ACK");

            Path sessions = tmp.resolve("state").resolve(SessionStore.FILE);
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(sessions));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sessions)));
            String text = Files.readString(sessions);
            for (Map<String, String> d : script) {
                assertFalse(text.contains(d.get("appKey")), "the AppKey is never written");
            }
        } finally {
            connector.stop();
        }
    }

    /** {@code "<device> <payload hex>"} of every stored payload sample. */
    static List<String> payloads(FakeConnectorContext ctx) {
        List<String> out = new ArrayList<>();
        for (Sample s : ctx.samples()) {
            if (s.tag().endsWith(".payload")) {
                out.add(s.tag().substring(0, s.tag().length() - ".payload".length()) + " "
                        + HexFormat.of().formatHex(((io.sluice.spi.Value.BytesValue) s.value()).value()));
            }
        }
        return out;
    }

    private JsonNode runDevices(int port, List<Map<String, String>> devices) throws IOException, InterruptedException {
        Path file = tmp.resolve("devices.json");
        new ObjectMapper().writeValue(file.toFile(), devices);
        Path out = tmp.resolve("report.json");
        Path err = tmp.resolve("node.log");
        ProcessBuilder pb = new ProcessBuilder("node", script("otaa-gateway.js").toString(), Integer.toString(port),
                file.toString(), Integer.toString(UPLINKS)).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("NODE_PATH", peersNodeModules().toString());
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the lora-packet devices did not finish");
            assertEquals(0, p.exitValue(), () -> read(err));
        } finally {
            p.destroyForcibly();
        }
        return new ObjectMapper().readTree(Files.readString(out, StandardCharsets.UTF_8));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
