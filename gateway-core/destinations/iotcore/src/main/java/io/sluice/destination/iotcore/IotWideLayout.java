package io.sluice.destination.iotcore;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.samplejson.DecodedSample;
import io.sluice.samplejson.SeriesFormatException;
import io.sluice.samplejson.SeriesJson;
import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.destination.OutboundSample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The wide layout of an IoT Core payload ({@code "v":2}): one table of samples with a tag dictionary, for messages
 * that carry many tags with one or two values each (live data of wide machines), where the series layout repeats a
 * whole series header per value.
 * <pre>
 * {"v":2,
 *  "groups":[{"stream":s,"connector":c,"asset":{..},"type":t,"quality":q,"status":n,"unit":u,"tags":[name,...]},...],
 *  "n":N, "key":[..], "seq":[..], "ts":[..], "st":[..], "rt":[..], "value":[..]}
 * </pre>
 * A group holds what tags share (the keys of a series header but {@code tag}); {@code asset} is left out when empty,
 * {@code status} when 0, {@code unit} when unknown. The tag dictionary is every group's {@code tags} list, concatenated
 * in order: entry {@code i} is the i-th name counted across groups. The sample table has {@code n} rows in stream
 * order as parallel arrays: {@code key} (the row's dictionary entry), {@code seq}, {@code ts} and {@code rt}
 * delta-encoded (start at 0, add each element: a run of samples of one instant has {@code ts} deltas of 0);
 * {@code value} as in a series of the group's type; {@code st} only when some sample has a server time, each element
 * that sample's server time minus its {@code ts}, or null when it has none. A tag appears in several groups when its
 * quality, status, type or unit changed within the message. Readers ignore unknown keys.
 */
final class IotWideLayout {

    static final int VERSION = 2;

    /** What the tags of one group share. */
    private record Group(String stream, String connector, Map<String, String> asset, String type, Quality quality,
                         long status, String unit) {
        static Group of(OutboundSample s) {
            Sample x = s.sample();
            return new Group(s.stream(), s.connector(), levels(s), x.value().typeName(), x.quality(), x.statusCode(), x.unit());
        }

        private static Map<String, String> levels(OutboundSample s) {
            return s.asset() == null ? Map.of() : s.asset().levels();
        }

        // written out: a record's generated hashCode/equals go through method handles, slow in the edge JVM's C1
        @Override
        public int hashCode() {
            int h = Objects.hashCode(stream);
            h = 31 * h + Objects.hashCode(connector);
            h = 31 * h + asset.hashCode();
            h = 31 * h + Objects.hashCode(type);
            h = 31 * h + quality.hashCode();
            h = 31 * h + Long.hashCode(status);
            return 31 * h + Objects.hashCode(unit);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Group k && k.quality == quality && k.status == status && Objects.equals(k.stream, stream)
                    && Objects.equals(k.connector, connector) && Objects.equals(k.type, type)
                    && Objects.equals(k.unit, unit) && (k.asset == asset || k.asset.equals(asset));
        }

        /** Whether {@code s} belongs to this group: {@code Group.of(s).equals(this)} without making the group. */
        boolean holds(OutboundSample s) {
            Sample x = s.sample();
            return x.quality() == quality && x.statusCode() == status && Objects.equals(stream, s.stream())
                    && Objects.equals(connector, s.connector()) && Objects.equals(type, x.value().typeName())
                    && Objects.equals(unit, x.unit()) && Objects.equals(asset, levels(s));
        }
    }

    /** A group's tags in first-seen order, and where they start in the dictionary. */
    private static final class Tags {
        final Map<String, Integer> position;
        int offset;

        Tags(int expected) {
            position = new LinkedHashMap<>(Math.max(16, expected * 4 / 3 + 1));
        }
    }

    /**
     * The dictionary of samples {@code from..to-1}: their groups, each sample's group and place in it. Made once
     * per message and used both to choose the layout ({@link #distinctTags}) and to write it.
     */
    static final class Plan {
        private final List<OutboundSample> samples;
        private final int from, to;
        private final Map<Group, Tags> groups = new LinkedHashMap<>();
        private final Tags[] groupOf;
        private final int[] local;
        private boolean serverTimes;
        private int entries;

        private Plan(List<OutboundSample> samples, int from, int to) {
            this.samples = samples;
            this.from = from;
            this.to = to;
            int n = to - from;
            groupOf = new Tags[n];
            local = new int[n];
            Group lastGroup = null;
            Tags lastTags = null;
            for (int i = 0; i < n; i++) {
                OutboundSample s = samples.get(from + i);
                if (lastGroup == null || !lastGroup.holds(s)) {
                    lastGroup = Group.of(s);
                    // sized for all samples only in the first group: most messages have one; more get the default
                    int expected = groups.isEmpty() ? n : 16;
                    lastTags = groups.computeIfAbsent(lastGroup, k -> new Tags(expected));
                }
                Map<String, Integer> position = lastTags.position;
                Integer p = position.putIfAbsent(s.sample().tag(), position.size());
                groupOf[i] = lastTags;
                local[i] = p == null ? position.size() - 1 : p;
                serverTimes |= s.sample().hasServerTime();
            }
            int offset = 0;
            for (Tags t : groups.values()) {
                t.offset = offset;
                offset += t.position.size();
            }
            entries = offset;
        }

        /**
         * How many distinct tags (of a stream and connector) the samples have when that is known without counting
         * again: with one group, its dictionary entries; else -1 (a tag may be in several groups).
         */
        int distinctTags() {
            return groups.size() == 1 ? entries : -1;
        }

        /** How many samples. */
        int size() {
            return to - from;
        }
    }

    private IotWideLayout() {}

    /** The dictionary of samples {@code from..to-1}, for {@link #write(Plan, JsonGenerator)}. */
    static Plan plan(List<OutboundSample> samples, int from, int to) {
        return new Plan(samples, from, to);
    }

    /** Writes the samples of {@code plan} as one wide document. */
    static void write(Plan plan, JsonGenerator g) throws IOException {
        List<OutboundSample> samples = plan.samples;
        int from = plan.from, to = plan.to, n = to - from;
        Tags[] groupOf = plan.groupOf;
        int[] local = plan.local;
        g.writeStartObject();
        g.writeNumberField("v", VERSION);
        g.writeArrayFieldStart("groups");
        for (Map.Entry<Group, Tags> e : plan.groups.entrySet()) writeGroup(g, e.getKey(), e.getValue());
        g.writeEndArray();
        g.writeNumberField("n", n);
        g.writeArrayFieldStart("key");
        long prev = 0;
        for (int i = 0; i < n; i++) {
            long k = groupOf[i].offset + local[i];
            g.writeNumber(k - prev);
            prev = k;
        }
        g.writeEndArray();
        writeDeltas(g, "seq", samples, from, to, OutboundSample::sequence);
        writeDeltas(g, "ts", samples, from, to, s -> s.sample().sourceTimeNanos());
        if (plan.serverTimes) {
            g.writeArrayFieldStart("st");
            for (int i = from; i < to; i++) {
                Sample x = samples.get(i).sample();
                if (x.hasServerTime()) g.writeNumber(x.serverTimeNanos() - x.sourceTimeNanos());
                else g.writeNull();
            }
            g.writeEndArray();
        }
        writeDeltas(g, "rt", samples, from, to, s -> s.sample().receiveTimeNanos());
        g.writeArrayFieldStart("value");
        for (int i = from; i < to; i++) SeriesJson.writeValue(g, samples.get(i).sample().value());
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeGroup(JsonGenerator g, Group k, Tags tags) throws IOException {
        g.writeStartObject();
        g.writeStringField("stream", k.stream);
        g.writeStringField("connector", k.connector);
        if (!k.asset.isEmpty()) {
            g.writeObjectFieldStart("asset");
            for (Map.Entry<String, String> a : new TreeMap<>(k.asset).entrySet()) g.writeStringField(a.getKey(), a.getValue());
            g.writeEndObject();
        }
        g.writeStringField("type", k.type);
        g.writeStringField("quality", k.quality.name());
        if (k.status != 0) g.writeNumberField("status", k.status);
        if (k.unit != null) g.writeStringField("unit", k.unit);
        g.writeArrayFieldStart("tags");
        for (String tag : tags.position.keySet()) g.writeString(tag);
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeDeltas(JsonGenerator g, String key, List<OutboundSample> samples, int from, int to,
                                    ToLongFunction<OutboundSample> field) throws IOException {
        g.writeArrayFieldStart(key);
        long prev = 0;
        for (int i = from; i < to; i++) {
            long v = field.applyAsLong(samples.get(i));
            g.writeNumber(v - prev);
            prev = v;
        }
        g.writeEndArray();
    }

    /** One dictionary entry as read back. */
    private record Entry(String stream, String connector, AssetContext asset, String type, Quality quality,
                         long status, String unit, String tag) {}

    /** Expands a wide document into samples, appended to {@code out}. */
    static void read(JsonNode root, List<DecodedSample> out) {
        JsonNode groups = SeriesJson.array(root, "groups", "payload");
        List<Entry> dictionary = new ArrayList<>();
        Map<Map<String, String>, AssetContext> assets = new HashMap<>();
        int gi = 0;
        for (JsonNode grp : groups) {
            String where = "groups[" + gi++ + "]";
            if (!grp.isObject()) throw new SeriesFormatException(where + ": not a JSON object");
            Map<String, String> levels = new LinkedHashMap<>();
            grp.path("asset").fields().forEachRemaining(e -> levels.put(e.getKey(), e.getValue().asText()));
            AssetContext asset = assets.computeIfAbsent(levels, AssetContext::new);
            Quality quality;
            try {
                quality = Quality.valueOf(SeriesJson.text(grp, "quality", where));
            } catch (IllegalArgumentException e) {
                throw new SeriesFormatException(where + ": unknown quality '" + grp.get("quality").asText() + "'");
            }
            String stream = SeriesJson.text(grp, "stream", where), connector = SeriesJson.text(grp, "connector", where),
                    type = SeriesJson.text(grp, "type", where);
            long status = grp.path("status").asLong(0);
            String unit = grp.hasNonNull("unit") ? grp.get("unit").asText() : null;
            for (JsonNode tag : SeriesJson.array(grp, "tags", where)) {
                if (!tag.isTextual()) throw new SeriesFormatException(where + ": a tag name is not a string");
                dictionary.add(new Entry(stream, connector, asset, type, quality, status, unit, tag.asText()));
            }
        }
        JsonNode key = SeriesJson.array(root, "key", "payload");
        JsonNode seq = SeriesJson.array(root, "seq", "payload");
        JsonNode ts = SeriesJson.array(root, "ts", "payload");
        JsonNode rt = SeriesJson.array(root, "rt", "payload");
        JsonNode values = SeriesJson.array(root, "value", "payload");
        JsonNode st = root.hasNonNull("st") ? SeriesJson.array(root, "st", "payload") : null;
        int count = key.size();
        if (seq.size() != count || ts.size() != count || rt.size() != count || values.size() != count
                || (st != null && st.size() != count) || (root.has("n") && root.get("n").asInt() != count)) {
            throw new SeriesFormatException("payload: n, key, seq, ts, st, rt and value differ in length");
        }
        long k = 0, s = 0, t = 0, r = 0;
        for (int i = 0; i < count; i++) {
            k += key.get(i).asLong();
            s += seq.get(i).asLong();
            t += ts.get(i).asLong();
            r += rt.get(i).asLong();
            if (k < 0 || k >= dictionary.size()) {
                throw new SeriesFormatException("payload: row " + i + " names tag " + k + " of " + dictionary.size());
            }
            Entry e = dictionary.get((int) k);
            long server = st == null || st.get(i).isNull() ? Sample.NO_SERVER_TIME : t + st.get(i).asLong();
            out.add(new DecodedSample(e.stream, s, e.connector, e.asset, new Sample(e.tag,
                    SeriesJson.readValue(values.get(i), e.type, "row " + i), e.quality, e.status, t, server, r, e.unit)));
        }
    }
}
