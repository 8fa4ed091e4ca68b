package io.sluice.samplejson;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.spi.AssetContext;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The unified JSON object of one sample (the runtime's {@code SampleJson} form, used by the file and stdout
 * destinations, {@code sluice streams tail}, and the Kinesis {@code record-format: jsonl}):
 * <pre>
 * {"stream":"telemetry","seq":42,"connector":"sim","tag":"line1.temp","type":"float","value":21.5,
 *  "quality":"GOOD","status":0,"source_time":"2026-11-22T05:00:00.123456789Z","server_time":"...",
 *  "receive_time":"...","unit":"°C","asset":{"site":"hamburg"}}
 * </pre>
 * With {@code epochMillis} the object also carries {@code source_epoch_ms} (the source time in milliseconds since
 * the epoch, rounded down) right after {@code source_time}, for readers that index numbers rather than ISO strings.
 * Bytes are base64 strings; arrays and structures plain JSON arrays and objects; NaN and infinities strings.
 * {@code server_time}, {@code unit}, {@code asset} and {@code note} are left out when empty.
 */
public final class SampleObjectJson {

    private SampleObjectJson() {}

    /** Writes one sample as a JSON object (no line end). */
    public static void write(JsonGenerator g, String stream, long seq, String connector, Sample sample,
                             Map<String, String> asset, boolean epochMillis) throws IOException {
        write(g, stream, seq, connector, sample, asset, epochMillis, null);
    }

    /**
     * As above; {@code note} (where a dead-lettered or rerouted sample came from and why) is written as the last
     * field, {@code note}, when not null.
     */
    public static void write(JsonGenerator g, String stream, long seq, String connector, Sample sample,
                             Map<String, String> asset, boolean epochMillis, String note) throws IOException {
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
        if (epochMillis) g.writeNumberField("source_epoch_ms", epochMillis(sample.sourceTimeNanos()));
        if (sample.hasServerTime()) g.writeStringField("server_time", sample.serverTime().toString());
        g.writeStringField("receive_time", sample.receiveTime().toString());
        if (sample.unit() != null) g.writeStringField("unit", sample.unit());
        writeAsset(g, asset);
        if (note != null) g.writeStringField("note", note);
        g.writeEndObject();
    }

    /** Writes {@code "asset": {levels...}} (levels sorted by name), nothing when there are none. */
    public static void writeAsset(JsonGenerator g, Map<String, String> asset) throws IOException {
        if (asset == null || asset.isEmpty()) return;
        g.writeObjectFieldStart("asset");
        for (Map.Entry<String, String> e : new TreeMap<>(asset).entrySet()) g.writeStringField(e.getKey(), e.getValue());
        g.writeEndObject();
    }

    /** Epoch nanoseconds as epoch milliseconds, rounded down (also before 1970). */
    public static long epochMillis(long epochNanos) {
        return Math.floorDiv(epochNanos, 1_000_000L);
    }

    /** A value as plain JSON: scalars as {@link SeriesJson#writeScalar}, arrays and structs as JSON arrays and objects. */
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

    /**
     * Samples {@code from..to-1} as JSON Lines, each object ended by {@code \n} (so records concatenated by a
     * reader such as Firehose stay one object per line).
     */
    public static byte[] encodeLines(List<OutboundSample> samples, int from, int to, boolean epochMillis) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((to - from) * 220);
        try (JsonGenerator g = SeriesJson.newGenerator(out)) {
            for (int i = from; i < to; i++) {
                OutboundSample s = samples.get(i);
                AssetContext asset = s.asset() == null ? AssetContext.EMPTY : s.asset();
                write(g, s.stream(), s.sequence(), s.connector(), s.sample(), asset.levels(), epochMillis, s.note());
                g.writeRaw('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
