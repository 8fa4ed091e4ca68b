package io.sluice.destination.iotcore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.spi.AssetContext;
import io.sluice.spi.Sample;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The message payload, version 1: one JSON document per message,
 * <pre>{"v":1,"series":[{series}, {series}, ...]}</pre>
 * where each series object has the layout of a line of the Kinesis record format: {@code stream, connector, tag,
 * asset} (left out when empty), {@code type, quality, status} (left out when 0), {@code unit} (left out when
 * unknown), {@code n}, and the parallel arrays {@code seq, ts, rt} (delta-encoded: first absolute, then differences;
 * timestamps in epoch nanoseconds) and {@code value}. With {@code payload-format: json-gzip} the document is gzip'd
 * (starts with {@code 1f 8b}). Within a series samples are in stream order; readers ignore unknown keys.
 */
public final class IotPayloadFormat {

    public static final int VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One sample read back from a payload. */
    public record PayloadSample(String stream, long sequence, String connector, AssetContext asset, Sample sample) {}

    private IotPayloadFormat() {}

    /** Reads a payload (plain or gzip'd JSON); samples sorted by stream, then sequence number. */
    public static List<PayloadSample> decode(byte[] payload) throws IOException {
        JsonNode root;
        try (InputStream in = SeriesJson.isGzip(payload) ? new GZIPInputStream(new ByteArrayInputStream(payload))
                : new ByteArrayInputStream(payload)) {
            root = MAPPER.readTree(in);
        }
        if (root == null || !root.path("series").isArray()) throw new IOException("not a Sluice payload: no series array");
        List<PayloadSample> out = new ArrayList<>();
        int i = 0;
        for (JsonNode series : root.get("series")) {
            try {
                SeriesJson.readSeries(series, "series[" + i++ + "]", out);
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        out.sort(Comparator.comparing(PayloadSample::stream).thenComparingLong(PayloadSample::sequence));
        return out;
    }
}
