package io.sluice.connector.lorawan;

/**
 * A parsed LoRaWAN 1.0.x JoinRequest (23 bytes, multi-byte fields little-endian on air):
 *
 * <pre>
 * | MHDR 1 (0x00) | AppEUI 8 | DevEUI 8 | DevNonce 2 | MIC 4 |
 * </pre>
 *
 * @param raw      the whole PHYPayload
 * @param appEui   AppEUI / JoinEUI as a number (as printed)
 * @param devEui   DevEUI as a number (as printed)
 * @param devNonce DevNonce as a number
 * @param mic      the MIC as sent, big-endian as printed
 */
public record JoinRequest(byte[] raw, long appEui, long devEui, int devNonce, int mic) {

    public static final int LENGTH = 23;

    public static JoinRequest parse(byte[] raw) throws FrameException {
        if (raw.length != LENGTH) {
            throw new FrameException(FrameException.Reason.MALFORMED,
                    "JoinRequest of " + raw.length + " bytes, expected " + LENGTH);
        }
        if ((raw[0] & 0x03) != 0) {
            throw new FrameException(FrameException.Reason.MALFORMED, "unsupported LoRaWAN major version " + (raw[0] & 0x03));
        }
        int mic = (raw[19] & 0xFF) << 24 | (raw[20] & 0xFF) << 16 | (raw[21] & 0xFF) << 8 | (raw[22] & 0xFF);
        return new JoinRequest(raw, le(raw, 1, 8), le(raw, 9, 8), (int) le(raw, 17, 2), mic);
    }

    static long le(byte[] b, int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | (b[at + i] & 0xFF);
        }
        return v;
    }

    /** 16 lower-case hex digits. */
    public static String euiHex(long eui) {
        return String.format("%016x", eui);
    }

    public String devEuiHex() {
        return euiHex(devEui);
    }

    public String appEuiHex() {
        return euiHex(appEui);
    }
}
