package io.sluice.destination.iotcore;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.samplejson.SampleObjectJson;
import io.sluice.samplejson.SeriesJson;
import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The rule-friendly payloads of {@code payload-format: snapshot}: plain JSON objects an IoT rule, its OpenSearch
 * action or Firehose reads without a decoder.
 *
 * <p>A <b>snapshot</b> message is every tag one source (connector and asset) read at one source timestamp:
 * <pre>
 * {"type":"snapshot","ts":"2026-11-22T05:00:00.123Z","epoch_ms":1763787600123,"connector":"acc",
 *  "asset":{"car":"ks_porsche","site":"monza"},"stream":"telemetry","speedKmh":212.5,"gear":6,"rpm":7810,
 *  "quality":{"rpm":"UNCERTAIN"}}
 * </pre>
 * {@code ts} is the source time (ISO-8601, as precise as the source gives it), {@code epoch_ms} the same in
 * milliseconds since the epoch; {@code asset} (levels by name) is left out when empty. Each tag is a field holding its
 * value: booleans, integers, strings as themselves, floats as numbers (NaN and infinities as strings), bytes as
 * base64, arrays and structs as JSON arrays and objects. {@code quality} maps the tags whose quality is not GOOD to
 * it and is left out when all are GOOD. A tag named like one of the message's own keys ({@link #RESERVED}) is written
 * as {@code "tag:<name>"}. A snapshot too large for one message is split into several with the same {@code ts}; a
 * tag seen twice at one timestamp starts a new message.
 *
 * <p>A <b>lap</b> message is one lap record (a struct sample with {@code lap} and {@code lapTimeMs} fields, as the
 * simmem connector's lap tracker emits them), flat:
 * <pre>
 * {"type":"lap","ts":"...","epoch_ms":...,"connector":"acc","stream":"laps","tag":"lap","lap":7,"lapTimeMs":108512,
 *  "valid":true,"sectorTimesMs":[35102,38110,35300],"deltaToBestMs":-140,"bestLap":7,"bestLapTimeMs":108512,
 *  "car":"ks_porsche","track":"monza"}
 * </pre>
 * Both go to the destination's topic; an IoT rule picks one kind with {@code WHERE type = 'lap'}.
 */
public final class IotSnapshotFormat {

    /** The message's own keys; a tag or lap field with one of these names is written as {@code tag:<name>}. */
    static final Set<String> RESERVED = Set.of("type", "ts", "epoch_ms", "connector", "asset", "stream", "quality", "tag");

    private IotSnapshotFormat() {}

    /** True for a lap record: a struct value with {@code lap} and {@code lapTimeMs} fields. */
    public static boolean isLap(Sample s) {
        return s.value() instanceof Value.StructValue v && v.fields().containsKey("lap") && v.fields().containsKey("lapTimeMs");
    }

    /**
     * Splits one topic lane's samples (in stream order) into messages: each lap record alone, the other samples
     * grouped by source (connector and asset) and source time, in the order each group was first seen. A group is
     * closed when a tag repeats in it. Returns the groups as lists of samples (each a message before size limits).
     */
    static List<List<OutboundSample>> group(List<OutboundSample> samples) {
        List<List<OutboundSample>> out = new ArrayList<>();
        Map<Object, List<OutboundSample>> open = new LinkedHashMap<>();
        Map<Object, Set<String>> tags = new LinkedHashMap<>();
        for (OutboundSample s : samples) {
            if (isLap(s.sample())) {
                out.add(List.of(s));
                continue;
            }
            Object key = List.of(s.connector(), levels(s), s.sample().sourceTimeNanos());
            List<OutboundSample> g = open.get(key);
            if (g == null || !tags.get(key).add(s.sample().tag())) {
                g = new ArrayList<>();
                open.put(key, g);
                Set<String> t = new HashSet<>();
                t.add(s.sample().tag());
                tags.put(key, t);
                out.add(g);
            }
            g.add(s);
        }
        return out;
    }

    private static Map<String, String> levels(OutboundSample s) {
        return s.asset() == null ? Map.of() : s.asset().levels();
    }

    /**
     * Encodes samples {@code from..to-1}, which {@link #group} put in one message: a lap message for a single lap
     * record, else a snapshot.
     */
    public static byte[] encode(List<OutboundSample> samples, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + (to - from) * 32);
        try (JsonGenerator g = SeriesJson.newGenerator(out)) {
            OutboundSample first = samples.get(from);
            boolean lap = to - from == 1 && isLap(first.sample());
            g.writeStartObject();
            g.writeStringField("type", lap ? "lap" : "snapshot");
            g.writeStringField("ts", first.sample().sourceTime().toString());
            g.writeNumberField("epoch_ms", SampleObjectJson.epochMillis(first.sample().sourceTimeNanos()));
            g.writeStringField("connector", first.connector());
            SampleObjectJson.writeAsset(g, Objects.requireNonNullElse(first.asset(), AssetContext.EMPTY).levels());
            g.writeStringField("stream", first.stream());
            if (lap) {
                Sample s = first.sample();
                g.writeStringField("tag", s.tag());
                for (Map.Entry<String, Value> f : ((Value.StructValue) s.value()).fields().entrySet()) {
                    g.writeFieldName(fieldName(f.getKey()));
                    SampleObjectJson.writeValue(g, f.getValue());
                }
                if (s.quality() != Quality.GOOD) g.writeStringField("quality", s.quality().name());
            } else {
                Map<String, String> quality = new LinkedHashMap<>();
                for (int i = from; i < to; i++) {
                    Sample s = samples.get(i).sample();
                    String name = fieldName(s.tag());
                    g.writeFieldName(name);
                    SampleObjectJson.writeValue(g, s.value());
                    if (s.quality() != Quality.GOOD) quality.put(name, s.quality().name());
                }
                if (!quality.isEmpty()) {
                    g.writeObjectFieldStart("quality");
                    for (Map.Entry<String, String> q : quality.entrySet()) g.writeStringField(q.getKey(), q.getValue());
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String fieldName(String tag) {
        return RESERVED.contains(tag) ? "tag:" + tag : tag;
    }
}
