package io.sluice.runtime.destination;

import io.sluice.spi.AssetContext;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.testkit.FakeDestinationContext;
import io.sluice.testkit.MovableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Test data for the file destination's tests, and the fake context they run it in. */
final class FileTestData {

    static final Instant START = Instant.parse("2026-12-06T10:00:00Z");

    private FileTestData() {}

    /** The testkit's destination context, named "out", on a clock standing at {@link #START}. */
    static FakeDestinationContext context(Path state) {
        return new FakeDestinationContext("out", state).withClock(new MovableClock(START));
    }

    /** Samples of stream "high" with sequences from..to-1, each with a 40-character string value. */
    static List<OutboundSample> samples(long from, long to) {
        List<OutboundSample> out = new ArrayList<>();
        for (long seq = from; seq < to; seq++) {
            Sample s = Sample.good("h." + String.format("%03d", seq % 1000), Value.of("value-" + "x".repeat(34)), 1_765_000_000_000_000_000L + seq);
            out.add(new OutboundSample("high", seq, "sim", s, AssetContext.EMPTY));
        }
        return out;
    }

    static FileDestinationConfig config(Path dir, String rotateSize, Duration rotateAge, int keepFiles) {
        return new FileDestinationConfig(dir.toString(), "samples", io.sluice.spi.config.DataSize.parse(rotateSize),
                rotateAge, keepFiles, false);
    }
}
