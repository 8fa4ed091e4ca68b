package io.sluice.connector.simmem.layout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A field's type as written in a layout: a scalar ({@code float32}), a 1-D or 2-D array ({@code float32[4]},
 * {@code float32[60][3]}), or a fixed string ({@code utf16[33]}, {@code utf8[16]}, arrays of strings
 * {@code utf16[4][33]}). For strings the last dimension is the string length, not an array dimension.
 */
public record FieldType(ScalarType scalar, int[] dims) {

    private static final Pattern SYNTAX = Pattern.compile("([a-z0-9]+)((?:\\[\\d+\\])*)");
    private static final Pattern DIM = Pattern.compile("\\[(\\d+)\\]");

    public FieldType {
        dims = dims.clone();
    }

    /** Parses the layout spelling; throws IllegalArgumentException with the expected form. */
    public static FieldType parse(String text) {
        Matcher m = SYNTAX.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a type such as int32, float32[4], float32[60][3] or utf16[33], got '"
                    + text + "'");
        }
        ScalarType scalar = ScalarType.parse(m.group(1));
        if (scalar == null) {
            throw new IllegalArgumentException("unknown type '" + m.group(1) + "'; expected one of "
                    + Arrays.stream(ScalarType.values()).map(ScalarType::spelling).toList());
        }
        List<Integer> dims = new ArrayList<>();
        Matcher d = DIM.matcher(m.group(2));
        while (d.find()) {
            int n;
            try {
                n = Integer.parseInt(d.group(1));
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > 1_000_000) throw new IllegalArgumentException("dimension must be 1..1000000 in '" + text + "'");
            dims.add(n);
        }
        int arrayDims = dims.size() - (scalar.isString() ? 1 : 0);
        if (scalar.isString() && dims.isEmpty()) {
            throw new IllegalArgumentException("a string needs its length, e.g. " + scalar.spelling() + "[33]");
        }
        if (arrayDims > 2) throw new IllegalArgumentException("at most 2 array dimensions are supported, got '" + text + "'");
        return new FieldType(scalar, dims.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Array dimensions (excluding a string's length): 0 for a scalar or a single string. */
    public int arrayRank() {
        return dims.length - (scalar.isString() ? 1 : 0);
    }

    public int dim(int i) {
        return dims[i];
    }

    /** Length of one string in code units (strings only). */
    public int stringLength() {
        return dims[dims.length - 1];
    }

    /** Total bytes the field occupies. */
    public int size() {
        long n = scalar.bytes();
        for (int d : dims) n *= d;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("field too large");
        return (int) n;
    }

    /** Natural alignment of the element type. */
    public int alignment() {
        return scalar.bytes();
    }

    public boolean isScalar() {
        return dims.length == 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(scalar.spelling());
        for (int d : dims) sb.append('[').append(d).append(']');
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldType t && t.scalar == scalar && Arrays.equals(t.dims, dims);
    }

    @Override
    public int hashCode() {
        return scalar.hashCode() * 31 + Arrays.hashCode(dims);
    }
}
