package io.sluice.destination.kinesis;

import io.sluice.samplejson.DecodedSample;
import io.sluice.samplejson.SampleObjectJson;
import io.sluice.samplejson.SeriesFormatException;
import io.sluice.samplejson.SeriesJson;
import io.sluice.spi.destination.OutboundSample;
import java.util.List;

/**
 * The record formats. {@code record-format: jsonl} is {@link #encodeJsonl}; the default, {@code series}, is the packed
 * record format, version 1: many samples in one Kinesis record, as <b>gzip'd JSON Lines of series</b>.
 *
 * <p>The record's data is UTF-8 JSON Lines (one JSON object per line, each ended by {@code \n}), compressed with
 * gzip (RFC 1952) unless the destination's {@code compression} is {@code none}; a reader tells them apart by the
 * first two bytes ({@code 1f 8b} is gzip). Each line is a <em>series</em>: consecutive samples of one tag that share
 * stream, connector, asset, value type, quality, status code, unit and whether they have a server time; the varying
 * parts are parallel arrays:
 *
 * <pre>
 * {"stream":"telemetry","connector":"line1-plc","tag":"press.force","asset":{"machine":"press-3","site":"hamburg"},
 *  "type":"float","quality":"GOOD","unit":"kN","n":3,
 *  "seq":[4711,10,10],"ts":[1763800000123000000,1000000,1000000],"rt":[1763800000125000000,999870,1000210],
 *  "value":[812.5,812.75,813.0]}
 * {"stream":"telemetry","connector":"line1-opcua","tag":"boiler.temperature","type":"float","quality":"GOOD","n":2,
 *  "seq":[4712,1],"ts":[1763800000100000000,500000000],"st":[2000000,1500000],"rt":[1763800000104000000,500100000],
 *  "value":[81.5,81.625]}
 * </pre>
 *
 * <table>
 *   <tr><th>key</th><th>JSON type</th><th>meaning</th></tr>
 *   <tr><td>stream</td><td>string</td><td>Sluice stream the samples were exported from</td></tr>
 *   <tr><td>connector</td><td>string</td><td>connector instance that read them</td></tr>
 *   <tr><td>tag</td><td>string</td><td>tag name</td></tr>
 *   <tr><td>asset</td><td>object</td><td>asset levels (site, area, line, machine, ...); left out when empty</td></tr>
 *   <tr><td>type</td><td>string</td><td>boolean, integer, float, string, bytes, array or struct</td></tr>
 *   <tr><td>quality</td><td>string</td><td>GOOD, UNCERTAIN or BAD</td></tr>
 *   <tr><td>status</td><td>integer</td><td>the source's own status code; left out when 0</td></tr>
 *   <tr><td>unit</td><td>string</td><td>engineering unit; left out when unknown</td></tr>
 *   <tr><td>n</td><td>integer</td><td>number of samples in the series (the length of every array)</td></tr>
 *   <tr><td>seq</td><td>integer array</td><td>sequence numbers within the stream, <b>delta-encoded</b>: the first is
 *       absolute, each next one is the difference to the one before. (stream, seq) identifies a sample: use it to
 *       drop the rare duplicate of at-least-once delivery</td></tr>
 *   <tr><td>ts</td><td>integer array</td><td>source timestamps, nanoseconds since 1970-01-01T00:00:00Z, delta-encoded</td></tr>
 *   <tr><td>st</td><td>integer array</td><td>server timestamps (OPC UA ServerTimestamp) as offsets in nanoseconds
 *       from the same sample's {@code ts}; present only for series whose source has a server clock</td></tr>
 *   <tr><td>rt</td><td>integer array</td><td>gateway receive times, nanoseconds since the epoch, delta-encoded</td></tr>
 *   <tr><td>value</td><td>array</td><td>per type: booleans; integers; floats (numbers, or the strings NaN, Infinity,
 *       -Infinity); strings; bytes as base64 strings; arrays as JSON arrays and structs as JSON objects whose
 *       elements are {"type":..,"value":..} objects</td></tr>
 * </table>
 *
 * Within a series, samples are in stream order. Readers must ignore unknown keys (later versions may add keys).
 */
public final class SampleRecordFormat {

    public static final int VERSION = 1;

    private SampleRecordFormat() {}

    /** Encodes samples {@code from..to-1} as JSON Lines of series, gzip'd when {@code gzipLevel} is 1..9 (0: plain). */
    public static byte[] encode(List<OutboundSample> samples, int from, int to, int gzipLevel) {
        return SeriesJson.encode(to - from, gzipLevel, g -> SeriesJson.writeSeries(samples, from, to, g, true));
    }

    /**
     * Encodes samples {@code from..to-1} in the flat form of {@code record-format: jsonl}: plain UTF-8 JSON Lines,
     * one object per sample in the unified sample form ({@link SampleObjectJson}, as the file destination writes it)
     * with {@code source_epoch_ms}, each line ended by {@code \n} so that records concatenated by Firehose stay one
     * object per line.
     */
    public static byte[] encodeJsonl(List<OutboundSample> samples, int from, int to) {
        return SampleObjectJson.encodeLines(samples, from, to, true);
    }

    /**
     * Unpacks a record's data (gzip or plain), samples sorted by stream, then sequence number. Throws
     * {@link SeriesFormatException} naming the line when the data is not a Sluice record.
     */
    public static List<DecodedSample> decode(byte[] data) {
        return SeriesJson.decodeLines(data);
    }
}
