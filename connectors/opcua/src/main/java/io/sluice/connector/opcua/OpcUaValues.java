package io.sluice.connector.opcua;

import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.eclipse.milo.opcua.sdk.core.types.DynamicEnumType;
import org.eclipse.milo.opcua.sdk.core.types.DynamicStructType;
import org.eclipse.milo.opcua.sdk.core.types.DynamicUnionType;
import org.eclipse.milo.opcua.stack.core.NamespaceTable;
import org.eclipse.milo.opcua.stack.core.encoding.EncodingContext;
import org.eclipse.milo.opcua.stack.core.types.UaEnumeratedType;
import org.eclipse.milo.opcua.stack.core.types.UaStructuredType;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.DiagnosticInfo;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExpandedNodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExtensionObject;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.Matrix;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.builtin.XmlElement;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UByte;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.ULong;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UShort;

/**
 * Maps OPC UA values to Sluice {@link Value}s (see the table in README.md):
 * Boolean → boolean; SByte..Int64, Byte..UInt32, UInt64 ≤ 2^63-1, StatusCode, enumerations → integer; UInt64 above
 * that → string (decimal); Float/Double → float; String, XmlElement, Guid, LocalizedText (text), QualifiedName (name),
 * NodeId/ExpandedNodeId ({@code nsu=} form), DateTime (ISO-8601) → string; ByteString → bytes; arrays → array
 * (matrices as nested arrays, row by row); structures (ExtensionObjects decoded with the server's data type
 * definitions) → struct; an ExtensionObject that cannot be decoded → bytes of its binary body.
 */
final class OpcUaValues {

    /** A value absent from a BAD (or empty) DataValue: an empty string, so the status still reaches the store. */
    static final Value NO_VALUE = Value.of("");

    private final NamespaceTable namespaces;
    private final EncodingContext encoding;
    private long decodeFailures;

    OpcUaValues(NamespaceTable namespaces, EncodingContext encoding) {
        this.namespaces = namespaces;
        this.encoding = encoding;
    }

    long decodeFailures() {
        return decodeFailures;
    }

    static Quality quality(StatusCode status) {
        if (status == null) return Quality.GOOD;
        if (status.isGood()) return Quality.GOOD;
        if (status.isUncertain()) return Quality.UNCERTAIN;
        return Quality.BAD;
    }

    /**
     * One sample from a DataValue. The server time is kept as sent (absent stays absent); the source time falls back
     * to the server time, then to the receive time, because every sample needs a time it was valid at.
     */
    Sample sample(String tag, DataValue dv, long receiveNanos, String unit) {
        StatusCode status = dv.statusCode() == null ? StatusCode.GOOD : dv.statusCode();
        Variant variant = dv.value();
        Object raw = variant == null ? null : variant.value();
        Value value = raw == null ? NO_VALUE : toValue(raw);
        long serverNanos = nanos(dv.serverTime());
        long sourceNanos = nanos(dv.sourceTime());
        if (sourceNanos == 0) sourceNanos = serverNanos;
        if (sourceNanos == 0) sourceNanos = receiveNanos;
        return new Sample(tag, value, quality(status), status.value() & 0xFFFF_FFFFL, sourceNanos, serverNanos,
                receiveNanos, unit);
    }

    /**
     * Ticks (100 ns since 1601-01-01) certainly within {@link DateTime#isValid()}'s range: positive and a day short of
     * its end. Times in between are checked without {@code isValid()}, which makes an {@code Instant} per call (two
     * per value); the rare ones outside still go through it.
     */
    private static final long SURELY_VALID_BELOW = DateTime.MAX_DATE_TIME.getUtcTime() - 864_000_000_000L;

    static long nanos(DateTime t) {
        if (t == null) return 0;
        long ticks = t.getUtcTime();
        if (ticks == 0) return 0; // null DateTime
        if ((ticks < 0 || ticks >= SURELY_VALID_BELOW) && !t.isValid()) return 0;
        // DateTime is 100 ns ticks since 1601-01-01
        return (ticks - 116_444_736_000_000_000L) * 100L;
    }

    Value toValue(Object o) {
        if (o == null) return NO_VALUE;
        if (o instanceof Boolean b) return Value.of(b);
        if (o instanceof Byte b) return Value.of((long) b);
        if (o instanceof Short s) return Value.of((long) s);
        if (o instanceof Integer i) return Value.of((long) i);
        if (o instanceof Long l) return Value.of(l);
        if (o instanceof UByte u) return Value.of(u.longValue());
        if (o instanceof UShort u) return Value.of(u.longValue());
        if (o instanceof UInteger u) return Value.of(u.longValue());
        if (o instanceof ULong u) {
            BigInteger big = u.toBigInteger();
            return big.bitLength() < 64 ? Value.of(big.longValue()) : Value.of(big.toString());
        }
        if (o instanceof Float f) return Value.of((double) f);
        if (o instanceof Double d) return Value.of(d);
        if (o instanceof String s) return Value.of(s);
        if (o instanceof DateTime t) return Value.of(t.isNull() ? "" : t.getJavaInstant().toString());
        if (o instanceof UUID u) return Value.of(u.toString());
        if (o instanceof ByteString b) return Value.of(b.bytesOrEmpty());
        if (o instanceof XmlElement x) return Value.of(x.getFragmentOrEmpty());
        if (o instanceof NodeId n) return Value.of(nodeIdText(n));
        if (o instanceof ExpandedNodeId n) return Value.of(expandedText(n));
        if (o instanceof StatusCode s) return Value.of(s.value() & 0xFFFF_FFFFL);
        if (o instanceof QualifiedName q) return Value.of(q.name() == null ? "" : q.name());
        if (o instanceof LocalizedText t) return Value.of(t.text() == null ? "" : t.text());
        if (o instanceof Variant v) return toValue(v.value());
        if (o instanceof DataValue dv) return toValue(dv.value() == null ? null : dv.value().value());
        if (o instanceof DiagnosticInfo d) return Value.of(d.toString());
        if (o instanceof Matrix m) return toValue(m.nestedArrayValue());
        if (o instanceof ExtensionObject xo) return extension(xo);
        if (o instanceof DynamicStructType s) return struct(s);
        if (o instanceof DynamicUnionType u) return union(u);
        if (o instanceof DynamicEnumType e) return Value.of((long) e.getValue());
        if (o instanceof UaEnumeratedType e) return Value.of((long) e.getValue());
        if (o instanceof UaStructuredType s) return reflectStruct(s);
        if (o.getClass().isArray()) {
            int n = Array.getLength(o);
            List<Value> elements = new ArrayList<>(n);
            for (int i = 0; i < n; i++) elements.add(toValue(Array.get(o, i)));
            return new Value.ArrayValue(elements);
        }
        return Value.of(o.toString());
    }

    private Value extension(ExtensionObject xo) {
        if (xo.isNull()) return NO_VALUE;
        try {
            return toValue(xo.decode(encoding));
        } catch (RuntimeException e) {
            decodeFailures++;
            Object body = xo.getBody();
            if (body instanceof ByteString b) return Value.of(b.bytesOrEmpty());
            if (body instanceof XmlElement x) return Value.of(x.getFragmentOrEmpty());
            return Value.of(String.valueOf(body));
        }
    }

    private Value struct(DynamicStructType s) {
        Map<String, Value> fields = new LinkedHashMap<>();
        s.getMembers().forEach((k, v) -> fields.put(k, toValue(v)));
        return new Value.StructValue(fields);
    }

    private Value union(DynamicUnionType u) {
        Map<String, Value> fields = new LinkedHashMap<>();
        u.getValue().ifPresent(v -> fields.put(v.fieldName(), toValue(v.fieldValue())));
        return new Value.StructValue(fields);
    }

    /** Standard structures (Range, EUInformation, ...): their declared fields, through their getters. */
    private Value reflectStruct(UaStructuredType s) {
        Map<String, Value> fields = new LinkedHashMap<>();
        for (Class<?> c = s.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            List<Map.Entry<String, Value>> level = new ArrayList<>();
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) continue;
                String getter = "get" + f.getName().substring(0, 1).toUpperCase(Locale.ROOT) + f.getName().substring(1);
                try {
                    Method m = c.getMethod(getter);
                    level.add(Map.entry(f.getName(), toValue(m.invoke(s))));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // not a public field accessor: skip it
                }
            }
            LinkedHashMap<String, Value> merged = new LinkedHashMap<>();
            level.forEach(e -> merged.put(e.getKey(), e.getValue()));
            merged.putAll(fields);
            fields = merged;
        }
        return new Value.StructValue(fields);
    }

    String nodeIdText(NodeId n) {
        if (n.getNamespaceIndex().intValue() == 0) return n.toParseableString();
        String uri = namespaces == null ? null : namespaces.get(n.getNamespaceIndex());
        if (uri == null) return n.toParseableString();
        String parseable = n.toParseableString();
        int semi = parseable.indexOf(';');
        return "nsu=" + uri + (semi >= 0 ? parseable.substring(semi) : ";" + parseable);
    }

    String expandedText(ExpandedNodeId n) {
        if (n.getNamespaceUri() != null) return n.toParseableString();
        return n.toNodeId(namespaces).map(this::nodeIdText).orElse(n.toParseableString());
    }
}
