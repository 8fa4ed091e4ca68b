package io.sluice.connector.opcda;

import io.sluice.spi.Quality;

/**
 * The 16-bit OPC DA quality word, decoded.
 *
 * <pre>
 *  bit  15 ........ 8 | 7 6 | 5 4 3 2 | 1 0
 *       vendor        | QQ  | SSSS    | LL
 *                       major  substatus limit
 * </pre>
 *
 * QQ: 00 BAD, 01 UNCERTAIN, 10 not used by OPC (decoded as BAD: nothing vouches for the value), 11 GOOD.
 * LL: 00 not limited, 01 low limited, 10 high limited, 11 constant. The whole word (vendor byte included) is kept
 * as the sample's status code, so nothing the server said is lost.
 */
public record OpcQuality(int word) {

    public static final int MASK_MAJOR = 0xC0;
    public static final int MASK_STATUS = 0xFC;
    public static final int MASK_LIMIT = 0x03;

    public static final int BAD = 0x00;
    public static final int UNCERTAIN = 0x40;
    public static final int NOT_USED = 0x80;
    public static final int GOOD = 0xC0;

    /** BAD: communication failure, the value the connector reports when it lost the server. */
    public static final int BAD_COMM_FAILURE = 0x18;

    public OpcQuality {
        word = word & 0xFFFF;
    }

    /** From the signed {@code short} j-Interop hands out. */
    public static OpcQuality of(short word) {
        return new OpcQuality(word & 0xFFFF);
    }

    public Quality quality() {
        return switch (word & MASK_MAJOR) {
            case GOOD -> Quality.GOOD;
            case UNCERTAIN -> Quality.UNCERTAIN;
            default -> Quality.BAD;
        };
    }

    /** The status code a sample carries: the full unsigned 16-bit word. */
    public long statusCode() {
        return word;
    }

    /** The substatus field SSSS (0..15). */
    public int substatus() {
        return (word >> 2) & 0x0F;
    }

    public Limit limit() {
        return Limit.values()[word & MASK_LIMIT];
    }

    /** The vendor-specific high byte. */
    public int vendorBits() {
        return (word >> 8) & 0xFF;
    }

    /** A readable rendering such as {@code GOOD/LOCAL_OVERRIDE/LOW_LIMITED}. */
    public String describe() {
        String major = switch (word & MASK_MAJOR) {
            case GOOD -> "GOOD";
            case UNCERTAIN -> "UNCERTAIN";
            case NOT_USED -> "NOT_USED";
            default -> "BAD";
        };
        String sub = substatusName();
        StringBuilder sb = new StringBuilder(major);
        if (sub != null) sb.append('/').append(sub);
        if (limit() != Limit.NOT_LIMITED) sb.append('/').append(limit().name());
        if (vendorBits() != 0) sb.append("/vendor=0x").append(Integer.toHexString(vendorBits()));
        return sb.toString();
    }

    private String substatusName() {
        int s = substatus();
        return switch (word & MASK_MAJOR) {
            case BAD -> switch (s) {
                case 0 -> null;
                case 1 -> "CONFIG_ERROR";
                case 2 -> "NOT_CONNECTED";
                case 3 -> "DEVICE_FAILURE";
                case 4 -> "SENSOR_FAILURE";
                case 5 -> "LAST_KNOWN_VALUE";
                case 6 -> "COMM_FAILURE";
                case 7 -> "OUT_OF_SERVICE";
                case 8 -> "WAITING_FOR_INITIAL_DATA";
                default -> "SUBSTATUS_" + s;
            };
            case UNCERTAIN -> switch (s) {
                case 0 -> null;
                case 1 -> "LAST_USABLE_VALUE";
                case 4 -> "SENSOR_NOT_ACCURATE";
                case 5 -> "EU_UNITS_EXCEEDED";
                case 6 -> "SUB_NORMAL";
                default -> "SUBSTATUS_" + s;
            };
            case GOOD -> switch (s) {
                case 0 -> null;
                case 6 -> "LOCAL_OVERRIDE";
                default -> "SUBSTATUS_" + s;
            };
            default -> s == 0 ? null : "SUBSTATUS_" + s;
        };
    }

    public enum Limit {
        NOT_LIMITED,
        LOW_LIMITED,
        HIGH_LIMITED,
        CONSTANT
    }

    @Override
    public String toString() {
        return describe() + " (0x" + String.format("%04X", word) + ")";
    }
}
