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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * The message payload, version 1: one JSON document per message,
 * <pre>{"v":1,"samples":[{sample}, {sample}, ...]}</pre>
 * where each sample object has the keys of the Kinesis record format: {@code stream, seq, connector, tag, asset}
 * (left out when empty), {@code type, value, quality, status} (left out when 0), {@code ts, rt} (epoch nanoseconds)
 * and {@code unit} (left out when unknown). With {@code payload-format: json-gzip} the document is gzip'd (starts
 * with {@code 1f 8b}). Samples come in stream order; readers ignore unknown keys.
 */
public final class IotPayloadFormat {

    public static final int VERSION = 1;
    static final byte[] PREFIX = "{\"v\":1,\"samples\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final byte[] SUFFIX = "]}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One sample read back from a payload. */
    public record PayloadSample(String stream, long sequence, String connector, AssetContext asset, Sample sample) {}

    private IotPayloadFormat() {}

    static JsonGenerator newGenerator(OutputStream out) throws IOException {
        JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8);
        g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        g.setRootValueSeparator(null);
        return g;
    }

    /** Writes one sample object (no separator) and flushes it to the generator's stream. */
    static void writeSample(OutboundSample s, JsonGenerator g) throws IOException {
        Sample sample = s.sample();
        g.writeStartObject();
        g.writeStringField("stream", s.stream());
        g.writeNumberField("seq", s.sequence());
        g.writeStringField("connector", s.connector());
        g.writeStringField("tag", sample.tag());
        Map<String, String> levels = s.asset() == null ? Map.of() : s.asset().levels();
        if (!levels.isEmpty()) {
            g.writeObjectFieldStart("asset");
            for (String k : levels.size() == 1 ? levels.keySet() : new TreeMap<>(levels).keySet()) {
                g.writeStringField(k, levels.get(k));
            }
            g.writeEndObject();
        }
        writeTyped(g, sample.value());
        g.writeStringField("quality", sample.quality().name());
        if (sample.statusCode() != 0) g.writeNumberField("status", sample.statusCode());
        g.writeNumberField("ts", sample.sourceTimeNanos());
        g.writeNumberField("rt", sample.receiveTimeNanos());
        if (sample.unit() != null) g.writeStringField("unit", sample.unit());
        g.writeEndObject();
        g.flush();
    }

    private static void writeTyped(JsonGenerator g, Value value) throws IOException {
        g.writeStringField("type", value.typeName());
        g.writeFieldName("value");
        if (value instanceof Value.BoolValue b) g.writeBoolean(b.value());
        else if (value instanceof Value.IntValue i) g.writeNumber(i.value());
        else if (value instanceof Value.FloatValue f) {
            if (Double.isNaN(f.value()) || Double.isInfinite(f.value())) g.writeString(Double.toString(f.value()));
            else g.writeNumber(f.value());
        } else if (value instanceof Value.StringValue s) g.writeString(s.value());
        else if (value instanceof Value.BytesValue b) g.writeString(Base64.getEncoder().encodeToString(b.value()));
        else if (value instanceof Value.ArrayValue a) {
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

    /** Reads a payload (plain or gzip'd JSON). */
    public static List<PayloadSample> decode(byte[] payload) throws IOException {
        boolean gzip = payload.length >= 2 && (payload[0] & 0xff) == 0x1f && (payload[1] & 0xff) == 0x8b;
        JsonNode root;
        try (InputStream in = gzip ? new GZIPInputStream(new ByteArrayInputStream(payload)) : new ByteArrayInputStream(payload)) {
            root = MAPPER.readTree(in);
        }
        if (root == null || !root.path("samples").isArray()) throw new IOException("not a Sluice payload: no samples array");
        List<PayloadSample> out = new ArrayList<>();
        for (JsonNode n : root.get("samples")) {
            Map<String, String> asset = new LinkedHashMap<>();
            n.path("asset").fields().forEachRemaining(e -> asset.put(e.getKey(), e.getValue().asText()));
            Sample s = new Sample(n.get("tag").asText(), readTyped(n), Quality.valueOf(n.get("quality").asText()),
                    n.path("status").asLong(0), n.get("ts").asLong(), n.get("rt").asLong(),
                    n.hasNonNull("unit") ? n.get("unit").asText() : null);
            out.add(new PayloadSample(n.get("stream").asText(), n.get("seq").asLong(), n.get("connector").asText(),
                    new AssetContext(asset), s));
        }
        return out;
    }

    private static Value readTyped(JsonNode n) throws IOException {
        String type = n.path("type").asText();
        JsonNode v = n.get("value");
        if (v == null) throw new IOException("sample without value");
        switch (type) {
            case "boolean": return Value.of(v.asBoolean());
            case "integer": return Value.of(v.asLong());
            case "float": return Value.of(v.isTextual() ? Double.parseDouble(v.asText()) : v.asDouble());
            case "string": return Value.of(v.asText());
            case "bytes": return Value.of(Base64.getDecoder().decode(v.asText()));
            case "array": {
                List<Value> els = new ArrayList<>();
                for (JsonNode e : v) els.add(readTyped(e));
                return new Value.ArrayValue(els);
            }
            case "struct": {
                Map<String, Value> fields = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    fields.put(e.getKey(), readTyped(e.getValue()));
                }
                return new Value.StructValue(fields);
            }
            default: throw new IOException("unknown value type '" + type + "'");
        }
    }
}
