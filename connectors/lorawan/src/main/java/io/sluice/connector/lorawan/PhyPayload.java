package io.sluice.connector.lorawan;

import java.util.HexFormat;

/**
 * A parsed LoRaWAN 1.0.x PHYPayload. Layout of a data frame (multi-byte fields little-endian on air):
 *
 * <pre>
 * | MHDR 1 | DevAddr 4 | FCtrl 1 | FCnt 2 | FOpts 0..15 | FPort 0..1 | FRMPayload 0..N | MIC 4 |
 * </pre>
 *
 * <p>Parsing checks structure only; MIC and counter checks need the device's keys ({@link SessionCrypto}). The raw
 * bytes are kept (not copied) so the MIC can be computed over them.
 *
 * @param raw           the whole PHYPayload
 * @param mtype         the message type
 * @param devAddr       the device address as a number (wire bytes reversed)
 * @param fctrl         the FCtrl byte
 * @param fcnt16        the low 16 bits of the frame counter, as sent
 * @param foptsOffset   where FOpts start in {@code raw}
 * @param foptsLength   FOpts length (FCtrl bits 3..0)
 * @param fport         FPort, or -1 when the frame has none
 * @param payloadOffset where FRMPayload starts in {@code raw}
 * @param payloadLength FRMPayload length (encrypted)
 * @param mic           the MIC as sent, big-endian as printed (first wire byte is the most significant)
 */
public record PhyPayload(byte[] raw, MType mtype, int devAddr, int fctrl, int fcnt16, int foptsOffset,
                         int foptsLength, int fport, int payloadOffset, int payloadLength, int mic) {

    /** The shortest data frame: MHDR, DevAddr, FCtrl, FCnt and MIC. */
    public static final int MIN_DATA_LENGTH = 12;

    /** Parses a data frame (up or down). Join and proprietary frames are rejected as {@link FrameException.Reason#NOT_UPLINK}. */
    public static PhyPayload parse(byte[] raw) throws FrameException {
        if (raw.length < 1) {
            throw new FrameException(FrameException.Reason.MALFORMED, "empty PHYPayload");
        }
        int mhdr = raw[0] & 0xFF;
        if ((mhdr & 0x03) != 0) {
            throw new FrameException(FrameException.Reason.MALFORMED, "unsupported LoRaWAN major version " + (mhdr & 0x03));
        }
        MType mtype = MType.of(mhdr);
        if (!mtype.isData()) {
            throw new FrameException(FrameException.Reason.NOT_UPLINK, mtype.specName() + " frames are not handled (ABP devices only)");
        }
        if (raw.length < MIN_DATA_LENGTH) {
            throw new FrameException(FrameException.Reason.MALFORMED,
                    "data frame of " + raw.length + " bytes is shorter than the minimum of " + MIN_DATA_LENGTH);
        }
        int devAddr = (raw[1] & 0xFF) | (raw[2] & 0xFF) << 8 | (raw[3] & 0xFF) << 16 | (raw[4] & 0xFF) << 24;
        int fctrl = raw[5] & 0xFF;
        int fcnt16 = (raw[6] & 0xFF) | (raw[7] & 0xFF) << 8;
        int foptsLength = fctrl & 0x0F;
        int micOffset = raw.length - 4;
        int afterFopts = 8 + foptsLength;
        if (afterFopts > micOffset) {
            throw new FrameException(FrameException.Reason.MALFORMED,
                    "FOptsLen " + foptsLength + " runs past the end of a " + raw.length + "-byte frame");
        }
        int fport = -1;
        int payloadOffset = afterFopts;
        int payloadLength = 0;
        if (afterFopts < micOffset) {
            fport = raw[afterFopts] & 0xFF;
            payloadOffset = afterFopts + 1;
            payloadLength = micOffset - payloadOffset;
            if (fport == 0 && foptsLength > 0) {
                throw new FrameException(FrameException.Reason.MALFORMED, "FPort 0 with FOpts present");
            }
        }
        int mic = (raw[micOffset] & 0xFF) << 24 | (raw[micOffset + 1] & 0xFF) << 16
                | (raw[micOffset + 2] & 0xFF) << 8 | (raw[micOffset + 3] & 0xFF);
        return new PhyPayload(raw, mtype, devAddr, fctrl, fcnt16, 8, foptsLength, fport, payloadOffset, payloadLength, mic);
    }

    /** The part the MIC covers: everything except the MIC itself. */
    public int micInputLength() {
        return raw.length - 4;
    }

    public boolean adr() {
        return (fctrl & 0x80) != 0;
    }

    /** ADRACKReq on uplinks; RFU on downlinks. */
    public boolean adrAckReq() {
        return (fctrl & 0x40) != 0;
    }

    public boolean ack() {
        return (fctrl & 0x20) != 0;
    }

    /** ClassB on uplinks, FPending on downlinks. */
    public boolean bit4() {
        return (fctrl & 0x10) != 0;
    }

    public byte[] fopts() {
        return java.util.Arrays.copyOfRange(raw, foptsOffset, foptsOffset + foptsLength);
    }

    public byte[] encryptedPayload() {
        return java.util.Arrays.copyOfRange(raw, payloadOffset, payloadOffset + payloadLength);
    }

    /** DevAddr as usually printed (most significant byte first), e.g. {@code 49be7df1}. */
    public String devAddrHex() {
        return devAddrHex(devAddr);
    }

    public static String devAddrHex(int devAddr) {
        char[] c = new char[8];
        for (int i = 0; i < 8; i++) {
            c[i] = Character.forDigit((devAddr >>> (28 - 4 * i)) & 0xF, 16);
        }
        return new String(c);
    }

    public String micHex() {
        return String.format("%08x", mic);
    }

    @Override
    public String toString() {
        return mtype.specName() + " DevAddr=" + devAddrHex() + " FCtrl=" + String.format("%02x", fctrl)
                + " FCnt=" + fcnt16 + " FOpts=" + HexFormat.of().formatHex(fopts())
                + " FPort=" + (fport < 0 ? "-" : Integer.toString(fport)) + " FRMPayload(" + payloadLength + " B)"
                + " MIC=" + micHex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PhyPayload p && java.util.Arrays.equals(raw, p.raw);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(raw);
    }
}
