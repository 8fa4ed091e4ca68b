package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Join security against vectors computed by the npm lora-packet library (src/test/resources/otaa-join-vectors.json,
 * produced by src/test/node/make-join-fixtures.js) and the published lora-packet JoinRequest vector of
 * lorawan-vectors.json.
 */
@Timeout(10)
class JoinCryptoTest {

    private static final HexFormat HEX = HexFormat.of();

    static JsonNode otaaVectors() throws Exception {
        try (InputStream in = JoinCryptoTest.class.getResourceAsStream("/otaa-join-vectors.json")) {
            return new ObjectMapper().readTree(in).get("vectors");
        }
    }

    @Test
    void joinRequestsParseAndTheirMicsMatch() throws Exception {
        JsonNode vs = otaaVectors();
        assertEquals(3, vs.size());
        for (JsonNode v : vs) {
            byte[] appKey = HEX.parseHex(v.get("appKey").asText());
            byte[] raw = HEX.parseHex(v.get("joinRequest").asText());
            JoinRequest r = JoinRequest.parse(raw);
            assertEquals(v.get("appEui").asText(), r.appEuiHex());
            assertEquals(v.get("devEui").asText(), r.devEuiHex());
            assertEquals(Integer.parseInt(v.get("devNonce").asText(), 16), r.devNonce());
            assertEquals(v.get("joinRequestMic").asText(), String.format("%08x", r.mic()));
            assertEquals(r.mic(), JoinCrypto.joinRequestMic(appKey, raw));
            raw[10] ^= 1;
            assertNotEquals(r.mic(), JoinCrypto.joinRequestMic(appKey, raw), "a changed DevEUI changes the MIC");
        }
    }

    @Test
    void publishedJoinRequestVector() throws Exception {
        JsonNode v = LoRaWanVectorsTest.vectors().get("join_vectors").get(0);
        byte[] raw = HEX.parseHex(v.get("phypayload_hex").asText());
        JoinRequest r = JoinRequest.parse(raw);
        assertEquals(v.get("AppEUI_display").asText(), r.appEuiHex());
        assertEquals(v.get("DevEUI_display").asText(), r.devEuiHex());
        assertEquals(v.get("expected_mic").asText(), String.format("%08x", JoinCrypto.joinRequestMic(HEX.parseHex(v.get("AppKey").asText()), raw)));
    }

    @Test
    void joinAcceptsAreSignedAndEncryptedAsTheLibraryDoes() throws Exception {
        for (JsonNode v : otaaVectors()) {
            byte[] appKey = HEX.parseHex(v.get("appKey").asText());
            int dl = v.get("dlSettings").asInt();
            JoinAccept accept = new JoinAccept(Integer.parseInt(v.get("appNonce").asText(), 16),
                    Integer.parseInt(v.get("netId").asText(), 16), (int) Long.parseLong(v.get("devAddr").asText(), 16),
                    (dl >> 4) & 7, dl & 15, v.get("rxDelay").asInt(), new byte[0]);
            byte[] sealed = JoinCrypto.sealJoinAccept(appKey, accept.plain());
            assertEquals(v.get("joinAcceptEncrypted").asText(), HEX.formatHex(sealed));
            byte[] open = JoinCrypto.openJoinAccept(appKey, sealed);
            assertEquals(v.get("joinAcceptPlain").asText(), HEX.formatHex(open));
            assertEquals(v.get("joinAcceptMic").asText(), HEX.formatHex(open, open.length - 4, open.length));
            JoinAccept back = JoinAccept.parsePlain(open);
            assertEquals(accept.devAddr(), back.devAddr());
            assertEquals(accept.netId(), back.netId());
            assertEquals(accept.appNonce(), back.appNonce());
        }
    }

    @Test
    void publishedPlainJoinAcceptMic() throws Exception {
        JsonNode v = LoRaWanVectorsTest.vectors().get("join_vectors").get(1);
        byte[] raw = HEX.parseHex(v.get("phypayload_hex").asText());
        JoinAccept a = JoinAccept.parsePlain(raw);
        assertEquals(v.get("DevAddr_display").asText(), PhyPayload.devAddrHex(a.devAddr()));
        assertEquals(v.get("NetID_display").asText(), String.format("%06x", a.netId()));
        assertEquals(v.get("AppNonce_display").asText(), String.format("%06x", a.appNonce()));
        byte[] sealed = JoinCrypto.sealJoinAccept(HEX.parseHex(v.get("AppKey").asText()), a.plain());
        byte[] open = JoinCrypto.openJoinAccept(HEX.parseHex(v.get("AppKey").asText()), sealed);
        assertEquals(v.get("expected_mic").asText(), HEX.formatHex(open, open.length - 4, open.length));
    }

    @Test
    void sessionKeysAreDerivedAsTheLibraryDoes() throws Exception {
        for (JsonNode v : otaaVectors()) {
            JoinCrypto.SessionKeys k = JoinCrypto.deriveKeys(HEX.parseHex(v.get("appKey").asText()),
                    Integer.parseInt(v.get("appNonce").asText(), 16), Integer.parseInt(v.get("netId").asText(), 16),
                    Integer.parseInt(v.get("devNonce").asText(), 16));
            assertArrayEquals(HEX.parseHex(v.get("nwkSKey").asText()), k.nwkSKey());
            assertArrayEquals(HEX.parseHex(v.get("appSKey").asText()), k.appSKey());
            assertEquals("SessionKeys[hidden]", k.toString());
        }
    }
}
