package io.sluice.rigs.lorawan;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds LoRaWAN 1.0.x uplink data frames the way a device does: FRMPayload encrypted with the AppSKey (AES
 * keystream over the A_i blocks) and a MIC over {@code B0 | MHDR..FRMPayload} with the NwkSKey (AES-CMAC, RFC 4493).
 * Written on the JDK's AES alone, independently of the connector's implementation, so the two check each other.
 */
public final class FrameEncoder {

    private final Cipher nwk;
    private final Cipher app;
    private final byte[] k1 = new byte[16];
    private final byte[] k2 = new byte[16];

    public FrameEncoder(byte[] nwkSKey, byte[] appSKey) {
        nwk = ecb(nwkSKey);
        app = ecb(appSKey);
        byte[] l = aes(nwk, new byte[16]);
        shiftLeft(l, k1);
        shiftLeft(k1, k2);
    }

    private static Cipher ecb(byte[] key) {
        try {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] aes(Cipher c, byte[] block) {
        try {
            return c.doFinal(block);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void shiftLeft(byte[] in, byte[] out) {
        int carry = 0;
        for (int i = 15; i >= 0; i--) {
            int b = in[i] & 0xFF;
            out[i] = (byte) (b << 1 | carry);
            carry = b >>> 7;
        }
        if ((in[0] & 0x80) != 0) {
            out[15] ^= (byte) 0x87;
        }
    }

    /** AES-CMAC with the NwkSKey over {@code data[0..len)}. */
    byte[] cmac(byte[] data, int len) {
        int blocks = Math.max(1, (len + 15) / 16);
        boolean complete = len > 0 && len % 16 == 0;
        byte[] x = new byte[16];
        for (int b = 0; b < blocks; b++) {
            byte[] y = new byte[16];
            int off = b * 16;
            if (b < blocks - 1) {
                for (int i = 0; i < 16; i++) y[i] = (byte) (x[i] ^ data[off + i]);
            } else {
                byte[] last = new byte[16];
                int n = len - off;
                System.arraycopy(data, off, last, 0, n);
                if (!complete) last[n] = (byte) 0x80;
                byte[] k = complete ? k1 : k2;
                for (int i = 0; i < 16; i++) y[i] = (byte) (x[i] ^ last[i] ^ k[i]);
            }
            x = aes(nwk, y);
        }
        return x;
    }

    /**
     * An uplink frame.
     *
     * @param confirmed ConfirmedDataUp instead of UnconfirmedDataUp
     * @param devAddr   device address (numeric; sent little-endian)
     * @param fcnt32    the full frame counter (the low 16 bits go on air, all 32 into the MIC and keystream)
     * @param fport     1..223 (0 encrypts with the NwkSKey)
     * @param plain     the application payload
     */
    public byte[] uplink(boolean confirmed, int devAddr, long fcnt32, int fport, byte[] plain) {
        return uplink(confirmed, false, devAddr, fcnt32, fport, plain);
    }

    /** As {@link #uplink(boolean, int, long, int, byte[])}, with the FCtrl ADR bit set when {@code adr}. */
    public byte[] uplink(boolean confirmed, boolean adr, int devAddr, long fcnt32, int fport, byte[] plain) {
        int msgLen = 9 + plain.length;
        byte[] frame = new byte[msgLen + 4];
        frame[0] = (byte) (confirmed ? 0x80 : 0x40);
        putLe(frame, 1, devAddr);
        frame[5] = (byte) (adr ? 0x80 : 0);
        frame[6] = (byte) fcnt32;
        frame[7] = (byte) (fcnt32 >> 8);
        frame[8] = (byte) fport;
        byte[] enc = crypt(fport == 0 ? nwk : app, plain, devAddr, fcnt32);
        System.arraycopy(enc, 0, frame, 9, enc.length);
        byte[] b0 = new byte[16 + msgLen];
        b0[0] = 0x49;
        putLe(b0, 6, devAddr);
        putLe(b0, 10, (int) fcnt32);
        b0[15] = (byte) msgLen;
        System.arraycopy(frame, 0, b0, 16, msgLen);
        byte[] mic = cmac(b0, b0.length);
        System.arraycopy(mic, 0, frame, msgLen, 4);
        return frame;
    }

    private static byte[] crypt(Cipher c, byte[] plain, int devAddr, long fcnt32) {
        byte[] out = new byte[plain.length];
        for (int i = 0; i * 16 < plain.length; i++) {
            byte[] a = new byte[16];
            a[0] = 0x01;
            putLe(a, 6, devAddr);
            putLe(a, 10, (int) fcnt32);
            a[15] = (byte) (i + 1);
            byte[] s = aes(c, a);
            for (int j = 0; j < 16 && i * 16 + j < plain.length; j++) {
                out[i * 16 + j] = (byte) (plain[i * 16 + j] ^ s[j]);
            }
        }
        return out;
    }

    private static void putLe(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    @Override
    public String toString() {
        return "FrameEncoder[keys hidden]";
    }
}
