package io.sluice.connector.simmem.layout;

import io.sluice.spi.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the bytes of one page snapshot into typed {@link Value}s. Thread-confined (one per reader). */
public final class PageDecoder {

    private final Layout layout;
    private final List<Field> selected;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);

    /**
     * @param fieldNames the fields to decode, in this order; empty for all fields of the layout
     * @throws IllegalArgumentException naming the first unknown field
     */
    public PageDecoder(Layout layout, List<String> fieldNames) {
        this.layout = layout;
        if (fieldNames.isEmpty()) {
            this.selected = layout.fields();
        } else {
            List<Field> list = new ArrayList<>();
            for (String n : fieldNames) {
                list.add(layout.field(n).orElseThrow(() -> new IllegalArgumentException(
                        "layout " + layout.name() + " has no field '" + n + "'")));
            }
            this.selected = List.copyOf(list);
        }
    }

    public Layout layout() {
        return layout;
    }

    public List<Field> selected() {
        return selected;
    }

    /** Decodes the selected fields, in order, from a snapshot at least {@link Layout#size()} bytes long. */
    public Map<String, Value> decode(ByteBuffer page) {
        ByteBuffer le = page.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Value> out = new LinkedHashMap<>(selected.size() * 2);
        for (Field f : selected) {
            out.put(f.name(), decode(le, f));
        }
        return out;
    }

    /** Decodes one field of a little-endian snapshot. */
    public Value decode(ByteBuffer le, Field f) {
        FieldType t = f.type();
        int rank = t.arrayRank();
        if (rank == 0) return element(le, f, f.offset());
        int elementSize = t.scalar().isString() ? t.scalar().bytes() * t.stringLength() : t.scalar().bytes();
        if (rank == 1) {
            Value[] values = new Value[t.dim(0)];
            for (int i = 0; i < values.length; i++) values[i] = element(le, f, f.offset() + i * elementSize);
            return new Value.ArrayValue(List.of(values));
        }
        int rows = t.dim(0);
        int cols = t.dim(1);
        Value[] outer = new Value[rows];
        for (int r = 0; r < rows; r++) {
            Value[] inner = new Value[cols];
            for (int c = 0; c < cols; c++) inner[c] = element(le, f, f.offset() + (r * cols + c) * elementSize);
            outer[r] = new Value.ArrayValue(List.of(inner));
        }
        return new Value.ArrayValue(List.of(outer));
    }

    private Value element(ByteBuffer b, Field f, int at) {
        ScalarType s = f.type().scalar();
        return switch (s) {
            case INT8 -> integer(f, b.get(at));
            case INT16 -> integer(f, b.getShort(at));
            case INT32 -> integer(f, b.getInt(at));
            case INT64 -> integer(f, b.getLong(at));
            case UINT8 -> integer(f, Byte.toUnsignedLong(b.get(at)));
            case UINT16 -> integer(f, Short.toUnsignedLong(b.getShort(at)));
            case UINT32 -> integer(f, Integer.toUnsignedLong(b.getInt(at)));
            case FLOAT32 -> Value.of(b.getFloat(at) * f.scale());
            case FLOAT64 -> Value.of(b.getDouble(at) * f.scale());
            case BOOL -> Value.of(b.get(at) != 0);
            case UTF16 -> Value.of(utf16(b, at, f.type().stringLength()));
            case UTF8 -> Value.of(utf8(b, at, f.type().stringLength()));
        };
    }

    private static Value integer(Field f, long raw) {
        return f.scaled() ? Value.of(raw * f.scale()) : Value.of(raw);
    }

    /** A NUL-terminated UTF-16LE string of at most {@code units} code units. */
    public static String utf16(ByteBuffer b, int at, int units) {
        char[] chars = new char[units];
        int n = 0;
        while (n < units) {
            char c = b.getChar(at + 2 * n);
            if (c == 0) break;
            chars[n++] = c;
        }
        return new String(chars, 0, n);
    }

    private String utf8(ByteBuffer b, int at, int length) {
        int n = 0;
        while (n < length && b.get(at + n) != 0) n++;
        ByteBuffer slice = b.slice(at, n);
        try {
            return utf8.reset().decode(slice).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return new String(new byte[0], StandardCharsets.UTF_8);
        }
    }

    /** Reads a single string field (UTF-16 or UTF-8) of a little-endian snapshot. */
    public static String utf16OrUtf8(ByteBuffer le, Field f) {
        if (f.type().scalar() == ScalarType.UTF16) return utf16(le, f.offset(), f.type().stringLength());
        int n = 0;
        while (n < f.type().stringLength() && le.get(f.offset() + n) != 0) n++;
        byte[] bytes = new byte[n];
        le.get(f.offset(), bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Reads a scalar integer or bool field as a long (for counters, lap and session fields). */
    public static long rawLong(ByteBuffer le, Field f) {
        int at = f.offset();
        return switch (f.type().scalar()) {
            case INT8 -> le.get(at);
            case INT16 -> le.getShort(at);
            case INT32 -> le.getInt(at);
            case INT64 -> le.getLong(at);
            case UINT8, BOOL -> Byte.toUnsignedLong(le.get(at));
            case UINT16 -> Short.toUnsignedLong(le.getShort(at));
            case UINT32 -> Integer.toUnsignedLong(le.getInt(at));
            case FLOAT32 -> (long) le.getFloat(at);
            case FLOAT64 -> (long) le.getDouble(at);
            default -> throw new IllegalArgumentException(f.name() + " is not a number");
        };
    }
}
