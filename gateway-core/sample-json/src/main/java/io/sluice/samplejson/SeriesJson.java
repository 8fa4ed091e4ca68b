package io.sluice.samplejson;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The series format, version 1, shared by the Kinesis records and the IoT Core payloads: samples grouped into
 * <em>series</em>, one JSON object per series. A series is consecutive samples of one tag that share stream,
 * connector, asset, value type, quality, status code, unit and whether they have a server time; the parts that
 * vary are parallel arrays: {@code seq}, {@code ts} and {@code rt} delta-encoded (the first absolute, each next one
 * the difference to the one before), {@code value}, and for series with server times {@code st}, each sample's
 * server time minus its source time. The keys are described in docs/destinations.md ("Packed record format") and in the
 * class comment of the Kinesis destination's {@code SampleRecordFormat}; how series are framed (JSON Lines, or an
 * array inside a document) and compressed belongs to each destination.
 *
 * <p>Readers ignore keys they do not know. A sample that cannot be read throws {@link SeriesFormatException}
 * naming where it is.
 */
public final class SeriesJson {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

    private SeriesJson() {}

    /** What a destination writes around its series. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * The bytes {@code body} writes for {@code sampleCount} samples, gzip'd when {@code gzipLevel} is 1..9
     * (0: plain).
     */
    public static byte[] encode(int sampleCount, int gzipLevel, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, sampleCount * (gzipLevel > 0 ? 16 : 80)));
        try (OutputStream o = gzipLevel > 0 ? new LevelledGzip(out, gzipLevel) : out;
             JsonGenerator g = newGenerator(o)) {
            body.write(g);
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
            SeriesKey key = new SeriesKey(s);
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
        g.writeStringField("stream", k.stream);
        g.writeStringField("connector", k.connector);
        g.writeStringField("tag", k.tag);
        writeAsset(g, k.asset);
        g.writeStringField("type", k.type);
        g.writeStringField("quality", k.quality.name());
        if (k.status != 0) g.writeNumberField("status", k.status);
        if (k.unit != null) g.writeStringField("unit", k.unit);
        g.writeNumberField("n", list.size());
        writeDeltas(g, "seq", list, OutboundSample::sequence);
        writeDeltas(g, "ts", list, s -> s.sample().sourceTimeNanos());
        if (k.serverTime) {
            g.writeArrayFieldStart("st");
            for (OutboundSample s : list) g.writeNumber(s.sample().serverTimeNanos() - s.sample().sourceTimeNanos());
            g.writeEndArray();
        }
        writeDeltas(g, "rt", list, s -> s.sample().receiveTimeNanos());
        g.writeArrayFieldStart("value");
        for (OutboundSample s : list) writeValue(g, s.sample().value());
        g.writeEndArray();
        g.writeEndObject();
    }

    /** An array of {@code field}: the first value absolute, each next one the difference to the one before. */
    private static void writeDeltas(JsonGenerator g, String key, List<OutboundSample> list,
                                    ToLongFunction<OutboundSample> field) throws IOException {
        g.writeArrayFieldStart(key);
        long prev = 0;
        for (OutboundSample s : list) {
            long v = field.applyAsLong(s);
            g.writeNumber(v - prev);
            prev = v;
        }
        g.writeEndArray();
    }

    private static void writeAsset(JsonGenerator g, Map<String, String> levels) throws IOException {
        if (levels.isEmpty()) return;
        g.writeObjectFieldStart("asset");
        for (Map.Entry<String, String> a : new TreeMap<>(levels).entrySet()) g.writeStringField(a.getKey(), a.getValue());
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
     * {@code stream, seq, connector, tag, asset, type, value, quality, status, ts, st, rt, unit}, with {@code st} the
     * absolute server time (left out when the sample has none).
     */
    public static void writeFlat(DecodedSample d, JsonGenerator g) throws IOException {
        Sample s = d.sample();
        g.writeStartObject();
        g.writeStringField("stream", d.stream());
        g.writeNumberField("seq", d.sequence());
        g.writeStringField("connector", d.connector());
        g.writeStringField("tag", s.tag());
        writeAsset(g, d.asset().levels());
        writeTyped(g, s.value());
        g.writeStringField("quality", s.quality().name());
        if (s.statusCode() != 0) g.writeNumberField("status", s.statusCode());
        g.writeNumberField("ts", s.sourceTimeNanos());
        if (s.hasServerTime()) g.writeNumberField("st", s.serverTimeNanos());
        g.writeNumberField("rt", s.receiveTimeNanos());
        if (s.unit() != null) g.writeStringField("unit", s.unit());
        g.writeEndObject();
        g.writeRaw('\n');
    }

    /** The flat JSON line of one sample (see {@link #writeFlat}). */
    public static byte[] flatLine(OutboundSample s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(200);
        try (JsonGenerator g = newGenerator(out)) {
            writeFlat(new DecodedSample(s.stream(), s.sequence(), s.connector(),
                    Objects.requireNonNullElse(s.asset(), AssetContext.EMPTY), s.sample()), g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeTyped(JsonGenerator g, Value value) throws IOException {
        g.writeStringField("type", value.typeName());
        g.writeFieldName("value");
        writeValue(g, value);
    }

    /**
     * Writes a scalar the way every Sluice JSON form does: booleans, integers and strings as themselves, floats as
     * numbers or the strings NaN / Infinity / -Infinity, bytes as base64. Returns false (writing nothing) for arrays
     * and structures, whose form differs between the formats.
     */
    public static boolean writeScalar(JsonGenerator g, Value value) throws IOException {
        if (value instanceof Value.BoolValue b) {
            g.writeBoolean(b.value());
        } else if (value instanceof Value.IntValue i) {
            g.writeNumber(i.value());
        } else if (value instanceof Value.FloatValue f) {
            double d = f.value();
            if (Double.isFinite(d)) g.writeNumber(d);
            else g.writeString(Double.toString(d));
        } else if (value instanceof Value.StringValue s) {
            g.writeString(s.value());
        } else if (value instanceof Value.BytesValue b) {
            g.writeString(Base64.getEncoder().encodeToString(b.value()));
        } else {
            return false;
        }
        return true;
    }

    /** Writes a value of any type as the {@code value} arrays of the series format hold it. */
    public static void writeValue(JsonGenerator g, Value value) throws IOException {
        if (writeScalar(g, value)) return;
        if (value instanceof Value.ArrayValue a) {
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

    /** {@code data} gzip'd at {@code level} (1 fastest .. 9 smallest). */
    public static byte[] gzip(byte[] data, int level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, data.length / 4));
        try (OutputStream o = new LevelledGzip(out, level)) {
            o.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** True when {@code data} starts with the gzip magic number. */
    public static boolean isGzip(byte[] data) {
        return data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
    }

    /** {@code data} gunzip'd when it starts with the gzip magic number, else {@code data} itself. */
    public static byte[] decompress(byte[] data) {
        if (!isGzip(data)) return data;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data), 65536)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new SeriesFormatException("not valid gzip: " + e.getMessage(), e);
        }
    }

    /**
     * Reads JSON Lines of series (gzip'd or plain; empty lines are skipped), samples sorted by stream, then sequence
     * number. Throws {@link SeriesFormatException} naming the line when a line is not a series.
     */
    public static List<DecodedSample> decodeLines(byte[] data) {
        byte[] all = decompress(data);
        List<DecodedSample> out = new ArrayList<>();
        int start = 0;
        int lineNo = 0;
        for (int i = 0; i <= all.length; i++) {
            if (i == all.length || all[i] == '\n') {
                lineNo++;
                if (i > start && !(i - start == 1 && all[start] == '\r')) {
                    JsonNode node;
                    try {
                        node = MAPPER.readTree(all, start, i - start);
                    } catch (IOException e) {
                        throw new SeriesFormatException("line " + lineNo + ": not JSON: " + e.getMessage(), e);
                    }
                    readSeries(node, "line " + lineNo, out);
                }
                start = i + 1;
            }
        }
        out.sort(DecodedSample.STREAM_ORDER);
        return out;
    }

    /** Expands one series object into samples, appended to {@code out}; {@code where} names it in errors. */
    public static void readSeries(JsonNode n, String where, List<DecodedSample> out) {
        try {
            if (n == null || !n.isObject()) throw new SeriesFormatException(where + ": not a JSON object");
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
            JsonNode st = n.hasNonNull("st") ? array(n, "st", where) : null;
            int count = seq.size();
            if (ts.size() != count || rt.size() != count || values.size() != count
                    || (st != null && st.size() != count) || (n.has("n") && n.get("n").asInt() != count)) {
                throw new SeriesFormatException(where + ": n, seq, ts, st, rt and value differ in length");
            }
            long s = 0, t = 0, r = 0;
            for (int i = 0; i < count; i++) {
                s += seq.get(i).asLong();
                t += ts.get(i).asLong();
                r += rt.get(i).asLong();
                long server = st == null ? Sample.NO_SERVER_TIME : t + st.get(i).asLong();
                Value value = readValue(values.get(i), type, where);
                out.add(new DecodedSample(stream, s, connector, context,
                        new Sample(tag, value, quality, status, t, server, r, unit)));
            }
        } catch (IllegalArgumentException e) {
            if (e instanceof SeriesFormatException f) throw f;
            throw new SeriesFormatException(where + ": " + e.getMessage(), e);
        }
    }

    /** {@code n}'s string {@code key}; a {@link SeriesFormatException} naming {@code where} when it has none. */
    public static String text(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) throw new SeriesFormatException(where + ": missing string '" + key + "'");
        return v.asText();
    }

    /** {@code n}'s array {@code key}; a {@link SeriesFormatException} naming {@code where} when it has none. */
    public static JsonNode array(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isArray()) throw new SeriesFormatException(where + ": missing array '" + key + "'");
        return v;
    }

    /**
     * Reads one element of a {@code value} array given the series' {@code type}; throws
     * {@link SeriesFormatException} naming {@code where} when it is not such a value.
     */
    public static Value readValue(JsonNode v, String type, String where) {
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
                throw new SeriesFormatException(where + ": unknown value type '" + type + "'");
        }
    }

    private static Value readTyped(JsonNode e, String where) {
        if (!e.isObject() || !e.path("type").isTextual() || !e.has("value")) {
            throw new SeriesFormatException(where + ": nested value is not a {\"type\":..,\"value\":..} object");
        }
        return readValue(e.get("value"), e.get("type").asText(), where);
    }

    private static SeriesFormatException bad(String where, String type, JsonNode v) {
        return new SeriesFormatException(where + ": a " + type + " value cannot be " + v.getNodeType().name().toLowerCase());
    }

    /** gzip at a chosen level (1 fastest .. 9 smallest). */
    private static final class LevelledGzip extends GZIPOutputStream {
        LevelledGzip(OutputStream out, int level) throws IOException {
            super(out, 16384);
            def.setLevel(level);
        }
    }
}
