package io.sluice.spi.destination;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a service handed back for one delivered packet, kept by the gateway for {@code sluice streams trace}: a
 * Kinesis shard and sequence number, a SiteWise entry id, an MQTT packet id, a file name and byte offsets.
 *
 * <p>Bounded: at most {@link #MAX_FIELDS} fields, keys and values cut to {@link #MAX_CHARS} characters, so a receipt
 * stays a small JSON object (field order is kept).
 *
 * @param kind   what issued it, e.g. {@code kinesis}, {@code file}
 * @param fields its values by name, e.g. {@code shard-id}, {@code sequence-number}
 */
public record Receipt(String kind, Map<String, String> fields) {

    public static final int MAX_FIELDS = 16;
    public static final int MAX_CHARS = 256;

    public Receipt {
        kind = cut(kind == null ? "" : kind);
        Map<String, String> bounded = new LinkedHashMap<>();
        if (fields != null) {
            for (Map.Entry<String, String> e : fields.entrySet()) {
                if (bounded.size() == MAX_FIELDS) break;
                if (e.getKey() == null || e.getValue() == null) continue;
                bounded.put(cut(e.getKey()), cut(e.getValue()));
            }
        }
        fields = Collections.unmodifiableMap(bounded);
    }

    /** A receipt from alternating names and values: {@code of("kinesis", "shard-id", s, "sequence-number", n)}. */
    public static Receipt of(String kind, String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) throw new IllegalArgumentException("names and values must pair up");
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) fields.put(namesAndValues[i], namesAndValues[i + 1]);
        return new Receipt(kind, fields);
    }

    // written out: a record's generated hashCode/equals go through method handles, slow in the edge JVM's C1
    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + fields.hashCode();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Receipt r && r.kind.equals(kind) && r.fields.equals(fields);
    }

    private static String cut(String s) {
        return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS);
    }
}
