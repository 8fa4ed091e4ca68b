package io.sluice.runtime.destination;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.samplejson.SeriesJson;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The one JSON form of a sample, used by the file and stdout destinations (one per line), the Greengrass local
 * pub/sub destination (packed into {@code {"samples": [...]}}) and {@code sluice streams tail}:
 * <pre>
 * {"stream":"telemetry","seq":42,"connector":"sim","tag":"line1.temp","type":"float","value":21.5,
 *  "quality":"GOOD","status":0,"source_time":"2026-11-22T05:00:00.123456789Z","server_time":"...",
 *  "receive_time":"...","unit":"°C","asset":{"site":"hamburg"}}
 * </pre>
 * Bytes are base64 strings; arrays and structures are JSON arrays and objects; NaN and infinities are strings.
 * {@code server_time} (sources with a server clock, such as OPC UA), {@code unit} and {@code asset} are left out when
 * empty.
 */
public final class SampleJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private SampleJson() {}

    public static byte[] encodeLines(List<OutboundSample> samples) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(samples.size() * 200);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setRootValueSeparator(null);
            for (OutboundSample s : samples) {
                write(g, s.stream(), s.sequence(), s.connector(), s.sample(), s.asset().levels(), s.note());
                g.flush();
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** One sample as a JSON object, without a line end. */
    public static byte[] encode(OutboundSample s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(200);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, s.stream(), s.sequence(), s.connector(), s.sample(), s.asset().levels(), s.note());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static void write(JsonGenerator g, String stream, long seq, String connector, Sample sample, Map<String, String> asset)
            throws IOException {
        write(g, stream, seq, connector, sample, asset, null);
    }

    /**
     * One sample as a JSON object; {@code note} (where a dead-lettered or rerouted sample came from and why) is
     * written as the field {@code note} when not null.
     */
    public static void write(JsonGenerator g, String stream, long seq, String connector, Sample sample, Map<String, String> asset,
                             String note) throws IOException {
        g.writeStartObject();
        if (stream != null) g.writeStringField("stream", stream);
        g.writeNumberField("seq", seq);
        if (connector != null) g.writeStringField("connector", connector);
        g.writeStringField("tag", sample.tag());
        g.writeStringField("type", sample.value().typeName());
        g.writeFieldName("value");
        writeValue(g, sample.value());
        g.writeStringField("quality", sample.quality().name());
        g.writeNumberField("status", sample.statusCode());
        g.writeStringField("source_time", sample.sourceTime().toString());
        if (sample.hasServerTime()) g.writeStringField("server_time", sample.serverTime().toString());
        g.writeStringField("receive_time", sample.receiveTime().toString());
        if (sample.unit() != null) g.writeStringField("unit", sample.unit());
        if (asset != null && !asset.isEmpty()) {
            g.writeObjectFieldStart("asset");
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(asset).entrySet()) g.writeStringField(e.getKey(), e.getValue());
            g.writeEndObject();
        }
        if (note != null) g.writeStringField("note", note);
        g.writeEndObject();
    }

    public static void writeValue(JsonGenerator g, Value v) throws IOException {
        if (SeriesJson.writeScalar(g, v)) return;
        if (v instanceof Value.ArrayValue a) {
            g.writeStartArray();
            for (Value e : a.elements()) writeValue(g, e);
            g.writeEndArray();
        } else if (v instanceof Value.StructValue s) {
            g.writeStartObject();
            for (Map.Entry<String, Value> e : s.fields().entrySet()) {
                g.writeFieldName(e.getKey());
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        }
    }
}
