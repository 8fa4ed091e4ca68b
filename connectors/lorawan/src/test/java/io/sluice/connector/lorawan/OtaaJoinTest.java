package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.lorawan.LoRaWanConnectorConfig.DevNonceRule;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Device;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.NetworkServer;
import io.sluice.rigs.lorawan.FrameEncoder;
import io.sluice.spi.Sample;
import io.sluice.spi.config.Secret;
import io.sluice.testkit.FakeMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Join handling and session persistence of the UDP pipeline, without a network. */
@Timeout(20)
class OtaaJoinTest {

    static final String APP_KEY = "2b7e151628aed2a6abf7158809cf4f3c";
    static final String DEV_EUI = "0004a30b001c0530";
    static final String APP_EUI = "70b3d57ed0000000";
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path state;

    /** A pipeline as the connector builds it, over the state directory. */
    final class Node {
        final FakeMetrics metrics = new FakeMetrics();
        final DeviceRegistry registry;
        final FrameCounterStore counters = new FrameCounterStore(state);
        final SessionStore sessions = new SessionStore(state);
        final JoinServer joins;
        final UplinkPipeline pipeline;

        Node(LoRaWanConnectorConfig config) throws Exception {
            registry = DeviceRegistry.build(config);
            counters.load();
            sessions.load(registry.names()::contains);
            joins = new JoinServer(registry, sessions, counters, config.networkServer().orElseThrow(), RegionalParameters.EU868);
            joins.restore();
            pipeline = new UplinkPipeline(registry, counters, 16384, 0, LoRaWanConnectorConfig.RadioMetadata.OFF, metrics, joins, sessions, true);
        }

        byte[] join(String devEui, String appKey, int devNonce) throws FrameException {
            pipeline.offer(joinRequest(devEui, appKey, devNonce), TestConfigs.rx("gw1"), System.nanoTime(), System.currentTimeMillis() * 1_000_000);
            List<UplinkPipeline.Pending> ready = new ArrayList<>();
            pipeline.takeReady(Long.MAX_VALUE, true, ready);
            assertEquals(1, ready.size());
            return ready.get(0).joinAccept;
        }

        List<Sample> uplink(byte[] phy) throws FrameException {
            pipeline.offer(phy, TestConfigs.rx("gw1"), System.nanoTime(), System.currentTimeMillis() * 1_000_000);
            List<Sample> out = new ArrayList<>();
            pipeline.drainReady(Long.MAX_VALUE, true, out);
            return out;
        }

        void save() throws Exception {
            counters.saveIfDirty();
            byte[] s = sessions.snapshotIfDirty(System.currentTimeMillis());
            if (s != null) sessions.write(s);
        }
    }

    static NetworkServer ns(Optional<String> first, Optional<String> last, int history) {
        return new NetworkServer("000013", first, last, Duration.ofSeconds(1), 0, Optional.empty(), Optional.empty(),
                Optional.empty(), history, Duration.ZERO, Duration.ofSeconds(30));
    }

    static LoRaWanConnectorConfig config(NetworkServer ns, Map<String, Device> devices) {
        return new LoRaWanConnectorConfig(LoRaWanConnectorConfig.Mode.UDP, "127.0.0.1", 0, io.sluice.spi.config.DataSize.ofMegabytes(4),
                Duration.ZERO, 16384, true, LoRaWanConnectorConfig.RadioMetadata.OFF, Optional.empty(),
                Map.of("raw", TestConfigs.profile(LoRaWanConnectorConfig.Codec.RAW)), devices, Optional.empty(), Duration.ofMinutes(5),
                Optional.empty(), LoRaWanConnectorConfig.Region.EU868, Optional.of(ns), Duration.ZERO);
    }

    static Device otaa(String devEui, String appKey, DevNonceRule rule) {
        return new Device(Optional.empty(), Optional.of(devEui), Optional.empty(), Optional.empty(), "raw",
                Optional.of(new Secret(appKey)), Optional.of(APP_EUI), rule);
    }

    static LoRaWanConnectorConfig oneDevice(DevNonceRule rule) {
        return config(ns(Optional.empty(), Optional.empty(), 16), Map.of("sensor", otaa(DEV_EUI, APP_KEY, rule)));
    }

    static byte[] joinRequest(String devEui, String appKey, int devNonce) {
        byte[] b = new byte[23];
        long app = Long.parseUnsignedLong(APP_EUI, 16);
        long dev = Long.parseUnsignedLong(devEui, 16);
        for (int i = 0; i < 8; i++) {
            b[1 + i] = (byte) (app >>> (8 * i));
            b[9 + i] = (byte) (dev >>> (8 * i));
        }
        b[17] = (byte) devNonce;
        b[18] = (byte) (devNonce >>> 8);
        int mic = JoinCrypto.joinRequestMic(HEX.parseHex(appKey), b);
        b[19] = (byte) (mic >>> 24);
        b[20] = (byte) (mic >>> 16);
        b[21] = (byte) (mic >>> 8);
        b[22] = (byte) mic;
        return b;
    }

    /** What the device learns from a JoinAccept. */
    record Session(int devAddr, byte[] nwk, byte[] app, FrameEncoder encoder) {}

    static Session accept(byte[] sealed, String appKey, int devNonce) {
        byte[] open = JoinCrypto.openJoinAccept(HEX.parseHex(appKey), sealed);
        JoinAccept a = JoinAccept.parsePlain(open);
        JoinCrypto.SessionKeys k = JoinCrypto.deriveKeys(HEX.parseHex(appKey), a.appNonce(), a.netId(), devNonce);
        return new Session(a.devAddr(), k.nwkSKey(), k.appSKey(), new FrameEncoder(k.nwkSKey(), k.appSKey()));
    }

    static byte[] up(Session s, long fcnt, String text) {
        return s.encoder().uplink(false, s.devAddr(), fcnt, 1, text.getBytes());
    }

    @Test
    void aJoinedDeviceSendsWithItsDerivedKeysAndItsSessionSurvivesARestart() throws Exception {
        Node n = new Node(oneDevice(DevNonceRule.RANDOM));
        Session s = accept(n.join(DEV_EUI, APP_KEY, 0x1a2b), APP_KEY, 0x1a2b);
        assertEquals(0x13, s.devAddr() >>> 25, "NwkID 0x13 in the 7 high bits");
        assertEquals(1, n.metrics.count("lorawan.joins.accepted"));
        assertEquals(1, n.uplink(up(s, 0, "a")).size());
        n.save();
        Path file = state.resolve(SessionStore.FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertFalse(Files.readString(file).contains(APP_KEY));

        Node restarted = new Node(oneDevice(DevNonceRule.RANDOM));
        assertEquals(1, restarted.uplink(up(s, 1, "b")).size(), "the saved session serves the next uplink");
        FrameException replay = assertThrows(FrameException.class, () -> restarted.uplink(up(s, 0, "a")));
        assertEquals(FrameException.Reason.REPLAYED, replay.reason());
        FrameException nonce = assertThrows(FrameException.class, () -> restarted.join(DEV_EUI, APP_KEY, 0x1a2b));
        assertEquals(FrameException.Reason.DEV_NONCE_REUSED, nonce.reason());
        assertEquals(1, restarted.metrics.count("lorawan.joins.dev-nonce-replayed"));
    }

    @Test
    void aRejoinReplacesTheSessionCleanly() throws Exception {
        Node n = new Node(oneDevice(DevNonceRule.RANDOM));
        Session first = accept(n.join(DEV_EUI, APP_KEY, 1), APP_KEY, 1);
        for (int f = 0; f < 5; f++) n.uplink(up(first, f, "x" + f));
        Session second = accept(n.join(DEV_EUI, APP_KEY, 2), APP_KEY, 2);
        assertEquals(first.devAddr(), second.devAddr(), "the device keeps its address");
        assertFalse(java.util.Arrays.equals(first.nwk(), second.nwk()));
        assertEquals(1, n.uplink(up(second, 0, "fresh")).size(), "the new session's counter starts at 0");
        FrameException old = assertThrows(FrameException.class, () -> n.uplink(up(first, 5, "old")));
        assertEquals(FrameException.Reason.MIC_FAILED, old.reason(), "the old keys are gone");
        n.save();
        assertFalse(Files.readString(state.resolve(FrameCounterStore.FILE)).contains("sensor~1 "), "the old counter is dropped");
    }

    @Test
    void aCounterDeviceMustRaiseItsDevNonce() throws Exception {
        Node n = new Node(oneDevice(DevNonceRule.COUNTER));
        n.join(DEV_EUI, APP_KEY, 10);
        assertEquals(FrameException.Reason.DEV_NONCE_REUSED, assertThrows(FrameException.class, () -> n.join(DEV_EUI, APP_KEY, 9)).reason());
        assertEquals(FrameException.Reason.DEV_NONCE_REUSED, assertThrows(FrameException.class, () -> n.join(DEV_EUI, APP_KEY, 10)).reason());
        assertNotNull(n.join(DEV_EUI, APP_KEY, 11));
    }

    @Test
    void theDevNonceHistoryIsBounded() throws Exception {
        Node n = new Node(oneDevice(DevNonceRule.RANDOM));
        for (int i = 0; i < 40; i++) n.join(DEV_EUI, APP_KEY, 100 + i);
        assertEquals(16, n.sessions.get("sensor").devNonces.size());
        assertEquals(FrameException.Reason.DEV_NONCE_REUSED, assertThrows(FrameException.class, () -> n.join(DEV_EUI, APP_KEY, 139)).reason());
        assertNotNull(n.join(DEV_EUI, APP_KEY, 100), "remembered no longer: history is bounded");
    }

    @Test
    void refusedJoinsAreCountedAndStoreNothing() throws Exception {
        Node n = new Node(oneDevice(DevNonceRule.RANDOM));
        assertEquals(FrameException.Reason.UNKNOWN_DEVICE,
                assertThrows(FrameException.class, () -> n.join("0004a30b001c0531", APP_KEY, 1)).reason());
        assertEquals(FrameException.Reason.MIC_FAILED,
                assertThrows(FrameException.class, () -> n.join(DEV_EUI, "000102030405060708090a0b0c0d0e0f", 1)).reason());
        assertEquals(1, n.metrics.count("lorawan.joins.unknown-device"));
        assertEquals(1, n.metrics.count("lorawan.joins.mic-failed"));
        assertNull(n.sessions.get("sensor"));
        assertNull(n.registry.joined("sensor"));
    }

    @Test
    void addressesComeFromTheRangeAndRunOut() throws Exception {
        Map<String, Device> devices = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) devices.put("d" + i, otaa(String.format("00000000000000%02x", i + 1), APP_KEY, DevNonceRule.RANDOM));
        Node n = new Node(config(ns(Optional.of("26000010"), Optional.of("26000011"), 16), devices));
        assertEquals(0x26000010, accept(n.join("0000000000000001", APP_KEY, 1), APP_KEY, 1).devAddr());
        assertEquals(0x26000011, accept(n.join("0000000000000002", APP_KEY, 1), APP_KEY, 1).devAddr());
        assertEquals(FrameException.Reason.NO_DEV_ADDR,
                assertThrows(FrameException.class, () -> n.join("0000000000000003", APP_KEY, 1)).reason());
        assertEquals(1, n.metrics.count("lorawan.joins.no-dev-addr"));
        assertNotEquals(null, n.join("0000000000000001", APP_KEY, 2), "a re-join keeps its address");
    }

    @Test
    void sessionKeysNeverAppearInToString() throws Exception {
        Node n = new Node(oneDevice(DevNonceRule.RANDOM));
        Session s = accept(n.join(DEV_EUI, APP_KEY, 7), APP_KEY, 7);
        String text = n.sessions.get("sensor").toString() + n.registry.otaaDevice("sensor") + n.registry.joined("sensor");
        assertFalse(text.contains(HEX.formatHex(s.nwk())));
        assertFalse(text.contains(APP_KEY));
        assertArrayEquals(s.nwk(), n.sessions.get("sensor").nwkSKey);
    }

    @Test
    void aDamagedSessionFileIsMovedAsideAndReported() throws Exception {
        Path file = state.resolve(SessionStore.FILE);
        Files.writeString(file, "{\"devices\": {\"sensor\": ");
        SessionStore store = new SessionStore(state);
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> store.load(n -> true));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
        assertFalse(Files.exists(file));
        try (var files = Files.list(state)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith(SessionStore.FILE + ".damaged-")).count());
        }
        Node n = new Node(oneDevice(DevNonceRule.RANDOM));
        assertNotNull(n.join(DEV_EUI, APP_KEY, 1), "the device joins again");
    }
}
