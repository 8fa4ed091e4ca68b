package io.sluice.destination.iotcore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.samplejson.DecodedSample;
import io.sluice.samplejson.ReusableGzip;
import io.sluice.samplejson.SeriesJson;
import io.sluice.spi.destination.OutboundSample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The message payload of {@code payload-format: json} and {@code json-gzip}: one JSON document per message, in one
 * of two layouts told apart by {@code "v"}:
 * <ul>
 * <li>{@code {"v":1,"series":[{series}, {series}, ...]}}, the <em>series</em> layout: each series object has the
 * layout of a line of the Kinesis record format: {@code stream, connector, tag, asset} (left out when empty),
 * {@code type, quality, status} (left out when 0), {@code unit} (left out when unknown), {@code n}, and the parallel
 * arrays {@code seq, ts, rt} (delta-encoded: first absolute, then differences; timestamps in epoch nanoseconds),
 * {@code st} (server timestamps, OPC UA ServerTimestamp, as offsets in nanoseconds from the same sample's {@code ts};
 * present only for series whose source has a server clock) and {@code value}. Within a series samples are in stream
 * order. Small for few tags with many values each (a deep backlog).</li>
 * <li>{@code {"v":2,"groups":[...],"n":..,"key":[..],"seq":[..],...}}, the <em>wide</em> layout
 * ({@link IotWideLayout}): a tag dictionary and one table of samples. Small for many tags with one or two values
 * each (live data).</li>
 * </ul>
 * With {@link Layout#AUTO} (the default) each message gets the layout that encodes it in fewer bytes (compared
 * before gzip; a message of at most 1.5 values per tag is wide without comparing, as it always is the smaller). A wide message has no {@code series} key, so a reader of version 1 only fails on it instead of
 * reading nothing; a series message is exactly what version 1 was. With {@code payload-format: json-gzip} the
 * document is gzip'd (starts with {@code 1f 8b}). Readers ignore unknown keys and refuse an unknown {@code v}.
 */
public final class IotPayloadFormat {

    /** {@code "v"} of a series message. */
    public static final int SERIES_VERSION = 1;
    /** {@code "v"} of a wide message. */
    public static final int WIDE_VERSION = IotWideLayout.VERSION;

    /** Which layout messages use. */
    public enum Layout { AUTO, SERIES, WIDE }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private IotPayloadFormat() {}

    /**
     * Encodes samples {@code from..to-1} as one payload document in {@code layout} (AUTO: whichever is smaller), gzip'd
     * when {@code gzipLevel} is 1..9 (0: plain).
     */
    public static byte[] encode(List<OutboundSample> samples, int from, int to, int gzipLevel, Layout layout) {
        return encode(samples, from, to, gzipLevel, layout, null);
    }

    /** {@link #encode(List, int, int, int, Layout)} compressing with {@code gzip} (null: a new deflater). */
    static byte[] encode(List<OutboundSample> samples, int from, int to, int gzipLevel, Layout layout, ReusableGzip gzip) {
        byte[] plain = switch (layout) {
            case SERIES -> series(samples, from, to);
            case WIDE -> wide(IotWideLayout.plan(samples, from, to));
            case AUTO -> {
                IotWideLayout.Plan plan = IotWideLayout.plan(samples, from, to);
                int tags = plan.distinctTags();
                if (tags >= 0 ? atMostOneAndAHalfValuesPerTag(to - from, tags) : mostlyOneValuePerTag(samples, from, to)) {
                    yield wide(plan);
                }
                byte[] series = series(samples, from, to);
                byte[] wide = wide(plan);
                yield wide.length < series.length ? wide : series;
            }
        };
        if (gzipLevel <= 0) return plain;
        return gzip == null ? SeriesJson.gzip(plain, gzipLevel) : gzip.gzip(plain, gzipLevel);
    }

    /**
     * Live data, one value per tag and message: the wide layout is the smaller one by far (about 40 against 65 bytes
     * per value), so it is encoded without trying the series layout too, which would double the encoding work on the
     * publisher's busiest path.
     */
    static boolean mostlyOneValuePerTag(List<OutboundSample> samples, int from, int to) {
        // distinct (stream, connector, tag), counted by tag name alone while each name has one stream and connector
        // (the usual case): no key object per sample on the publisher's hottest path
        Map<String, OutboundSample> firstOfTag = new HashMap<>(Math.max(16, (to - from) * 4 / 3 + 1));
        for (int i = from; i < to; i++) {
            OutboundSample s = samples.get(i);
            OutboundSample first = firstOfTag.putIfAbsent(s.sample().tag(), s);
            if (first != null && (!Objects.equals(first.stream(), s.stream()) || !Objects.equals(first.connector(), s.connector()))) {
                return atMostOneAndAHalfValuesPerTag(to - from, distinctTags(samples, from, to));
            }
        }
        return atMostOneAndAHalfValuesPerTag(to - from, firstOfTag.size());
    }

    private static boolean atMostOneAndAHalfValuesPerTag(int values, int tags) {
        return values * 2 <= tags * 3;
    }

    /** One tag of one connector in one stream. */
    private record TagKey(String stream, String connector, String tag) {
        // written out: a record's generated hashCode/equals go through method handles, slow in the edge JVM's C1
        @Override
        public int hashCode() {
            return (31 * Objects.hashCode(stream) + Objects.hashCode(connector)) * 31 + Objects.hashCode(tag);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TagKey k && Objects.equals(k.tag, tag) && Objects.equals(k.stream, stream)
                    && Objects.equals(k.connector, connector);
        }
    }

    private static int distinctTags(List<OutboundSample> samples, int from, int to) {
        Set<TagKey> tags = new HashSet<>();
        for (int i = from; i < to; i++) {
            OutboundSample s = samples.get(i);
            tags.add(new TagKey(s.stream(), s.connector(), s.sample().tag()));
        }
        return tags.size();
    }

    private static byte[] series(List<OutboundSample> samples, int from, int to) {
        return SeriesJson.encode(to - from, 0, g -> {
            g.writeStartObject();
            g.writeNumberField("v", SERIES_VERSION);
            g.writeArrayFieldStart("series");
            SeriesJson.writeSeries(samples, from, to, g, false);
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static byte[] wide(IotWideLayout.Plan plan) {
        return SeriesJson.encode(plan.size(), 0, g -> IotWideLayout.write(plan, g));
    }

    /** Reads a payload (plain or gzip'd JSON, either layout); samples sorted by stream, then sequence number. */
    public static List<DecodedSample> decode(byte[] payload) throws IOException {
        try {
            JsonNode root = MAPPER.readTree(SeriesJson.decompress(payload));
            if (root == null || !root.isObject() || !root.path("v").isInt()) {
                throw new IOException("not a Sluice payload: no version \"v\"");
            }
            int version = root.get("v").asInt();
            List<DecodedSample> out = new ArrayList<>();
            if (version == SERIES_VERSION) {
                if (!root.path("series").isArray()) throw new IOException("not a Sluice payload: no series array");
                int i = 0;
                for (JsonNode series : root.get("series")) SeriesJson.readSeries(series, "series[" + i++ + "]", out);
            } else if (version == WIDE_VERSION) {
                IotWideLayout.read(root, out);
            } else {
                throw new IOException("payload version " + version + " is not known to this reader (1: series, 2: wide)");
            }
            out.sort(DecodedSample.STREAM_ORDER);
            return out;
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
