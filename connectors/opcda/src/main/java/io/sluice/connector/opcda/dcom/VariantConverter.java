package io.sluice.connector.opcda.dcom;

import io.sluice.spi.Value;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.jinterop.dcom.common.JIException;
import org.jinterop.dcom.core.IJIUnsigned;
import org.jinterop.dcom.core.JIArray;
import org.jinterop.dcom.core.JICurrency;
import org.jinterop.dcom.core.JIString;
import org.jinterop.dcom.core.JIVariant;

/**
 * VARIANT (as j-Interop decodes it) to {@link Value}:
 *
 * <table>
 * <tr><th>VARTYPE</th><th>Value</th></tr>
 * <tr><td>VT_BOOL</td><td>boolean</td></tr>
 * <tr><td>VT_I1, VT_I2, VT_I4, VT_INT, VT_UI1, VT_UI2, VT_UI4, VT_UINT, VT_ERROR</td><td>integer (unsigned kept positive)</td></tr>
 * <tr><td>VT_R4, VT_R8, VT_CY</td><td>float (currency as units + fraction / 10000)</td></tr>
 * <tr><td>VT_BSTR</td><td>string</td></tr>
 * <tr><td>VT_DATE</td><td>string, ISO-8601 instant; the zone-less OLE date is read in the configured date zone</td></tr>
 * <tr><td>VT_ARRAY | VT_UI1</td><td>bytes</td></tr>
 * <tr><td>VT_ARRAY | any other</td><td>array (multi-dimensional arrays flattened row by row)</td></tr>
 * </table>
 *
 * VT_EMPTY, VT_NULL, VT_DECIMAL, VT_UNKNOWN and VT_DISPATCH have no value and throw {@link IllegalArgumentException}.
 */
public final class VariantConverter {

    private VariantConverter() {}

    public static Value toValue(JIVariant variant) {
        return toValue(variant, java.time.ZoneId.systemDefault());
    }

    /**
     * With the zone VT_DATE values are meant in. j-Interop turns the zone-less OLE date into a {@link Date} in the
     * JVM's default zone; the wall-clock time is re-read in {@code dateZone}.
     */
    public static Value toValue(JIVariant variant, java.time.ZoneId dateZone) {
        if (variant == null) throw new IllegalArgumentException("no VARIANT");
        try {
            int type = variant.getType();
            if (variant.isArray() || (type & JIVariant.VT_ARRAY) != 0) {
                return array(variant, (type & ~JIVariant.VT_ARRAY) & ~JIVariant.VT_BYREF, dateZone);
            }
            if ((type & ~JIVariant.VT_BYREF) == JIVariant.VT_ERROR) {
                return Value.of((long) variant.getObjectAsSCODE());
            }
            return scalar(type & ~JIVariant.VT_BYREF, variant.getObject(), dateZone);
        } catch (JIException e) {
            throw new IllegalArgumentException("unreadable VARIANT: " + e.getMessage(), e);
        }
    }

    private static Value array(JIVariant variant, int elementType, java.time.ZoneId dateZone) throws JIException {
        JIArray array = variant.getObjectAsArray();
        Object instance = array == null ? null : array.getArrayInstance();
        List<Object> flat = new ArrayList<>();
        flatten(instance, flat);
        if (elementType == JIVariant.VT_UI1) {
            byte[] bytes = new byte[flat.size()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) number(flat.get(i));
            }
            return Value.of(bytes);
        }
        List<Value> values = new ArrayList<>(flat.size());
        for (Object o : flat) {
            values.add(o instanceof JIVariant v ? toValue(v, dateZone) : scalar(elementType, o, dateZone));
        }
        return new Value.ArrayValue(values);
    }

    private static void flatten(Object o, List<Object> out) {
        if (o == null) return;
        if (o instanceof Object[] arr) {
            for (Object e : arr) flatten(e, out);
        } else if (o.getClass().isArray()) {
            int n = java.lang.reflect.Array.getLength(o);
            for (int i = 0; i < n; i++) out.add(java.lang.reflect.Array.get(o, i));
        } else {
            out.add(o);
        }
    }

    static Value scalar(int vt, Object o, java.time.ZoneId dateZone) throws JIException {
        if (o instanceof JIVariant nested) return toValue(nested, dateZone);
        switch (vt) {
            case JIVariant.VT_EMPTY -> throw new IllegalArgumentException("VT_EMPTY: the server sent no value");
            case JIVariant.VT_NULL -> throw new IllegalArgumentException("VT_NULL: the server sent no value");
            case JIVariant.VT_DECIMAL -> throw new IllegalArgumentException("VT_DECIMAL is not supported; request another type (item type: float64)");
            case JIVariant.VT_UNKNOWN, JIVariant.VT_DISPATCH -> throw new IllegalArgumentException("COM object values are not supported");
            default -> { }
        }
        if (o == null) throw new IllegalArgumentException("VARIANT of type " + vt + " without a value");
        if (o instanceof Boolean b) return Value.of(b);
        if (o instanceof Float f) return Value.of(f.doubleValue());
        if (o instanceof Double d) return Value.of(d);
        if (o instanceof Character c) return Value.of((long) (byte) c.charValue());
        if (o instanceof Byte b) return Value.of(vt == JIVariant.VT_UI1 ? (long) (b & 0xFF) : (long) b);
        if (o instanceof Short s) return Value.of(vt == JIVariant.VT_UI2 ? (long) (s & 0xFFFF) : (long) s);
        if (o instanceof Integer i) return Value.of(vt == JIVariant.VT_UI4 || vt == JIVariant.VT_UINT ? i & 0xFFFF_FFFFL : (long) i);
        if (o instanceof Long l) return Value.of(l);
        if (o instanceof IJIUnsigned u) return Value.of(u.getValue().longValue());
        if (o instanceof JIString s) return Value.of(s.getString() == null ? "" : s.getString());
        if (o instanceof String s) return Value.of(s);
        if (o instanceof Date d) {
            java.time.LocalDateTime wallClock = java.time.LocalDateTime.ofInstant(d.toInstant(), java.time.ZoneId.systemDefault());
            return Value.of(wallClock.atZone(dateZone).toInstant().toString());
        }
        if (o instanceof JICurrency c) return Value.of(c.getUnits() + c.getFractionalUnits() / 10_000.0);
        throw new IllegalArgumentException("unsupported VARIANT type " + vt + " (" + o.getClass().getSimpleName() + ")");
    }

    private static long number(Object o) {
        if (o instanceof IJIUnsigned u) return u.getValue().longValue();
        if (o instanceof Character c) return c;
        if (o instanceof Number n) return n.longValue();
        throw new IllegalArgumentException("not a number in a byte array: " + o);
    }
}
