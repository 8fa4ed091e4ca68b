package io.sluice.connector.lorawan;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.CMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * LoRaWAN 1.0.x frame security for one device session: the MIC (AES-CMAC over B0 | message with the NwkSKey) and
 * the FRMPayload keystream (AES-ECB of the A_i blocks with the AppSKey, or the NwkSKey for FPort 0).
 *
 * <p>Holds cipher state, so an instance is used by one thread at a time. It never exposes or prints its keys.
 */
public final class SessionCrypto {

    private final CMac nwkMac;
    private final Cipher nwkCipher;
    private final Cipher appCipher;
    private final byte[] block = new byte[16];
    private final byte[] macOut = new byte[16];

    /**
     * @param nwkSKey the 16-byte network session key
     * @param appSKey the 16-byte application session key, or null when only MICs are checked
     */
    public SessionCrypto(byte[] nwkSKey, byte[] appSKey) {
        checkKey(nwkSKey, "NwkSKey");
        nwkMac = new CMac(AESEngine.newInstance());
        nwkMac.init(new KeyParameter(nwkSKey));
        nwkCipher = ecb(nwkSKey);
        if (appSKey != null) {
            checkKey(appSKey, "AppSKey");
        }
        appCipher = appSKey == null ? null : ecb(appSKey);
    }

    /** Parses a 32-hex-digit key; the message of a failure never repeats the text. */
    public static byte[] parseKey(String hex, String name) {
        String s = hex.trim();
        if (s.length() != 32) {
            throw new IllegalArgumentException(name + " must be 32 hexadecimal digits (16 bytes), got " + s.length() + " characters");
        }
        byte[] key = new byte[16];
        for (int i = 0; i < 16; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16);
            int lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException(name + " must contain only hexadecimal digits");
            }
            key[i] = (byte) (hi << 4 | lo);
        }
        return key;
    }

    private static void checkKey(byte[] key, String name) {
        if (key == null || key.length != 16) {
            throw new IllegalArgumentException(name + " must be 16 bytes");
        }
    }

    private static Cipher ecb(byte[] key) {
        try {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is not available in this JDK", e);
        }
    }

    /** The MIC of a data frame for the given full 32-bit counter, as a big-endian int of the 4 wire bytes. */
    public int dataMic(PhyPayload frame, long fcnt32) {
        int len = frame.micInputLength();
        block[0] = 0x49;
        block[1] = 0;
        block[2] = 0;
        block[3] = 0;
        block[4] = 0;
        block[5] = (byte) frame.mtype().direction();
        putLe(block, 6, frame.devAddr());
        putLe(block, 10, (int) fcnt32);
        block[14] = 0;
        block[15] = (byte) len;
        nwkMac.update(block, 0, 16);
        nwkMac.update(frame.raw(), 0, len);
        nwkMac.doFinal(macOut, 0);
        return (macOut[0] & 0xFF) << 24 | (macOut[1] & 0xFF) << 16 | (macOut[2] & 0xFF) << 8 | (macOut[3] & 0xFF);
    }

    /** True when the frame's MIC matches for {@code fcnt32}. */
    public boolean micMatches(PhyPayload frame, long fcnt32) {
        return dataMic(frame, fcnt32) == frame.mic();
    }

    /**
     * Decrypts (or encrypts: the operation is its own inverse) the FRMPayload with the AppSKey, or the NwkSKey for
     * FPort 0. Returns an empty array for a frame without payload.
     */
    public byte[] decryptPayload(PhyPayload frame, long fcnt32) {
        if (frame.payloadLength() == 0) {
            return new byte[0];
        }
        Cipher cipher = frame.fport() == 0 ? nwkCipher : appCipher;
        if (cipher == null) {
            throw new IllegalStateException("no AppSKey configured for this device");
        }
        return crypt(cipher, frame.raw(), frame.payloadOffset(), frame.payloadLength(),
                frame.mtype().direction(), frame.devAddr(), fcnt32);
    }

    static byte[] crypt(Cipher cipher, byte[] data, int offset, int length, int dir, int devAddr, long fcnt32) {
        int blocks = (length + 15) / 16;
        byte[] a = new byte[blocks * 16];
        for (int i = 0; i < blocks; i++) {
            int p = i * 16;
            a[p] = 0x01;
            a[p + 5] = (byte) dir;
            putLe(a, p + 6, devAddr);
            putLe(a, p + 10, (int) fcnt32);
            a[p + 15] = (byte) (i + 1);
        }
        byte[] s;
        try {
            s = cipher.doFinal(a);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES failed", e);
        }
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (data[offset + i] ^ s[i]);
        }
        return out;
    }

    /** AES-CMAC(key, data)[0..3] as a big-endian int; for join-request and join-accept MICs. */
    public static int cmac4(byte[] key, byte[] data, int offset, int length) {
        CMac mac = new CMac(AESEngine.newInstance());
        mac.init(new KeyParameter(key));
        mac.update(data, offset, length);
        byte[] out = new byte[16];
        mac.doFinal(out, 0);
        return (out[0] & 0xFF) << 24 | (out[1] & 0xFF) << 16 | (out[2] & 0xFF) << 8 | (out[3] & 0xFF);
    }

    private static void putLe(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    @Override
    public String toString() {
        return "SessionCrypto[keys hidden]";
    }
}
