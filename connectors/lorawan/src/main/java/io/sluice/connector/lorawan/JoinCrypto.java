package io.sluice.connector.lorawan;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * LoRaWAN 1.0.x join security with the device's AppKey (LoRaWAN 1.0.4 §6.2.4-6.2.5):
 *
 * <pre>
 * JoinRequest MIC = aes128_cmac(AppKey, MHDR | AppEUI | DevEUI | DevNonce)[0..3]
 * JoinAccept  MIC = aes128_cmac(AppKey, MHDR | AppNonce | NetID | DevAddr | DLSettings | RxDelay | CFList)[0..3]
 * on air          = MHDR | aes128_decrypt(AppKey, AppNonce | NetID | DevAddr | DLSettings | RxDelay | CFList | MIC)
 * NwkSKey         = aes128_encrypt(AppKey, 0x01 | AppNonce | NetID | DevNonce | pad16)
 * AppSKey         = aes128_encrypt(AppKey, 0x02 | AppNonce | NetID | DevNonce | pad16)
 * </pre>
 *
 * (multi-byte fields little-endian, as on air). The CMAC is {@link SessionCrypto#cmac4}; keys are never printed.
 */
public final class JoinCrypto {

    private JoinCrypto() {}

    /** The MIC a JoinRequest (23 bytes as on air) should carry, big-endian as printed. */
    public static int joinRequestMic(byte[] appKey, byte[] joinRequest) {
        return SessionCrypto.cmac4(appKey, joinRequest, 0, JoinRequest.LENGTH - 4);
    }

    /**
     * Signs and encrypts a JoinAccept: {@code plain} is MHDR through CFList without the MIC; returns the frame as
     * sent on air (MHDR in clear, the rest encrypted), 4 bytes longer than {@code plain}.
     */
    public static byte[] sealJoinAccept(byte[] appKey, byte[] plain) {
        int mic = SessionCrypto.cmac4(appKey, plain, 0, plain.length);
        byte[] body = new byte[plain.length - 1 + 4];
        System.arraycopy(plain, 1, body, 0, plain.length - 1);
        body[body.length - 4] = (byte) (mic >>> 24);
        body[body.length - 3] = (byte) (mic >>> 16);
        body[body.length - 2] = (byte) (mic >>> 8);
        body[body.length - 1] = (byte) mic;
        byte[] out = new byte[plain.length + 4];
        out[0] = plain[0];
        System.arraycopy(aes(Cipher.DECRYPT_MODE, appKey, body), 0, out, 1, body.length);
        return out;
    }

    /** The reverse of {@link #sealJoinAccept}: the accept in clear including its MIC (for tests and simulators). */
    public static byte[] openJoinAccept(byte[] appKey, byte[] onAir) {
        byte[] body = new byte[onAir.length - 1];
        System.arraycopy(onAir, 1, body, 0, body.length);
        byte[] out = new byte[onAir.length];
        out[0] = onAir[0];
        System.arraycopy(aes(Cipher.ENCRYPT_MODE, appKey, body), 0, out, 1, body.length);
        return out;
    }

    /** The two 1.0.x session keys derived from a join. */
    public record SessionKeys(byte[] nwkSKey, byte[] appSKey) {
        @Override
        public String toString() {
            return "SessionKeys[hidden]";
        }
    }

    /**
     * Derives NwkSKey and AppSKey.
     *
     * @param appNonce 24-bit JoinNonce / AppNonce as a number
     * @param netId    24-bit NetID as a number
     * @param devNonce 16-bit DevNonce as a number
     */
    public static SessionKeys deriveKeys(byte[] appKey, int appNonce, int netId, int devNonce) {
        byte[] block = new byte[32];
        for (int k = 0; k < 2; k++) {
            int p = 16 * k;
            block[p] = (byte) (k + 1);
            block[p + 1] = (byte) appNonce;
            block[p + 2] = (byte) (appNonce >>> 8);
            block[p + 3] = (byte) (appNonce >>> 16);
            block[p + 4] = (byte) netId;
            block[p + 5] = (byte) (netId >>> 8);
            block[p + 6] = (byte) (netId >>> 16);
            block[p + 7] = (byte) devNonce;
            block[p + 8] = (byte) (devNonce >>> 8);
        }
        byte[] both = aes(Cipher.ENCRYPT_MODE, appKey, block);
        return new SessionKeys(java.util.Arrays.copyOfRange(both, 0, 16), java.util.Arrays.copyOfRange(both, 16, 32));
    }

    private static byte[] aes(int mode, byte[] key, byte[] data) {
        try {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is not available in this JDK", e);
        }
    }
}
