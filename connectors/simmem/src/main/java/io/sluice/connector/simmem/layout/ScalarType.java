package io.sluice.connector.simmem.layout;

import java.util.Locale;

/** The element types a layout field can have. All multi-byte values are little-endian. */
public enum ScalarType {
    INT8(1), INT16(2), INT32(4), INT64(8),
    UINT8(1), UINT16(2), UINT32(4),
    FLOAT32(4), FLOAT64(8),
    /** One byte, zero is false. */
    BOOL(1),
    /** A fixed-length UTF-16LE string; the last dimension is its length in code units, NUL-terminated within. */
    UTF16(2),
    /** A fixed-length UTF-8 string; the last dimension is its length in bytes, NUL-terminated within. */
    UTF8(1);

    private final int bytes;

    ScalarType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element (one code unit for strings). */
    public int bytes() {
        return bytes;
    }

    public boolean isString() {
        return this == UTF16 || this == UTF8;
    }

    public boolean isInteger() {
        return switch (this) {
            case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32 -> true;
            default -> false;
        };
    }

    public boolean isNumeric() {
        return isInteger() || this == FLOAT32 || this == FLOAT64;
    }

    /** The spelling in layout files: {@code int32}, {@code float64}, {@code utf16}. */
    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ScalarType parse(String text) {
        for (ScalarType t : values()) {
            if (t.spelling().equals(text)) return t;
        }
        return null;
    }
}
