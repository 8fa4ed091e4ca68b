package io.sluice.destination.iotcore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.samplejson.DecodedSample;
import io.sluice.samplejson.SeriesJson;
import io.sluice.spi.destination.OutboundSample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The message payload, version 1: one JSON document per message,
 * <pre>{"v":1,"series":[{series}, {series}, ...]}</pre>
 * where each series object has the layout of a line of the Kinesis record format: {@code stream, connector, tag,
 * asset} (left out when empty), {@code type, quality, status} (left out when 0), {@code unit} (left out when
 * unknown), {@code n}, and the parallel arrays {@code seq, ts, rt} (delta-encoded: first absolute, then differences;
 * timestamps in epoch nanoseconds), {@code st} (server timestamps, OPC UA ServerTimestamp, as offsets in nanoseconds
 * from the same sample's {@code ts}; present only for series whose source has a server clock) and {@code value}. With
 * {@code payload-format: json-gzip} the document is gzip'd (starts with {@code 1f 8b}). Within a series samples are
 * in stream order; readers ignore unknown keys.
 */
public final class IotPayloadFormat {

    public static final int VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private IotPayloadFormat() {}

    /** Encodes samples {@code from..to-1} as one payload document, gzip'd when {@code gzipLevel} is 1..9 (0: plain). */
    public static byte[] encode(List<OutboundSample> samples, int from, int to, int gzipLevel) {
        return SeriesJson.encode(to - from, gzipLevel, g -> {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeArrayFieldStart("series");
            SeriesJson.writeSeries(samples, from, to, g, false);
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** Reads a payload (plain or gzip'd JSON); samples sorted by stream, then sequence number. */
    public static List<DecodedSample> decode(byte[] payload) throws IOException {
        try {
            JsonNode root = MAPPER.readTree(SeriesJson.decompress(payload));
            if (root == null || !root.path("series").isArray()) {
                throw new IOException("not a Sluice payload: no series array");
            }
            List<DecodedSample> out = new ArrayList<>();
            int i = 0;
            for (JsonNode series : root.get("series")) SeriesJson.readSeries(series, "series[" + i++ + "]", out);
            out.sort(DecodedSample.STREAM_ORDER);
            return out;
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
