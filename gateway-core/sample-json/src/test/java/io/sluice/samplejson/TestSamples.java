package io.sluice.samplejson;

import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Samples for the series format tests. */
final class TestSamples {

    static final long T0 = 1_763_800_000_123_456_789L;
    static final AssetContext ASSET = new AssetContext(Map.of("site", "hamburg", "area", "press-shop", "machine", "press-3"));

    private TestSamples() {}

    /** {@code n} float samples taking turns over {@code tags} tags, 1 ms apart, sequence numbers from {@code firstSeq}. */
    static List<OutboundSample> floats(int n, int tags, long firstSeq) {
        List<OutboundSample> out = new ArrayList<>(n);
        for (long seq = firstSeq; seq < firstSeq + n; seq++) {
            long t = T0 + seq * 1_000_000;
            out.add(new OutboundSample("telemetry", seq, "sim", new Sample("tag-" + (seq - firstSeq) % tags,
                    Value.of(seq * 0.25), Quality.GOOD, 0, t, t + 5_000, "bar"), ASSET));
        }
        return out;
    }

    /** {@code s} with a server time {@code offsetNanos} after its source time. */
    static OutboundSample withServerTime(OutboundSample s, long offsetNanos) {
        Sample x = s.sample();
        Sample withServer = new Sample(x.tag(), x.value(), x.quality(), x.statusCode(), x.sourceTimeNanos(),
                x.sourceTimeNanos() + offsetNanos, x.receiveTimeNanos(), x.unit());
        return new OutboundSample(s.stream(), s.sequence(), s.connector(), withServer, s.asset());
    }

    /** One sample of every value variant, with odd qualities, status codes and no unit. */
    static List<OutboundSample> everyVariant() {
        Map<String, Value> fields = new LinkedHashMap<>();
        fields.put("speed", Value.of(12.5));
        fields.put("name", Value.of("lap \"7\"\n"));
        fields.put("ok", Value.of(true));
        List<Value> values = List.of(Value.of(true), Value.of(-42L), Value.of(Long.MAX_VALUE), Value.of(3.25),
                Value.of(Double.NaN), Value.of(Double.NEGATIVE_INFINITY), Value.of(1.0), Value.of("grüße ✓"),
                Value.of(new byte[] {0, 1, (byte) 0xff}), new Value.ArrayValue(List.of(Value.of(1L), Value.of(2.0), Value.of("x"))),
                new Value.StructValue(fields), new Value.ArrayValue(List.of()));
        List<OutboundSample> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            Sample s = new Sample("v" + i, values.get(i), Quality.values()[i % 3], i * 0x80000000L, T0 + i, T0 + i + 1,
                    i % 2 == 0 ? null : "unit" + i);
            out.add(new OutboundSample("s", i, "conn-" + i, s, i % 4 == 0 ? AssetContext.EMPTY : ASSET));
        }
        return out;
    }

    /** What decoding {@code in} must give: the same samples, by stream, then sequence number. */
    static List<DecodedSample> decoded(List<OutboundSample> in) {
        return in.stream().map(s -> new DecodedSample(s.stream(), s.sequence(), s.connector(),
                        s.asset() == null ? AssetContext.EMPTY : s.asset(), s.sample()))
                .sorted(DecodedSample.STREAM_ORDER).toList();
    }

    /** {@code in} as JSON Lines of series, gzip'd when {@code gzipLevel} is 1..9. */
    static byte[] lines(List<OutboundSample> in, int gzipLevel) {
        return SeriesJson.encode(in.size(), gzipLevel, g -> SeriesJson.writeSeries(in, 0, in.size(), g, true));
    }
}
