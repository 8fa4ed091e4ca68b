package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.spi.metrics.Metrics;
import io.sluice.testkit.FakeMetrics;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every vector of ../shared/reference/lorawan-vectors.json (copied to the test resources). */
class LoRaWanVectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    static JsonNode vectors() throws Exception {
        try (InputStream in = LoRaWanVectorsTest.class.getResourceAsStream("/lorawan-vectors.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void everyDataVectorParsesVerifiesAndDecryptsAsRecorded() throws Exception {
        JsonNode vectors = vectors().get("vectors");
        assertEquals(6, vectors.size());
        int checked = 0;
        for (JsonNode v : vectors) {
            String id = v.get("id").asText();
            byte[] raw = HEX.parseHex(v.get("phypayload_hex").asText());
            assertArrayEquals(raw, Base64.getDecoder().decode(v.get("phypayload_base64").asText()), id);
            PhyPayload f = PhyPayload.parse(raw);
            JsonNode d = v.get("decoded");
            assertEquals(d.get("MType").asText(), f.mtype().specName(), id);
            assertEquals(d.get("Major").asInt(), raw[0] & 3, id);
            assertEquals(d.get("MIC").asText(), f.micHex(), id);
            assertEquals(d.get("dir").asText(), f.mtype().direction() == 0 ? "up" : "down", id);
            assertEquals(d.get("DevAddr").asText(), f.devAddrHex(), id);
            JsonNode fctrl = d.get("FCtrl");
            assertEquals(fctrl.get("raw").asText(), String.format("%02x", f.fctrl()), id);
            assertEquals(fctrl.get("ADR").asBoolean(), f.adr(), id);
            assertEquals(fctrl.get("ACK").asBoolean(), f.ack(), id);
            assertEquals(fctrl.get("FOptsLen").asInt(), f.foptsLength(), id);
            if (fctrl.has("ADRACKReq")) assertEquals(fctrl.get("ADRACKReq").asBoolean(), f.adrAckReq(), id);
            if (fctrl.has("FPending")) assertEquals(fctrl.get("FPending").asBoolean(), f.bit4(), id);
            assertEquals(d.get("FCnt16").asInt(), f.fcnt16(), id);
            assertEquals(d.get("FOpts").asText(), HEX.formatHex(f.fopts()), id);
            assertEquals(d.get("FPort").asInt(), f.fport(), id);
            assertEquals(d.get("FRMPayload_encrypted").asText(), HEX.formatHex(f.encryptedPayload()), id);

            JsonNode keys = v.get("keys");
            byte[] nwk = HEX.parseHex(keys.get("NwkSKey").asText());
            byte[] app = keys.get("AppSKey").isNull() ? null : HEX.parseHex(keys.get("AppSKey").asText());
            SessionCrypto crypto = new SessionCrypto(nwk, app);
            assertEquals(v.get("computed_mic").asText(), String.format("%08x", crypto.dataMic(f, f.fcnt16())), id);
            assertEquals(v.get("mic_valid").asBoolean(), crypto.micMatches(f, f.fcnt16()), id);
            if (v.has("plaintext_hex")) {
                assertEquals("AppSKey", v.get("frmpayload_key_used").asText(), id);
                byte[] plain = crypto.decryptPayload(f, f.fcnt16());
                assertEquals(v.get("plaintext_hex").asText(), HEX.formatHex(plain), id);
                assertEquals(v.get("plaintext_ascii").asText(), new String(plain, StandardCharsets.US_ASCII), id);
            }
            JsonNode expected = v.get("expected");
            if (expected.has("FCnt16")) assertEquals(expected.get("FCnt16").asInt(), f.fcnt16(), id);
            if (expected.has("mic_valid")) assertEquals(expected.get("mic_valid").asBoolean(), crypto.micMatches(f, f.fcnt16()), id);
            checked++;
        }
        assertEquals(6, checked);
    }

    /** Runs each vector through the uplink pipeline as a registered device: positives accepted, negatives with the right reason. */
    @Test
    void thePipelineAcceptsTheValidUplinksAndRejectsTheNegativesWithTheRightReason() throws Exception {
        for (JsonNode v : vectors().get("vectors")) {
            String id = v.get("id").asText();
            JsonNode keys = v.get("keys");
            String app = keys.get("AppSKey").isNull() ? "00000000000000000000000000000000" : keys.get("AppSKey").asText();
            LoRaWanConnectorConfig config = TestConfigs.udp(Map.of("raw", TestConfigs.profile(LoRaWanConnectorConfig.Codec.RAW)),
                    Map.of("dev", TestConfigs.device("49be7df1", keys.get("NwkSKey").asText(), app, "raw")));
            FakeMetrics metrics = new FakeMetrics();
            UplinkPipeline pipeline = new UplinkPipeline(DeviceRegistry.build(config), new FrameCounterStore(null), 16384,
                    0, LoRaWanConnectorConfig.RadioMetadata.FULL, metrics);
            byte[] raw = HEX.parseHex(v.get("phypayload_hex").asText());
            String kind = v.get("kind").asText();
            if (kind.startsWith("NEGATIVE")) {
                FrameException e = assertThrows(FrameException.class, () -> pipeline.offer(raw, TestConfigs.rx("gw"), 0, 0), id);
                assertEquals(FrameException.Reason.MIC_FAILED, e.reason(), id);
                assertEquals(1, metrics.count("lorawan.frames.mic-failed"), id);
                assertEquals(0, metrics.count("lorawan.frames.accepted"), id);
            } else if (v.get("decoded").get("dir").asText().equals("down")) {
                FrameException e = assertThrows(FrameException.class, () -> pipeline.offer(raw, TestConfigs.rx("gw"), 0, 0), id);
                assertEquals(FrameException.Reason.NOT_UPLINK, e.reason(), id);
            } else {
                assertEquals(UplinkPipeline.Outcome.ACCEPTED, pipeline.offer(raw, TestConfigs.rx("gw"), 0, 0), id);
                List<io.sluice.spi.Sample> out = new ArrayList<>();
                assertEquals(1, pipeline.drainReady(1, false, out), id);
                io.sluice.spi.Sample payload = out.stream().filter(s -> s.tag().equals("dev.payload")).findFirst().orElseThrow();
                String plain = v.has("plaintext_hex") ? v.get("plaintext_hex").asText() : "";
                assertEquals(plain, HEX.formatHex(((io.sluice.spi.Value.BytesValue) payload.value()).value()), id);
            }
        }
    }

    @Test
    void joinVectorsMics() throws Exception {
        for (JsonNode v : vectors().get("join_vectors")) {
            byte[] raw = HEX.parseHex(v.get("phypayload_hex").asText());
            byte[] key = HEX.parseHex(v.get("AppKey").asText());
            int mic = SessionCrypto.cmac4(key, raw, 0, raw.length - 4);
            assertEquals(v.get("expected_mic").asText(), String.format("%08x", mic), v.get("id").asText());
            FrameException e = assertThrows(FrameException.class, () -> PhyPayload.parse(raw));
            assertEquals(FrameException.Reason.NOT_UPLINK, e.reason());
        }
    }

    @Test
    void semtechBinaryVectorsAndDerivedPushData() throws Exception {
        JsonNode udp = vectors().get("semtech_udp");
        JsonNode pub = udp.get("public_binary_vectors");
        byte[] push = HEX.parseHex(pub.get("PUSH_DATA_empty_json").asText());
        assertEquals(pub.get("PUSH_ACK").asText(), HEX.formatHex(SemtechProtocol.ack(push, SemtechProtocol.PUSH_ACK)));
        assertEquals("0102030405060708", SemtechProtocol.gatewayEui(push));
        byte[] pull = HEX.parseHex(pub.get("PULL_DATA").asText());
        assertEquals(SemtechProtocol.PULL_DATA, pull[3]);
        assertEquals(SemtechProtocol.GATEWAY_HEADER, pull.length);

        JsonNode derived = udp.get("derived_push_data_example");
        byte[] header = HEX.parseHex(derived.get("header_hex").asText());
        assertEquals(derived.get("push_ack_hex").asText(), HEX.formatHex(SemtechProtocol.ack(header, SemtechProtocol.PUSH_ACK)));
        JsonNode exp = derived.get("expected_after_decode");
        byte[] phy = Base64.getDecoder().decode(derived.get("json").get("rxpk").get(0).get("data").asText());
        assertEquals(exp.get("PHYPayload_hex").asText(), HEX.formatHex(phy));
        PhyPayload f = PhyPayload.parse(phy);
        assertEquals(exp.get("DevAddr").asText(), f.devAddrHex());
        assertEquals(exp.get("FCnt").asInt(), f.fcnt16());
        assertEquals(exp.get("FPort").asInt(), f.fport());
        SessionCrypto c = new SessionCrypto(HEX.parseHex(exp.get("keys").get("NwkSKey").asText()),
                HEX.parseHex(exp.get("keys").get("AppSKey").asText()));
        assertTrue(c.micMatches(f, f.fcnt16()));
        assertEquals(exp.get("plaintext").asText(), new String(c.decryptPayload(f, f.fcnt16()), StandardCharsets.US_ASCII));
        assertFalse(c.micMatches(f, f.fcnt16() + 0x10000L), "the MIC covers the upper 16 counter bits too");

        JsonNode pullResp = udp.get("derived_pull_resp_example");
        byte[] txAck = HEX.parseHex(pullResp.get("tx_ack_hex_no_json").asText());
        assertEquals(SemtechProtocol.TX_ACK, txAck[3]);
        assertEquals(HEX.formatHex(HEX.parseHex(pullResp.get("header_hex").asText()), 1, 3), HEX.formatHex(txAck, 1, 3));
        PhyPayload down = PhyPayload.parse(Base64.getDecoder().decode(pullResp.get("json").get("txpk").get("data").asText()));
        assertEquals(MType.UNCONFIRMED_DATA_DOWN, down.mtype());
        assertNotNull(down.toString());
    }

    @Test
    void structurallyBrokenFramesAreMalformed() {
        for (String hex : new String[] {"", "40", "40f17dbe49000200", "41f17dbe4900020001954378762b11ff0d",
                "40f17dbe490f020001954378", "40f17dbe490102000300aa2b11ff0d"}) {
            FrameException e = assertThrows(FrameException.class, () -> PhyPayload.parse(HEX.parseHex(hex)), hex);
            assertEquals(FrameException.Reason.MALFORMED, e.reason(), hex);
        }
    }

    @Test
    void keysNeverAppearInMessagesOrToString() {
        String key = "44024241ed4ce9a68c6a8bc055233fd3";
        SessionCrypto c = new SessionCrypto(HEX.parseHex(key), HEX.parseHex(key));
        assertFalse(c.toString().contains(key));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SessionCrypto.parseKey(key + "zz", "NwkSKey"));
        assertFalse(e.getMessage().contains(key));
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> SessionCrypto.parseKey("g4024241ed4ce9a68c6a8bc055233fd3", "NwkSKey"));
        assertFalse(e2.getMessage().contains("4024241ed4ce9a68c6a8bc055233fd3"));
        Metrics unused = new FakeMetrics();
        assertNotNull(unused);
    }
}
