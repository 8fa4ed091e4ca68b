package io.sluice.connector.lorawan;

import io.sluice.spi.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Cayenne Low Power Payload: {@code repeat { channel(1) | type(1) | data(size of type, MSB first) }}, the type being
 * the IPSO object id minus 3200. Covers the myDevices LPPv1 table and the common extended types. Fields are named
 * the way The Things Stack names them, {@code <type>_<channel>} (e.g. {@code temperature_3}); types with several
 * values (accelerometer, gyrometer, GPS, colour) give one field per axis, e.g. {@code accelerometer_6.x}. Unknown
 * types and truncated data are decode errors.
 */
public final class CayenneLppCodec implements PayloadCodec {

    public static final CayenneLppCodec INSTANCE = new CayenneLppCodec();

    /** One LPP data type. */
    record Type(int id, String name, int size, double divisor, boolean signed, String unit, String[] axes) {}

    private static final Type[] TYPES = new Type[256];

    private static void type(int id, String name, int size, double divisor, boolean signed, String unit, String... axes) {
        TYPES[id] = new Type(id, name, size, divisor, signed, unit, axes);
    }

    static {
        type(0, "digital_in", 1, 1, false, null);
        type(1, "digital_out", 1, 1, false, null);
        type(2, "analog_in", 2, 100, true, null);
        type(3, "analog_out", 2, 100, true, null);
        type(100, "generic_sensor", 4, 1, false, null);
        type(101, "luminosity", 2, 1, false, "lx");
        type(102, "presence", 1, 1, false, null);
        type(103, "temperature", 2, 10, true, "°C");
        type(104, "relative_humidity", 1, 2, false, "%");
        type(113, "accelerometer", 6, 1000, true, "g", "x", "y", "z");
        type(115, "barometric_pressure", 2, 10, false, "hPa");
        type(116, "voltage", 2, 100, false, "V");
        type(117, "current", 2, 1000, false, "A");
        type(118, "frequency", 4, 1, false, "Hz");
        type(120, "percentage", 1, 1, false, "%");
        type(121, "altitude", 2, 1, true, "m");
        type(125, "concentration", 2, 1, false, "ppm");
        type(128, "power", 2, 1, false, "W");
        type(130, "distance", 4, 1000, false, "m");
        type(131, "energy", 4, 1000, false, "kWh");
        type(132, "direction", 2, 1, false, "°");
        type(133, "unix_time", 4, 1, false, "s");
        type(134, "gyrometer", 6, 100, true, "°/s", "x", "y", "z");
        type(135, "colour", 3, 1, false, null, "r", "g", "b");
        type(136, "gps", 9, 0, true, null, "latitude", "longitude", "altitude");
        type(142, "switch", 1, 1, false, null);
    }

    /** The LPP type with this id, or null. */
    static Type typeOf(int id) {
        return id >= 0 && id < 256 ? TYPES[id] : null;
    }

    @Override
    public List<DecodedField> decode(byte[] p, int fport) throws CodecException {
        List<DecodedField> out = new ArrayList<>();
        int i = 0;
        while (i < p.length) {
            if (i + 2 > p.length) {
                throw new CodecException("Cayenne LPP: truncated channel/type header at byte " + i);
            }
            int channel = p[i] & 0xFF;
            int typeId = p[i + 1] & 0xFF;
            Type t = TYPES[typeId];
            if (t == null) {
                throw new CodecException("Cayenne LPP: unknown type " + typeId + " on channel " + channel + " at byte " + (i + 1));
            }
            int at = i + 2;
            if (at + t.size > p.length) {
                throw new CodecException("Cayenne LPP: " + t.name + " on channel " + channel + " needs " + t.size
                        + " bytes, " + (p.length - at) + " left");
            }
            String base = t.name + "_" + channel;
            if (t.id == 136) {
                out.add(new DecodedField(base + ".latitude", Value.of(signed(p, at, 3) / 10_000.0), "°"));
                out.add(new DecodedField(base + ".longitude", Value.of(signed(p, at + 3, 3) / 10_000.0), "°"));
                out.add(new DecodedField(base + ".altitude", Value.of(signed(p, at + 6, 3) / 100.0), "m"));
            } else if (t.axes.length > 0) {
                int width = t.size / t.axes.length;
                for (int a = 0; a < t.axes.length; a++) {
                    long raw = t.signed ? signed(p, at + a * width, width) : unsigned(p, at + a * width, width);
                    Value v = t.divisor == 1 ? Value.of(raw) : Value.of(raw / t.divisor);
                    out.add(new DecodedField(base + "." + t.axes[a], v, t.unit));
                }
            } else {
                long raw = t.signed ? signed(p, at, t.size) : unsigned(p, at, t.size);
                Value v = t.divisor == 1 ? Value.of(raw) : Value.of(raw / t.divisor);
                out.add(new DecodedField(base, v, t.unit));
            }
            i = at + t.size;
        }
        return out;
    }

    static long unsigned(byte[] p, int at, int width) {
        long v = 0;
        for (int k = 0; k < width; k++) {
            v = v << 8 | (p[at + k] & 0xFF);
        }
        return v;
    }

    static long signed(byte[] p, int at, int width) {
        long v = unsigned(p, at, width);
        int bits = width * 8;
        return (v << (64 - bits)) >> (64 - bits);
    }

    @Override
    public String toString() {
        return "cayenne-lpp".toLowerCase(Locale.ROOT);
    }
}
