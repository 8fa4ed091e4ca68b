package io.sluice.destination.sitewise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.testkit.FakeDestinationContext;
import io.sluice.testkit.PluginContract;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin contract every destination passes (gateway-core/testkit). */
class SiteWiseContractTest {

    @TempDir
    Path state;

    private static final Instant NOW = Instant.parse("2026-11-22T06:00:00Z");

    @Test
    void factoryKeepsThePluginContract() {
        PluginContract.verifyDestinationPlugin(new SiteWiseDestinationFactory(), true);
    }

    @Test
    void packingKeepsThePluginContract() {
        SiteWiseDestination destination = new SiteWiseDestination("contract",
                SiteWiseDestinationConfig.defaults(Optional.of("eu-central-1"), Optional.empty()));
        destination.start(new FakeDestinationContext("test", state).withClock(Clock.fixed(NOW, ZoneOffset.UTC)));
        try {
            SplittableRandom random = new SplittableRandom(7);
            List<OutboundSample> samples = new ArrayList<>();
            AssetContext[] assets = {
                    new AssetContext(Map.of("site", "s", "area", "a", "machine", "m1")),
                    new AssetContext(Map.of("site", "s", "area", "a", "machine", "m2")),
                    new AssetContext(Map.of("site", "s", "machine", "m3"))}; // no area: rejected
            long[] sequences = new long[2];
            for (int i = 0; i < 3000; i++) {
                int stream = random.nextInt(2);
                Value value = switch (random.nextInt(6)) {
                    case 0 -> Value.of(random.nextDouble());
                    case 1 -> Value.of((long) random.nextInt());
                    case 2 -> Value.of(random.nextBoolean());
                    case 3 -> Value.of("state-" + random.nextInt(5));
                    case 4 -> Value.of(new byte[] {1});
                    default -> Value.of(1L << 40);
                };
                long t = Sample.toNanos(NOW.minus(Duration.ofDays(random.nextInt(9))).plusMillis(i));
                samples.add(new OutboundSample(stream == 0 ? "alarms" : "history", sequences[stream]++, "plc",
                        new Sample("tag" + random.nextInt(25), value, Quality.GOOD, 0, t, t, null),
                        assets[random.nextInt(assets.length)]));
            }
            PackResult result = PluginContract.verifyPacking(destination, samples);
            int packed = result.packets().stream().mapToInt(p -> p.samples().size()).sum();
            assertEquals(samples.size(), packed + result.rejected().size());
        } finally {
            destination.close();
        }
    }
}
