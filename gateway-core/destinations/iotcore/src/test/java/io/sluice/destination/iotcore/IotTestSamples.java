package io.sluice.destination.iotcore;

import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.Template;
import io.sluice.spi.destination.OutboundSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class IotTestSamples {

    static final AssetContext ASSET = new AssetContext(Map.of("site", "hamburg", "line", "line-1", "machine", "press-3"));

    private IotTestSamples() {}

    static IotCoreDestinationConfig config(String endpoint, String cert, String key, String ca,
                                           IotCoreDestinationConfig.PayloadFormat format, String topic) {
        return config(endpoint, cert, key, ca, format, IotPayloadFormat.Layout.AUTO, topic);
    }

    static IotCoreDestinationConfig config(String endpoint, String cert, String key, String ca,
                                           IotCoreDestinationConfig.PayloadFormat format, IotPayloadFormat.Layout layout,
                                           String topic) {
        return new IotCoreDestinationConfig("mqtt", Optional.ofNullable(endpoint), Optional.of("sluice-test-client"),
                Optional.ofNullable(cert), Optional.ofNullable(key), Optional.ofNullable(ca), Template.parse(topic), 1,
                format, layout, DataSize.ofKilobytes(128), 100, DataSize.ofKilobytes(512), 10, 10000, Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(5));
    }

    static IotCoreDestinationConfig basic() {
        return config("ssl://127.0.0.1:8883", "/c.pem", "/k.pem", null, IotCoreDestinationConfig.PayloadFormat.JSON,
                "sluice/{connector}/{stream}");
    }

    /**
     * Live data of a wide machine: {@code instants} polls of {@code tags} tags each, every poll one source time and
     * one receive time for all its tags (as a PLC poll or the simulator gives them), in stream order from
     * {@code firstSeq}.
     */
    static List<OutboundSample> wide(String stream, int tags, int instants, long firstSeq) {
        List<OutboundSample> out = new ArrayList<>(tags * instants);
        long seq = firstSeq;
        for (int t = 0; t < instants; t++) {
            long ts = 1_763_800_000_000_000_000L + t * 100_000_000L + 123_456;
            for (int i = 0; i < tags; i++) {
                Sample s = new Sample(String.format("press.%04d", i), Value.of(20 + Math.sin(seq * 0.37) * 7.123456789),
                        Quality.GOOD, 0, ts, ts + 1_500_000, "bar");
                out.add(new OutboundSample(stream, seq++, "plc", s, ASSET));
            }
        }
        return out;
    }

    static List<OutboundSample> floats(String stream, int n, int tags, long firstSeq) {
        List<OutboundSample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long seq = firstSeq + i;
            Sample s = new Sample("tag-" + (i % tags), Value.of(Math.round(Math.sin(seq / 10.0) * 1000) / 10.0),
                    Quality.GOOD, 0, 1_763_800_000_000_000_000L + seq * 1_000_000, 1_763_800_000_000_000_000L + seq * 1_000_000 + 777, "bar");
            out.add(new OutboundSample(stream, seq, "sim", s, ASSET));
        }
        return out;
    }
}
