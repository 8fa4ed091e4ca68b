package io.sluice.runtime.destination;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.samplejson.SampleObjectJson;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The one JSON form of a sample (written by {@link SampleObjectJson}, shared with the Kinesis {@code jsonl}
 * records), used by the file and stdout destinations (one per line), the Greengrass local pub/sub destination (packed into {@code {"samples": [...]}}) and {@code sluice streams tail}:
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
        SampleObjectJson.write(g, stream, seq, connector, sample, asset, false, note);
    }

    public static void writeValue(JsonGenerator g, Value v) throws IOException {
        SampleObjectJson.writeValue(g, v);
    }
}
