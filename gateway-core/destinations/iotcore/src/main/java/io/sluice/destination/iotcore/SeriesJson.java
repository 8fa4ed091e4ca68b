package io.sluice.destination.iotcore;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Series of samples as JSON, shared layout with the Kinesis record format: one object per series (consecutive
 * samples of one tag sharing stream, connector, asset, type, quality, status and unit) with delta-encoded
 * {@code seq}, {@code ts}, {@code rt} arrays and a {@code value} array. See {@link IotPayloadFormat}.
 */
public final class SeriesJson {

    public static final int VERSION = 1;
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

    private SeriesJson() {}

    /** What makes samples one series; hash computed once, equality checks the likeliest difference (tag) first. */
    private static final class SeriesKey {
        final String stream, connector, tag, type, unit;
        final Map<String, String> asset;
        final Quality quality;
        final long status;
        private final int hash;

        private SeriesKey(OutboundSample s) {
            Sample x = s.sample();
            stream = s.stream();
            connector = s.connector();
            tag = x.tag();
            asset = s.asset() == null ? Map.of() : s.asset().levels();
            type = x.value().typeName();
            quality = x.quality();
            status = x.statusCode();
            unit = x.unit();
            int h = tag.hashCode();
            h = 31 * h + stream.hashCode();
            h = 31 * h + connector.hashCode();
            h = 31 * h + type.hashCode();
            h = 31 * h + quality.ordinal();
            h = 31 * h + Long.hashCode(status);
            hash = h;
        }

        static SeriesKey of(OutboundSample s) {
            return new SeriesKey(s);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) return true;
            if (!(o instanceof SeriesKey k) || k.hash != hash) return false;
            return same(tag, k.tag) && quality == k.quality && status == k.status && same(type, k.type)
                    && same(stream, k.stream) && same(connector, k.connector) && same(unit, k.unit)
                    && (asset == k.asset || asset.equals(k.asset));
        }

        private static boolean same(String a, String b) {
            return a == b || (a != null && a.equals(b));
        }

        String stream() { return stream; }
        String connector() { return connector; }
        String tag() { return tag; }
        Map<String, String> asset() { return asset; }
        String type() { return type; }
        Quality quality() { return quality; }
        long status() { return status; }
        String unit() { return unit; }
    }

    /** Encodes samples {@code from..to-1} as the payload document {"v":1,"series":[...]}, gzip'd when {@code gzipLevel} is 1..9. */
    public static byte[] encode(List<OutboundSample> samples, int from, int to, int gzipLevel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, (to - from) * (gzipLevel > 0 ? 16 : 80)));
        try (OutputStream o = gzipLevel > 0 ? new LevelledGzip(out, gzipLevel) : out;
             JsonGenerator g = newGenerator(o)) {
            g.writeStartObject();
            g.writeNumberField("v", IotPayloadFormat.VERSION);
            g.writeArrayFieldStart("series");
            writeSeries(samples, from, to, g, false);
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Writes samples {@code from..to-1} grouped into series (each series keeps stream order), one object per series;
     * with {@code lines} each object is followed by a newline, else objects are comma-separated (inside an array).
     */
    public static void writeSeries(List<OutboundSample> samples, int from, int to, JsonGenerator g, boolean lines)
            throws IOException {
        Map<SeriesKey, List<OutboundSample>> series = new LinkedHashMap<>();
        SeriesKey lastKey = null;
        List<OutboundSample> last = null;
        for (int i = from; i < to; i++) {
            OutboundSample s = samples.get(i);
            SeriesKey key = SeriesKey.of(s);
            if (!key.equals(lastKey)) {
                lastKey = key;
                last = series.computeIfAbsent(key, k -> new ArrayList<>());
            }
            last.add(s);
        }
        for (Map.Entry<SeriesKey, List<OutboundSample>> e : series.entrySet()) {
            writeOneSeries(e.getKey(), e.getValue(), g);
            if (lines) g.writeRaw('\n');
        }
    }

    private static void writeOneSeries(SeriesKey k, List<OutboundSample> list, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("stream", k.stream());
        g.writeStringField("connector", k.connector());
        g.writeStringField("tag", k.tag());
        if (!k.asset().isEmpty()) {
            g.writeObjectFieldStart("asset");
            for (Map.Entry<String, String> a : new TreeMap<>(k.asset()).entrySet()) g.writeStringField(a.getKey(), a.getValue());
            g.writeEndObject();
        }
        g.writeStringField("type", k.type());
        g.writeStringField("quality", k.quality().name());
        if (k.status() != 0) g.writeNumberField("status", k.status());
        if (k.unit() != null) g.writeStringField("unit", k.unit());
        g.writeNumberField("n", list.size());
        g.writeArrayFieldStart("seq");
        long prev = 0;
        for (int i = 0; i < list.size(); i++) {
            long v = list.get(i).sequence();
            g.writeNumber(i == 0 ? v : v - prev);
            prev = v;
        }
        g.writeEndArray();
        g.writeArrayFieldStart("ts");
        for (int i = 0; i < list.size(); i++) {
            long v = list.get(i).sample().sourceTimeNanos();
            g.writeNumber(i == 0 ? v : v - prev);
            prev = v;
        }
        g.writeEndArray();
        g.writeArrayFieldStart("rt");
        for (int i = 0; i < list.size(); i++) {
            long v = list.get(i).sample().receiveTimeNanos();
            g.writeNumber(i == 0 ? v : v - prev);
            prev = v;
        }
        g.writeEndArray();
        g.writeArrayFieldStart("value");
        for (OutboundSample s : list) writeValue(g, s.sample().value());
        g.writeEndArray();
        g.writeEndObject();
    }

    /** A generator on {@code out} that leaves it open and writes no separators of its own. */
    public static JsonGenerator newGenerator(OutputStream out) throws IOException {
        JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8);
        g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        g.setRootValueSeparator(null);
        return g;
    }

    /** A generator writing characters to {@code out} (left open). */
    public static JsonGenerator newGenerator(Writer out) throws IOException {
        JsonGenerator g = JSON.createGenerator(out);
        g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        g.setRootValueSeparator(null);
        return g;
    }

    /**
     * Writes one decoded sample as a flat JSON line (the expanded view {@code sluice kinesis decode} prints):
     * {@code stream, seq, connector, tag, asset, type, value, quality, status, ts, rt, unit}.
     */
    public static void writeFlat(IotPayloadFormat.PayloadSample d, JsonGenerator g) throws IOException {
        Sample s = d.sample();
        g.writeStartObject();
        g.writeStringField("stream", d.stream());
        g.writeNumberField("seq", d.sequence());
        g.writeStringField("connector", d.connector());
        g.writeStringField("tag", s.tag());
        if (!d.asset().levels().isEmpty()) {
            g.writeObjectFieldStart("asset");
            for (Map.Entry<String, String> a : new TreeMap<>(d.asset().levels()).entrySet()) g.writeStringField(a.getKey(), a.getValue());
            g.writeEndObject();
        }
        writeTyped(g, s.value());
        g.writeStringField("quality", s.quality().name());
        if (s.statusCode() != 0) g.writeNumberField("status", s.statusCode());
        g.writeNumberField("ts", s.sourceTimeNanos());
        g.writeNumberField("rt", s.receiveTimeNanos());
        if (s.unit() != null) g.writeStringField("unit", s.unit());
        g.writeEndObject();
        g.writeRaw('\n');
    }

    private static void writeTyped(JsonGenerator g, Value value) throws IOException {
        g.writeStringField("type", value.typeName());
        g.writeFieldName("value");
        writeValue(g, value);
    }

    private static void writeValue(JsonGenerator g, Value value) throws IOException {
        if (value instanceof Value.BoolValue b) {
            g.writeBoolean(b.value());
        } else if (value instanceof Value.IntValue i) {
            g.writeNumber(i.value());
        } else if (value instanceof Value.FloatValue f) {
            double d = f.value();
            if (Double.isNaN(d) || Double.isInfinite(d)) g.writeString(Double.toString(d));
            else g.writeNumber(d);
        } else if (value instanceof Value.StringValue s) {
            g.writeString(s.value());
        } else if (value instanceof Value.BytesValue b) {
            g.writeString(Base64.getEncoder().encodeToString(b.value()));
        } else if (value instanceof Value.ArrayValue a) {
            g.writeStartArray();
            for (Value e : a.elements()) {
                g.writeStartObject();
                writeTyped(g, e);
                g.writeEndObject();
            }
            g.writeEndArray();
        } else {
            g.writeStartObject();
            for (Map.Entry<String, Value> e : ((Value.StructValue) value).fields().entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                writeTyped(g, e.getValue());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
    }

    /** True when {@code data} starts with the gzip magic number. */
    public static boolean isGzip(byte[] data) {
        return data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
    }

    /** Expands one series object into samples (also used for the IoT payload, where series sit in an array). */
    public static void readSeries(JsonNode n, String where, List<IotPayloadFormat.PayloadSample> out) {
        try {
            if (n == null || !n.isObject()) throw new RecordFormatException(where + ": not a JSON object");
            String stream = text(n, "stream", where);
            String connector = text(n, "connector", where);
            String tag = text(n, "tag", where);
            String type = text(n, "type", where);
            Quality quality = Quality.valueOf(text(n, "quality", where));
            long status = n.path("status").asLong(0);
            String unit = n.hasNonNull("unit") ? n.get("unit").asText() : null;
            Map<String, String> asset = new LinkedHashMap<>();
            n.path("asset").fields().forEachRemaining(e -> asset.put(e.getKey(), e.getValue().asText()));
            AssetContext context = new AssetContext(asset);
            JsonNode seq = array(n, "seq", where), ts = array(n, "ts", where), rt = array(n, "rt", where),
                    values = array(n, "value", where);
            int count = seq.size();
            if (ts.size() != count || rt.size() != count || values.size() != count
                    || (n.has("n") && n.get("n").asInt() != count)) {
                throw new RecordFormatException(where + ": seq, ts, rt and value differ in length");
            }
            long s = 0, t = 0, r = 0;
            for (int i = 0; i < count; i++) {
                s = i == 0 ? seq.get(i).asLong() : s + seq.get(i).asLong();
                t = i == 0 ? ts.get(i).asLong() : t + ts.get(i).asLong();
                r = i == 0 ? rt.get(i).asLong() : r + rt.get(i).asLong();
                Sample sample = new Sample(tag, readValue(values.get(i), type, where), quality, status, t, r, unit);
                out.add(new IotPayloadFormat.PayloadSample(stream, s, connector, context, sample));
            }
        } catch (IllegalArgumentException e) {
            if (e instanceof RecordFormatException r) throw r;
            throw new RecordFormatException(where + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) throw new RecordFormatException(where + ": missing string '" + key + "'");
        return v.asText();
    }

    private static JsonNode array(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isArray()) throw new RecordFormatException(where + ": missing array '" + key + "'");
        return v;
    }

    private static Value readValue(JsonNode v, String type, String where) {
        switch (type) {
            case "boolean":
                if (!v.isBoolean()) throw bad(where, type, v);
                return Value.of(v.booleanValue());
            case "integer":
                if (!v.isIntegralNumber()) throw bad(where, type, v);
                return Value.of(v.longValue());
            case "float":
                if (v.isTextual()) return Value.of(Double.parseDouble(v.asText()));
                if (!v.isNumber()) throw bad(where, type, v);
                return Value.of(v.doubleValue());
            case "string":
                if (!v.isTextual()) throw bad(where, type, v);
                return Value.of(v.asText());
            case "bytes":
                if (!v.isTextual()) throw bad(where, type, v);
                return Value.of(Base64.getDecoder().decode(v.asText()));
            case "array": {
                if (!v.isArray()) throw bad(where, type, v);
                List<Value> elements = new ArrayList<>();
                for (JsonNode e : v) elements.add(readTyped(e, where));
                return new Value.ArrayValue(elements);
            }
            case "struct": {
                if (!v.isObject()) throw bad(where, type, v);
                Map<String, Value> fields = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    fields.put(e.getKey(), readTyped(e.getValue(), where));
                }
                return new Value.StructValue(fields);
            }
            default:
                throw new RecordFormatException(where + ": unknown value type '" + type + "'");
        }
    }

    private static Value readTyped(JsonNode e, String where) {
        if (!e.isObject() || !e.path("type").isTextual() || !e.has("value")) {
            throw new RecordFormatException(where + ": nested value is not a {\"type\":..,\"value\":..} object");
        }
        return readValue(e.get("value"), e.get("type").asText(), where);
    }

    private static RecordFormatException bad(String where, String type, JsonNode v) {
        return new RecordFormatException(where + ": a " + type + " value cannot be " + v.getNodeType().name().toLowerCase());
    }

    /** The flat JSON line of one sample (tests, CLI). */
    public static byte[] flatLine(OutboundSample s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(200);
        try (JsonGenerator g = newGenerator(out)) {
            writeFlat(new IotPayloadFormat.PayloadSample(s.stream(), s.sequence(), s.connector(),
                    Objects.requireNonNullElse(s.asset(), AssetContext.EMPTY), s.sample()), g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static final class LevelledGzip extends GZIPOutputStream {
        LevelledGzip(OutputStream out, int level) throws IOException {
            super(out, 16384);
            def.setLevel(level);
        }
    }

    /** Data that is not a record in this format. */
    public static final class RecordFormatException extends IllegalArgumentException {
        public RecordFormatException(String message) {
            super(message);
        }

        public RecordFormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
