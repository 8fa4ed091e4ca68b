package io.sluice.connector.lorawan;

/**
 * The fields of a LoRaWAN 1.0.x JoinAccept (multi-byte fields little-endian on air):
 *
 * <pre>
 * | MHDR 1 (0x20) | AppNonce 3 | NetID 3 | DevAddr 4 | DLSettings 1 | RxDelay 1 | CFList 0 or 16 | MIC 4 |
 * DLSettings = RFU(1) | RX1DROffset(3) | RX2DataRate(4)
 * </pre>
 *
 * @param appNonce    24-bit AppNonce (JoinNonce in 1.0.4)
 * @param netId       24-bit NetID
 * @param devAddr     the allocated device address
 * @param rx1DrOffset RX1 data-rate offset (0..7)
 * @param rx2DataRate RX2 data rate index (0..15)
 * @param rxDelay     RX1 delay in seconds (0 and 1 both mean 1 s)
 * @param cfList      16 bytes, or an empty array
 */
public record JoinAccept(int appNonce, int netId, int devAddr, int rx1DrOffset, int rx2DataRate, int rxDelay, byte[] cfList) {

    public static final int MHDR = 0x20;

    /** MHDR through CFList, without the MIC (the input of {@link JoinCrypto#sealJoinAccept}). */
    public byte[] plain() {
        byte[] b = new byte[13 + cfList.length];
        b[0] = (byte) MHDR;
        put(b, 1, appNonce, 3);
        put(b, 4, netId, 3);
        put(b, 7, devAddr, 4);
        b[11] = (byte) ((rx1DrOffset & 0x07) << 4 | (rx2DataRate & 0x0F));
        b[12] = (byte) (rxDelay & 0x0F);
        System.arraycopy(cfList, 0, b, 13, cfList.length);
        return b;
    }

    /** Parses an accept in clear (as {@link JoinCrypto#openJoinAccept} returns it, MIC included). */
    public static JoinAccept parsePlain(byte[] b) {
        int cf = b.length - 17;
        byte[] cfList = new byte[Math.max(0, cf)];
        System.arraycopy(b, 13, cfList, 0, cfList.length);
        return new JoinAccept((int) JoinRequest.le(b, 1, 3), (int) JoinRequest.le(b, 4, 3), (int) JoinRequest.le(b, 7, 4),
                (b[11] >> 4) & 0x07, b[11] & 0x0F, b[12] & 0x0F, cfList);
    }

    private static void put(byte[] b, int at, int v, int n) {
        for (int i = 0; i < n; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
