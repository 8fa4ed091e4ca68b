package io.sluice.spi;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A typed sample value. The set is closed on purpose: every store, codec and destination must be able to
 * handle every variant.
 */
public sealed interface Value {

    /** A short lowercase name of the variant, used in JSON output and error messages. */
    String typeName();

    static Value of(boolean b) { return b ? BoolValue.TRUE : BoolValue.FALSE; }

    static Value of(long l) { return new IntValue(l); }

    static Value of(double d) { return new FloatValue(d); }

    static Value of(String s) { return new StringValue(s); }

    static Value of(byte[] b) { return new BytesValue(b); }

    record BoolValue(boolean value) implements Value {
        public static final BoolValue TRUE = new BoolValue(true);
        public static final BoolValue FALSE = new BoolValue(false);
        public String typeName() { return "boolean"; }
    }

    record IntValue(long value) implements Value {
        public String typeName() { return "integer"; }
    }

    record FloatValue(double value) implements Value {
        public String typeName() { return "float"; }
    }

    record StringValue(String value) implements Value {
        public StringValue { Objects.requireNonNull(value, "value"); }
        public String typeName() { return "string"; }
    }

    /** Raw bytes. The array is not copied; treat it as immutable. */
    record BytesValue(byte[] value) implements Value {
        public BytesValue { Objects.requireNonNull(value, "value"); }
        public String typeName() { return "bytes"; }
        @Override public boolean equals(Object o) { return o instanceof BytesValue b && Arrays.equals(value, b.value); }
        @Override public int hashCode() { return Arrays.hashCode(value); }
        @Override public String toString() { return "BytesValue[" + Base64.getEncoder().encodeToString(value) + "]"; }
    }

    /** An ordered list of values (an OPC UA array, a simulator vector, a multi-dimensional array flattened per row). */
    record ArrayValue(List<Value> elements) implements Value {
        public ArrayValue { elements = List.copyOf(elements); }
        public String typeName() { return "array"; }
    }

    /** Named fields in declaration order (an OPC UA structure, a decoded sensor frame, a lap record). */
    record StructValue(Map<String, Value> fields) implements Value {
        public StructValue { fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields)); }
        public String typeName() { return "struct"; }
    }

    /** A readable rendering for CLIs and logs (bytes as hex, structures as {a=1, b=2}). */
    static String render(Value value) {
        if (value instanceof BoolValue b) return Boolean.toString(b.value());
        if (value instanceof IntValue i) return Long.toString(i.value());
        if (value instanceof FloatValue f) return Double.toString(f.value());
        if (value instanceof StringValue s) return s.value();
        if (value instanceof BytesValue b) return "0x" + java.util.HexFormat.of().formatHex(b.value());
        if (value instanceof ArrayValue a) return a.elements().stream().map(Value::render).toList().toString();
        StructValue struct = (StructValue) value;
        StringBuilder sb = new StringBuilder("{");
        struct.fields().forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=').append(render(v)));
        return sb.append('}').toString();
    }

    /** Approximate encoded size in bytes, used for batch sizing before the real encoding exists. */
    static int estimateSize(Value value) {
        if (value instanceof BoolValue) return 1;
        if (value instanceof IntValue || value instanceof FloatValue) return 8;
        if (value instanceof StringValue s) return s.value().length() + 2;
        if (value instanceof BytesValue b) return b.value().length + 2;
        if (value instanceof ArrayValue a) return a.elements().stream().mapToInt(Value::estimateSize).sum() + 2;
        StructValue struct = (StructValue) value;
        return struct.fields().entrySet().stream()
                .mapToInt(e -> e.getKey().getBytes(StandardCharsets.UTF_8).length + estimateSize(e.getValue())).sum() + 2;
    }
}
