package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Device;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.NetworkServer;
import io.sluice.connector.lorawan.PacketForwarderServer.GatewayInfo;
import io.sluice.rigs.lorawan.FrameEncoder;
import io.sluice.spi.Sample;
import io.sluice.testkit.FakeMetrics;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** What the network-server side sends for an ABP device's uplinks: ACKs, MAC answers, DevStatusReq; regional tables. */
@Timeout(20)
class DownlinksTest {

    static final String NWK = "44024241ed4ce9a68c6a8bc055233fd3";
    static final String APP = "ec925802ae430ca77fd3dd73cb2cc588";
    static final int ADDR = 0x26011f2a;
    static final SocketAddress GW_ADDR = new InetSocketAddress("127.0.0.1", 40000);

    final FakeMetrics metrics = new FakeMetrics();
    final FrameEncoder device = new FrameEncoder(HexFormat.of().parseHex(NWK), HexFormat.of().parseHex(APP));
    final List<byte[]> sent = new ArrayList<>();
    final ObjectMapper json = new ObjectMapper();

    record Rig(UplinkPipeline pipeline, Downlinks downlinks, SessionStore sessions, KnownGateways gateways) {}

    Rig rig(Duration statusInterval, LoRaWanConnectorConfig.Region region) {
        Map<String, Device> devices = Map.of("pump", TestConfigs.device("26011f2a", NWK, APP, "raw"));
        NetworkServer ns = new NetworkServer("000013", Optional.empty(), Optional.empty(), Duration.ofSeconds(1), 0,
                Optional.empty(), Optional.empty(), Optional.empty(), 1000, statusInterval, Duration.ofSeconds(30));
        LoRaWanConnectorConfig c = new LoRaWanConnectorConfig(LoRaWanConnectorConfig.Mode.UDP, "127.0.0.1", 0,
                io.sluice.spi.config.DataSize.ofMegabytes(4), Duration.ZERO, 16384, true, LoRaWanConnectorConfig.RadioMetadata.OFF,
                Optional.empty(), Map.of("raw", TestConfigs.profile(LoRaWanConnectorConfig.Codec.RAW)), devices, Optional.empty(),
                Duration.ofMinutes(5), Optional.empty(), region, Optional.of(ns), Duration.ZERO);
        DeviceRegistry registry = DeviceRegistry.build(c);
        SessionStore sessions = new SessionStore(null);
        KnownGateways gateways = new KnownGateways(List.of(), 10, Duration.ofHours(1).toNanos(), metrics, LoggerFactory.getLogger("t"));
        long now = System.nanoTime();
        gateways.update("gw-good", g -> new GatewayInfo("gw-good", GW_ADDR, GW_ADDR, now, 2, now));
        gateways.update("gw-weak", g -> new GatewayInfo("gw-weak", GW_ADDR, GW_ADDR, now, 2, now));
        gateways.update("gw-no-pull", g -> new GatewayInfo("gw-no-pull", GW_ADDR, null, now, 2, now));
        UplinkPipeline p = new UplinkPipeline(registry, new FrameCounterStore(null), 16384, 0, LoRaWanConnectorConfig.RadioMetadata.OFF,
                metrics, null, sessions, true);
        return new Rig(p, new Downlinks(RegionalParameters.of(region), ns, sessions, gateways, metrics, LoggerFactory.getLogger("t")),
                sessions, gateways);
    }

    static RxMetadata rx(String gw, double snr, long tmst, double freq, String datr) {
        return new RxMetadata(gw, -70, snr, RxMetadata.NO_TIME, tmst, freq, datr, "4/5", 0, 0);
    }

    /** Offers one uplink heard by the given receptions, closes its window and plans + sends its downlinks. */
    List<JsonNode> exchange(Rig r, byte[] phy, List<Sample> samples, RxMetadata... receptions) throws Exception {
        for (RxMetadata rx : receptions) {
            r.pipeline().offer(phy, rx, System.nanoTime(), 1_700_000_000_000_000_000L);
        }
        List<UplinkPipeline.Pending> ready = new ArrayList<>();
        r.pipeline().takeReady(Long.MAX_VALUE, true, ready);
        List<Downlinks.Planned> planned = r.downlinks().plan(ready, System.nanoTime(), 1_700_000_000_000L);
        r.pipeline().toSamples(ready, samples);
        sent.clear();
        r.downlinks().send(planned, (d, to) -> sent.add(d));
        List<JsonNode> out = new ArrayList<>();
        for (byte[] d : sent) {
            assertEquals(SemtechProtocol.PULL_RESP, d[3]);
            out.add(json.readTree(new String(d, 4, d.length - 4)).get("txpk"));
        }
        return out;
    }

    static PhyPayload frame(JsonNode txpk) throws FrameException {
        return PhyPayload.parse(java.util.Base64.getDecoder().decode(txpk.get("data").asText()));
    }

    @Test
    void aConfirmedUplinkIsAcknowledgedThroughTheBestGatewayThatPulls() throws Exception {
        Rig r = rig(Duration.ZERO, LoRaWanConnectorConfig.Region.EU868);
        byte[] up = device.uplink(true, ADDR, 0, 1, new byte[] {1, 2});
        List<JsonNode> tx = exchange(r, up, new ArrayList<>(), rx("gw-weak", -5, 100, 868.3, "SF9BW125"),
                rx("gw-no-pull", 12, 200, 868.3, "SF9BW125"), rx("gw-good", 8, 4_294_000_000L, 868.3, "SF9BW125"));
        assertEquals(1, tx.size());
        JsonNode t = tx.get(0);
        assertEquals((4_294_000_000L + 1_000_000L) & 0xFFFFFFFFL, t.get("tmst").asLong(), "gw-good's tmst + 1 s, wrapped");
        assertEquals(868.3, t.get("freq").asDouble(), 1e-9);
        assertEquals("SF9BW125", t.get("datr").asText());
        assertEquals(14, t.get("powe").asInt());
        PhyPayload f = frame(t);
        assertEquals(MType.UNCONFIRMED_DATA_DOWN, f.mtype());
        assertTrue(f.ack());
        assertEquals(ADDR, f.devAddr());
        assertTrue(new SessionCrypto(HexFormat.of().parseHex(NWK), null).micMatches(f, 0));
        assertEquals(1, metrics.count("lorawan.downlinks.acks"));
        // an unconfirmed uplink without MAC commands needs nothing
        assertEquals(0, exchange(r, device.uplink(false, ADDR, 1, 1, new byte[] {3}), new ArrayList<>(),
                rx("gw-good", 8, 5, 868.3, "SF9BW125")).size());
        // the next ACK carries the next downlink counter
        assertEquals(1, frame(exchange(r, device.uplink(true, ADDR, 2, 1, new byte[] {4}), new ArrayList<>(),
                rx("gw-good", 8, 5, 868.3, "SF9BW125")).get(0)).fcnt16());
    }

    @Test
    void aConfirmedUplinkSentAgainIsAcknowledgedAgainButStoredOnce() throws Exception {
        Rig r = rig(Duration.ZERO, LoRaWanConnectorConfig.Region.EU868);
        byte[] up = device.uplink(true, ADDR, 7, 1, new byte[] {1, 2});
        List<Sample> samples = new ArrayList<>();
        assertEquals(0, frame(exchange(r, up, samples, rx("gw-good", 8, 10, 868.1, "SF7BW125")).get(0)).fcnt16());
        int stored = samples.size();
        assertTrue(stored > 0);
        for (int again = 1; again <= UplinkPipeline.MAX_REACKS; again++) {
            List<JsonNode> tx = exchange(r, up, samples, rx("gw-good", 8, 10 + again, 868.1, "SF7BW125"));
            PhyPayload f = frame(tx.get(0));
            assertTrue(f.ack());
            assertEquals(again, f.fcnt16(), "each ACK has its own downlink counter");
        }
        assertEquals(stored, samples.size(), "the data is stored once");
        assertEquals(UplinkPipeline.MAX_REACKS, metrics.count("lorawan.frames.confirmed-retransmissions"));
        assertEquals(0, metrics.count("lorawan.frames.replayed"));
        // beyond the bound, and any older counter, it is a replay again
        org.junit.jupiter.api.Assertions.assertThrows(FrameException.class,
                () -> exchange(r, up, new ArrayList<>(), rx("gw-good", 8, 99, 868.1, "SF7BW125")));
        assertEquals(1, metrics.count("lorawan.frames.replayed"));
        exchange(r, device.uplink(true, ADDR, 8, 1, new byte[] {3}), samples, rx("gw-good", 8, 100, 868.1, "SF7BW125"));
        org.junit.jupiter.api.Assertions.assertThrows(FrameException.class,
                () -> exchange(r, up, new ArrayList<>(), rx("gw-good", 8, 101, 868.1, "SF7BW125")));
        assertEquals(2, metrics.count("lorawan.frames.replayed"));
    }

    @Test
    void txAckErrorsMoveTheDownlinkToRx2ThenToTheNextGateway() throws Exception {
        Rig r = rig(Duration.ZERO, LoRaWanConnectorConfig.Region.EU868);
        List<JsonNode> first = exchange(r, device.uplink(true, ADDR, 0, 1, new byte[] {1}), new ArrayList<>(),
                rx("gw-good", 8, 1_000, 868.3, "SF8BW125"), rx("gw-weak", -2, 5_000, 868.3, "SF8BW125"));
        assertEquals(1_001_000, first.get(0).get("tmst").asLong());
        List<long[]> attempts = new ArrayList<>(); // {tmst, freq*1000}
        String[] gateways = {"gw-good", "gw-good", "gw-weak", "gw-weak"};
        for (int i = 0; i < 4; i++) {
            byte[] last = sent.get(sent.size() - 1);
            JsonNode t = json.readTree(new String(last, 4, last.length - 4)).get("txpk");
            attempts.add(new long[] {t.get("tmst").asLong(), Math.round(t.get("freq").asDouble() * 1000)});
            int token = (last[1] & 0xFF) << 8 | (last[2] & 0xFF);
            r.downlinks().txAck(gateways[i], token, "COLLISION_PACKET", (d, to) -> sent.add(d));
        }
        assertEquals(1_001_000, attempts.get(0)[0], "gw-good RX1");
        assertEquals(2_001_000, attempts.get(1)[0], "gw-good RX2");
        assertEquals(869_525, attempts.get(1)[1]);
        assertEquals(1_005_000, attempts.get(2)[0], "gw-weak RX1, on its own concentrator time");
        assertEquals(868_300, attempts.get(2)[1]);
        assertEquals(2_005_000, attempts.get(3)[0], "gw-weak RX2");
        assertEquals(3, metrics.count("lorawan.downlinks.retried"));
        assertEquals(1, metrics.count("lorawan.downlinks.failed"), "no attempt left after the fourth error");
        assertEquals(4, sent.size());
        // a TX_ACK without error, or for an unknown token, changes nothing
        r.downlinks().txAck("gw-good", 12345, "TOO_LATE", (d, to) -> sent.add(d));
        assertEquals(4, sent.size());
    }

    @Test
    void noGatewayThatPullsMeansNoDownlinkAndACount() throws Exception {
        Rig r = rig(Duration.ZERO, LoRaWanConnectorConfig.Region.EU868);
        assertEquals(0, exchange(r, device.uplink(true, ADDR, 0, 1, new byte[] {1}), new ArrayList<>(),
                rx("gw-no-pull", 12, 200, 868.1, "SF7BW125")).size());
        assertEquals(1, metrics.count("lorawan.downlinks.no-gateway"));
    }

    @Test
    void linkCheckAndDeviceTimeAreAnswered() throws Exception {
        Rig r = rig(Duration.ZERO, LoRaWanConnectorConfig.Region.EU868);
        byte[] up = device.uplink(false, ADDR, 0, 0, new byte[] {0x02, 0x0D}); // FPort 0: LinkCheckReq, DeviceTimeReq
        List<JsonNode> tx = exchange(r, up, new ArrayList<>(), rx("gw-good", 2.0, 10, 868.1, "SF9BW125"),
                rx("gw-weak", -4.0, 10, 868.1, "SF9BW125"));
        PhyPayload f = frame(tx.get(0));
        byte[] fopts = f.fopts();
        assertEquals(0x02, fopts[0]);
        assertEquals(14, fopts[1], "margin: SNR 2.0 above SF9's floor of -12.5 dB");
        assertEquals(2, fopts[2], "two gateways heard it");
        assertEquals(0x0D, fopts[3]);
        long gps = (fopts[4] & 0xFFL) | (fopts[5] & 0xFFL) << 8 | (fopts[6] & 0xFFL) << 16 | (fopts[7] & 0xFFL) << 24;
        assertEquals(1_700_000_000L - 315_964_800L + 18, gps, "GPS seconds of the receive time");
        assertTrue(!f.ack());
    }

    @Test
    void devStatusIsRequestedOnScheduleAndTheAnswerBecomesSamples() throws Exception {
        Rig r = rig(Duration.ofHours(24), LoRaWanConnectorConfig.Region.EU868);
        List<JsonNode> tx = exchange(r, device.uplink(false, ADDR, 0, 1, new byte[] {1}), new ArrayList<>(),
                rx("gw-good", 5, 10, 868.1, "SF7BW125"));
        assertEquals("06", HexFormat.of().formatHex(frame(tx.get(0)).fopts()), "DevStatusReq");
        assertEquals(0, exchange(r, device.uplink(false, ADDR, 1, 1, new byte[] {1}), new ArrayList<>(),
                rx("gw-good", 5, 10, 868.1, "SF7BW125")).size(), "not again within the interval");
        List<Sample> samples = new ArrayList<>();
        exchange(r, device.uplink(false, ADDR, 2, 0, new byte[] {0x06, (byte) 200, 0x3E}), samples, rx("gw-good", 5, 10, 868.1, "SF7BW125"));
        Map<String, Object> values = new java.util.HashMap<>();
        for (Sample s : samples) values.put(s.tag(), s.value());
        assertEquals(io.sluice.spi.Value.of(200), values.get("pump.battery"));
        assertEquals(io.sluice.spi.Value.of(-2), values.get("pump.margin"), "6-bit signed");
        assertEquals(200, r.sessions().get("pump").battery);
    }

    @Test
    void regionalTables() {
        RegionalParameters us = RegionalParameters.US915;
        assertEquals(923.3, us.rx1Frequency(902.3), 1e-9);
        assertEquals(923.9, us.rx1Frequency(902.5), 1e-9);
        assertEquals(927.5, us.rx1Frequency(903.7), 1e-9, "upstream channel 7");
        assertEquals(923.3, us.rx1Frequency(903.9), 1e-9, "upstream channel 8 maps to downstream 0");
        assertEquals(923.9, us.rx1Frequency(904.6), 1e-9, "500 kHz channel 65");
        assertEquals("SF10BW500", us.dataRate(us.rx1DataRate(us.dataRateIndex("SF10BW125"), 0)));
        assertEquals("SF7BW500", us.dataRate(us.rx1DataRate(us.dataRateIndex("SF8BW500"), 0)));
        assertEquals("SF12BW500", us.dataRate(us.rx2DataRate()));
        RegionalParameters eu = RegionalParameters.EU868;
        assertEquals("SF9BW125", eu.dataRate(eu.rx1DataRate(eu.dataRateIndex("SF7BW125"), 2)));
        assertEquals("SF12BW125", eu.dataRate(eu.rx1DataRate(eu.dataRateIndex("SF10BW125"), 5)));
        assertEquals(868.5, eu.rx1Frequency(868.5), 1e-9);
    }

    @Test
    void us915AcksGoOnTheDownstreamChannel() throws Exception {
        Rig r = rig(Duration.ZERO, LoRaWanConnectorConfig.Region.US915);
        JsonNode t = exchange(r, device.uplink(true, ADDR, 0, 1, new byte[] {1}), new ArrayList<>(),
                rx("gw-good", 5, 10, 902.7, "SF8BW125")).get(0);
        assertEquals(924.5, t.get("freq").asDouble(), 1e-9, "upstream channel 2 -> 923.3 + 2 x 0.6");
        assertEquals("SF8BW500", t.get("datr").asText());
        assertEquals(20, t.get("powe").asInt());
    }
}
