package io.sluice.destination.kinesis;

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

/** Samples and configs for the Kinesis tests. */
final class KinesisTestSamples {

    static final long T0 = 1_763_800_000_123_456_789L;

    private KinesisTestSamples() {}

    static KinesisDestinationConfig config(String stream, Optional<String> endpoint) {
        return new KinesisDestinationConfig(stream, Optional.of("us-east-1"), endpoint, Template.parse("{connector}/{tag}"),
                KinesisDestinationConfig.RecordFormat.SERIES, KinesisDestinationConfig.Compression.GZIP, 6, 1, DataSize.ofMegabytes(5), DataSize.ofMegabytes(1), 500,
                20000, Duration.ofSeconds(30));
    }

    static KinesisDestinationConfig withRecordSize(KinesisDestinationConfig c, DataSize recordSize, KinesisDestinationConfig.Compression comp) {
        return new KinesisDestinationConfig(c.streamName(), c.region(), c.endpointOverride(), c.partitionKey(), c.recordFormat(), comp,
                c.compressionLevel(), c.shardCount(), DataSize.ofMegabytes(10), recordSize, c.maxRecordsPerRequest(),
                c.windowSamples(), c.requestTimeout());
    }

    static KinesisDestinationConfig withKey(KinesisDestinationConfig c, String template) {
        return new KinesisDestinationConfig(c.streamName(), c.region(), c.endpointOverride(), Template.parse(template),
                c.recordFormat(), c.compression(), c.compressionLevel(), c.shardCount(), c.maxRequestSize(), c.maxRecordSize(),
                c.maxRecordsPerRequest(), c.windowSamples(), c.requestTimeout());
    }

    static KinesisDestinationConfig withFormat(KinesisDestinationConfig c, KinesisDestinationConfig.RecordFormat format) {
        return new KinesisDestinationConfig(c.streamName(), c.region(), c.endpointOverride(), c.partitionKey(), format,
                c.compression(), c.compressionLevel(), c.shardCount(), c.maxRequestSize(), c.maxRecordSize(),
                c.maxRecordsPerRequest(), c.windowSamples(), c.requestTimeout());
    }

    static final AssetContext ASSET = new AssetContext(Map.of("site", "hamburg", "area", "press-shop", "machine", "press-3"));

    /** {@code n} float samples over {@code tags} tags, sequence numbers from {@code firstSeq}. */
    static List<OutboundSample> floats(String stream, int n, int tags, long firstSeq) {
        List<OutboundSample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long seq = firstSeq + i;
            Sample s = new Sample("tag-" + (i % tags), Value.of(Math.sin(seq / 10.0) * 100), Quality.GOOD, 0,
                    T0 + seq * 1_000_000, T0 + seq * 1_000_000 + 5_000, "bar");
            out.add(new OutboundSample(stream, seq, "sim", s, ASSET));
        }
        return out;
    }
}
