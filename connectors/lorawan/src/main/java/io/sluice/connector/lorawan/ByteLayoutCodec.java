package io.sluice.connector.lorawan;

import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Endianness;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Field;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.FieldType;
import io.sluice.spi.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * A declarative payload layout: each field has a byte offset, a type, a byte order, and an optional scale and
 * offset ({@code value = raw * scale + add}). Integer fields with scale 1 and add 0 stay integers; everything else
 * becomes a float. A payload too short for a field is a decode error (fields that fit are not emitted either, so a
 * frame is never half-decoded).
 */
public final class ByteLayoutCodec implements PayloadCodec {

    private final List<Field> fields;

    public ByteLayoutCodec(List<Field> fields) {
        this.fields = List.copyOf(fields);
    }

    @Override
    public List<DecodedField> decode(byte[] p, int fport) throws CodecException {
        List<DecodedField> out = new ArrayList<>(fields.size());
        for (Field f : fields) {
            int size = f.type().size();
            if (f.offset() + size > p.length) {
                throw new CodecException("field '" + f.name() + "' needs bytes " + f.offset() + ".." + (f.offset() + size - 1)
                        + " but the payload has " + p.length + " bytes");
            }
            out.add(new DecodedField(f.name(), value(f, p), f.unit().orElse(null)));
        }
        return out;
    }

    private static Value value(Field f, byte[] p) {
        FieldType type = f.type();
        boolean little = f.endianness() == Endianness.LITTLE;
        if (type == FieldType.BOOL) {
            return Value.of(((p[f.offset()] >> f.bit()) & 1) == 1);
        }
        if (type == FieldType.FLOAT32) {
            double v = Float.intBitsToFloat((int) read(p, f.offset(), 4, little));
            return Value.of(v * f.scale() + f.add());
        }
        if (type == FieldType.FLOAT64) {
            double v = Double.longBitsToDouble(read(p, f.offset(), 8, little));
            return Value.of(v * f.scale() + f.add());
        }
        long raw = read(p, f.offset(), type.size(), little);
        boolean signed = switch (type) {
            case INT8, INT16, INT24, INT32, INT64 -> true;
            default -> false;
        };
        if (signed && type.size() < 8) {
            int shift = 64 - type.size() * 8;
            raw = (raw << shift) >> shift;
        }
        if (f.bit() > 0) {
            raw = raw >> f.bit();
        }
        if (f.bits() > 0 && f.bits() < 64) {
            raw &= (1L << f.bits()) - 1;
        }
        if (f.scale() == 1.0 && f.add() == 0.0) {
            return Value.of(raw);
        }
        return Value.of(raw * f.scale() + f.add());
    }

    private static long read(byte[] p, int at, int size, boolean little) {
        long v = 0;
        if (little) {
            for (int k = size - 1; k >= 0; k--) {
                v = v << 8 | (p[at + k] & 0xFF);
            }
        } else {
            for (int k = 0; k < size; k++) {
                v = v << 8 | (p[at + k] & 0xFF);
            }
        }
        return v;
    }
}
