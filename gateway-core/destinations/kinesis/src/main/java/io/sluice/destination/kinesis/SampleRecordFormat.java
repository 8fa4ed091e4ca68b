package io.sluice.destination.kinesis;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * The packed record format, version 1: many samples in one Kinesis record.
 *
 * <p>The record's data is <b>JSON Lines</b> (UTF-8, one JSON object per sample, each line ended by {@code \n}),
 * compressed with <b>gzip</b> (RFC 1952) unless the destination's {@code compression} is {@code none}. A consumer
 * tells the two apart by the first two bytes: {@code 1f 8b} is gzip, {@code {} starts plain JSON Lines.
 *
 * <pre>
 * {"stream":"telemetry","seq":4711,"connector":"line1-plc","tag":"press.force","asset":{"site":"hamburg"},
 *  "type":"float","value":812.5,"quality":"GOOD","status":0,"ts":1763800000123000000,"rt":1763800000125000000,
 *  "unit":"kN"}
 * </pre>
 *
 * <table>
 *   <tr><th>key</th><th>JSON type</th><th>meaning</th></tr>
 *   <tr><td>stream</td><td>string</td><td>Sluice stream the sample was exported from</td></tr>
 *   <tr><td>seq</td><td>integer</td><td>sequence number within the stream; (stream, seq) identifies a sample, use it to
 *       drop the rare duplicate of at-least-once delivery</td></tr>
 *   <tr><td>connector</td><td>string</td><td>connector instance that read it</td></tr>
 *   <tr><td>tag</td><td>string</td><td>tag name</td></tr>
 *   <tr><td>asset</td><td>object</td><td>asset levels (site, area, line, machine, ...); left out when empty</td></tr>
 *   <tr><td>type</td><td>string</td><td>boolean, integer, float, string, bytes, array or struct</td></tr>
 *   <tr><td>value</td><td>per type</td><td>boolean; integer; float (a number, or the string NaN, Infinity,
 *       -Infinity); string; bytes as base64; array as a JSON array and struct as a JSON object whose elements are
 *       again {"type":..,"value":..} objects</td></tr>
 *   <tr><td>quality</td><td>string</td><td>GOOD, UNCERTAIN or BAD</td></tr>
 *   <tr><td>status</td><td>integer</td><td>the source's own status code; left out when 0</td></tr>
 *   <tr><td>ts</td><td>integer</td><td>source timestamp, nanoseconds since 1970-01-01T00:00:00Z</td></tr>
 *   <tr><td>rt</td><td>integer</td><td>time the gateway received it, nanoseconds since the epoch</td></tr>
 *   <tr><td>unit</td><td>string</td><td>engineering unit; left out when unknown</td></tr>
 * </table>
 *
 * Lines of one record come in stream order. Unknown keys must be ignored by readers (later versions may add keys).
 */
public final class SampleRecordFormat {

    public static final int VERSION = 1;
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private SampleRecordFormat() {}

    /** Appends one sample as a JSON line (with its trailing newline) to {@code out}. */
    public static void writeLine(OutboundSample s, OutputStream out) throws IOException {
        try (JsonGenerator g = newGenerator(out)) {
            writeLine(s, g);
        }
    }

    /** A generator for {@link #writeLine(OutboundSample, JsonGenerator)} that leaves {@code out} open. */
    public static JsonGenerator newGenerator(OutputStream out) throws IOException {
        JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8);
        g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        g.setRootValueSeparator(null);
        return g;
    }

    /** A generator writing characters to {@code out} (left open). */
    public static JsonGenerator newGenerator(java.io.Writer out) throws IOException {
        JsonGenerator g = JSON.createGenerator(out);
        g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        g.setRootValueSeparator(null);
        return g;
    }

    /** Writes one sample as a JSON line, newline included, and flushes it to the generator's stream. */
    public static void writeLine(OutboundSample s, JsonGenerator g) throws IOException {
        Sample sample = s.sample();
        g.writeStartObject();
        g.writeStringField("stream", s.stream());
        g.writeNumberField("seq", s.sequence());
        g.writeStringField("connector", s.connector());
        g.writeStringField("tag", sample.tag());
        if (s.asset() != null && !s.asset().levels().isEmpty()) {
            g.writeObjectFieldStart("asset");
            Map<String, String> levels = s.asset().levels();
            for (String k : levels.size() == 1 ? levels.keySet() : new TreeMap<>(levels).keySet()) {
                g.writeStringField(k, levels.get(k));
            }
            g.writeEndObject();
        }
        writeTypedBody(g, sample.value());
        g.writeStringField("quality", sample.quality().name());
        if (sample.statusCode() != 0) g.writeNumberField("status", sample.statusCode());
        g.writeNumberField("ts", sample.sourceTimeNanos());
        g.writeNumberField("rt", sample.receiveTimeNanos());
        if (sample.unit() != null) g.writeStringField("unit", sample.unit());
        g.writeEndObject();
        g.writeRaw('\n');
        g.flush();
    }

    /** The JSON line of one sample, without compression (for size checks and tests). */
    public static byte[] line(OutboundSample s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try {
            writeLine(s, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeTypedBody(JsonGenerator g, Value value) throws IOException {
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
                writeTypedBody(g, e);
                g.writeEndObject();
            }
            g.writeEndArray();
        } else {
            g.writeStartObject();
            for (Map.Entry<String, Value> e : ((Value.StructValue) value).fields().entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                writeTypedBody(g, e.getValue());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
    }

    /** True when {@code data} starts with the gzip magic number. */
    public static boolean isGzip(byte[] data) {
        return data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
    }

    /**
     * Unpacks a record's data (gzip or plain JSON Lines). Throws {@link RecordFormatException} naming the line
     * when the data is not a Sluice record.
     */
    public static List<DecodedSample> decode(byte[] data) {
        List<DecodedSample> out = new ArrayList<>();
        try (InputStream in = isGzip(data) ? new GZIPInputStream(new ByteArrayInputStream(data), 65536)
                : new ByteArrayInputStream(data)) {
            byte[] all = in.readAllBytes();
            int start = 0;
            int lineNo = 0;
            for (int i = 0; i <= all.length; i++) {
                if (i == all.length || all[i] == '\n') {
                    lineNo++;
                    if (i > start && !(i - start == 1 && all[start] == '\r')) {
                        out.add(parseLine(all, start, i - start, lineNo));
                    }
                    start = i + 1;
                }
            }
        } catch (IOException e) {
            throw new RecordFormatException("record is not valid gzip: " + e.getMessage(), e);
        }
        return out;
    }

    private static DecodedSample parseLine(byte[] buf, int off, int len, int lineNo) {
        try (JsonParser p = JSON.createParser(buf, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new RecordFormatException("line " + lineNo + ": not a JSON object");
            String stream = null, connector = null, tag = null, unit = null, type = null;
            Long seq = null, ts = null, rt = null;
            long status = 0;
            Quality quality = null;
            Map<String, String> asset = Map.of();
            Value value = null;
            boolean valueSeen = false;
            JsonNodeHolder pendingValue = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "stream" -> stream = p.getValueAsString();
                    case "seq" -> seq = p.getLongValue();
                    case "connector" -> connector = p.getValueAsString();
                    case "tag" -> tag = p.getValueAsString();
                    case "asset" -> asset = readAsset(p, lineNo);
                    case "type" -> type = p.getValueAsString();
                    case "value" -> {
                        valueSeen = true;
                        if (type != null) value = readValue(p, type, lineNo);
                        else pendingValue = JsonNodeHolder.capture(p);
                    }
                    case "quality" -> quality = Quality.valueOf(p.getValueAsString());
                    case "status" -> status = p.getLongValue();
                    case "ts" -> ts = p.getLongValue();
                    case "rt" -> rt = p.getLongValue();
                    case "unit" -> unit = p.getValueAsString();
                    default -> p.skipChildren();
                }
            }
            if (pendingValue != null && type != null) {
                try (JsonParser again = JSON.createParser(pendingValue.json())) {
                    again.nextToken();
                    value = readValue(again, type, lineNo);
                }
            }
            if (stream == null || seq == null || connector == null || tag == null || type == null || !valueSeen
                    || quality == null || ts == null || rt == null) {
                throw new RecordFormatException("line " + lineNo + ": missing one of stream, seq, connector, tag, type, "
                        + "value, quality, ts, rt");
            }
            Sample sample = new Sample(tag, value, quality, status, ts, rt, unit);
            return new DecodedSample(stream, seq, connector, new AssetContext(asset), sample);
        } catch (IOException | IllegalArgumentException e) {
            if (e instanceof RecordFormatException r) throw r;
            throw new RecordFormatException("line " + lineNo + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> readAsset(JsonParser p, int lineNo) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) throw new RecordFormatException("line " + lineNo + ": asset is not an object");
        Map<String, String> levels = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            p.nextToken();
            levels.put(k, p.getValueAsString());
        }
        return levels;
    }

    private static Value readValue(JsonParser p, String type, int lineNo) throws IOException {
        JsonToken t = p.currentToken();
        switch (type) {
            case "boolean" -> {
                if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) throw bad(lineNo, type, t);
                return Value.of(p.getBooleanValue());
            }
            case "integer" -> {
                if (t != JsonToken.VALUE_NUMBER_INT) throw bad(lineNo, type, t);
                return Value.of(p.getLongValue());
            }
            case "float" -> {
                if (t == JsonToken.VALUE_STRING) return Value.of(Double.parseDouble(p.getText()));
                if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) throw bad(lineNo, type, t);
                return Value.of(p.getDoubleValue());
            }
            case "string" -> {
                if (t != JsonToken.VALUE_STRING) throw bad(lineNo, type, t);
                return Value.of(p.getText());
            }
            case "bytes" -> {
                if (t != JsonToken.VALUE_STRING) throw bad(lineNo, type, t);
                return Value.of(Base64.getDecoder().decode(p.getText()));
            }
            case "array" -> {
                if (t != JsonToken.START_ARRAY) throw bad(lineNo, type, t);
                List<Value> elements = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) elements.add(readTyped(p, lineNo));
                return new Value.ArrayValue(elements);
            }
            case "struct" -> {
                if (t != JsonToken.START_OBJECT) throw bad(lineNo, type, t);
                Map<String, Value> fields = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    fields.put(name, readTyped(p, lineNo));
                }
                return new Value.StructValue(fields);
            }
            default -> throw new RecordFormatException("line " + lineNo + ": unknown value type '" + type + "'");
        }
    }

    /** Reads a nested {"type":..,"value":..} object; the parser is on its START_OBJECT. */
    private static Value readTyped(JsonParser p, int lineNo) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) throw new RecordFormatException("line " + lineNo + ": nested value is not an object");
        String type = null;
        Value value = null;
        JsonNodeHolder pending = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            if (f.equals("type")) type = p.getText();
            else if (f.equals("value")) {
                if (type != null) value = readValue(p, type, lineNo);
                else pending = JsonNodeHolder.capture(p);
            } else p.skipChildren();
        }
        if (type == null) throw new RecordFormatException("line " + lineNo + ": nested value without type");
        if (pending != null) {
            try (JsonParser again = JSON.createParser(pending.json())) {
                again.nextToken();
                value = readValue(again, type, lineNo);
            }
        }
        if (value == null) throw new RecordFormatException("line " + lineNo + ": nested value without value");
        return value;
    }

    private static RecordFormatException bad(int lineNo, String type, JsonToken t) {
        return new RecordFormatException("line " + lineNo + ": a " + type + " value cannot be " + t);
    }

    /** A JSON value copied out of a parser, for the rare line where "value" comes before "type". */
    private record JsonNodeHolder(String json) {
        static JsonNodeHolder capture(JsonParser p) throws IOException {
            java.io.StringWriter w = new java.io.StringWriter();
            try (JsonGenerator g = JSON.createGenerator(w)) {
                g.copyCurrentStructure(p);
            }
            return new JsonNodeHolder(w.toString());
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
