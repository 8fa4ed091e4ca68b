package io.sluice.destination.kinesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.Packet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How well partition key templates pack the demo's press line (docs/destinations.md quotes these figures): two
 * machines of 113 tags each (50 pressures, 50 temperatures, 10 counters, a door, a mode and an alarm), every tag a
 * sample every 100 ms, i.e. 2,260 samples a second. A window is what the publisher packs at once: in normal running
 * without {@code batch-interval} the samples of the last ~100 ms, with {@code batch-interval: 1s} or {@code 5s} those
 * of the last second or five.
 */
@Timeout(30)
class PartitionKeyPackingTest {

    private static final AssetContext PRESS_3 = new AssetContext(Map.of("site", "demo-plant", "area", "press-shop",
            "line", "line-1", "machine", "press-3"));
    private static final AssetContext PRESS_4 = new AssetContext(Map.of("site", "demo-plant", "area", "press-shop",
            "line", "line-1", "machine", "press-4"));

    /** Per connector and asset (missing levels render '_'). */
    static final String ASSET_KEY = "{connector}/{site}/{area}/{line}/{machine}";

    @Test
    void perAssetKeysPackAWholeMachineIntoOneRecordPerWindow() {
        // {connector}/{tag}: one record per tag and window
        assertEquals(1.0, samplesPerRecord("{connector}/{tag}", 100), 0.001);
        assertEquals(10.0, samplesPerRecord("{connector}/{tag}", 1000), 0.001);
        // per connector and asset: one record per machine and window
        assertEquals(113.0, samplesPerRecord(ASSET_KEY, 100), 0.001);
        assertEquals(1130.0, samplesPerRecord(ASSET_KEY, 1000), 0.001);
        assertTrue(samplesPerRecord(ASSET_KEY, 5000) > 5000,
                "large windows fill records up to max-record-size");
        for (String key : List.of("{connector}/{tag}", ASSET_KEY)) {
            for (int ms : List.of(100, 1000, 5000)) {
                System.out.printf("key %-45s window %5d ms: %7.1f samples/record, %6.0f records/s, %5.1f bytes/sample%n",
                        key, ms, samplesPerRecord(key, ms), recordsPerSecond(key, ms), bytesPerSample(key, ms));
            }
        }
    }

    private static double samplesPerRecord(String key, int windowMillis) {
        List<Packet> packets = pack(key, windowMillis);
        return packets.stream().mapToInt(p -> p.samples().size()).sum() / (double) packets.size();
    }

    private static double recordsPerSecond(String key, int windowMillis) {
        return pack(key, windowMillis).size() * 1000.0 / windowMillis;
    }

    private static double bytesPerSample(String key, int windowMillis) {
        List<Packet> packets = pack(key, windowMillis);
        return packets.stream().mapToLong(Packet::sizeBytes).sum()
                / (double) packets.stream().mapToInt(p -> p.samples().size()).sum();
    }

    private static List<Packet> pack(String key, int windowMillis) {
        KinesisDestination d = new KinesisDestination("m", KinesisTestSamples.withKey(
                KinesisTestSamples.config("s", Optional.empty()), key));
        return d.pack(window(windowMillis)).packets();
    }

    /** The demo press line's samples of {@code millis} ms, two machines, in arrival order. */
    private static List<OutboundSample> window(int millis) {
        List<OutboundSample> out = new ArrayList<>();
        long seq = 0;
        for (int tick = 0; tick < millis / 100; tick++) {
            long ts = KinesisTestSamples.T0 + tick * 100_000_000L;
            for (String connector : List.of("press-line", "press-plc")) {
                AssetContext asset = connector.equals("press-line") ? PRESS_3 : PRESS_4;
                for (int i = 0; i < 113; i++) {
                    Value v;
                    String tag;
                    if (i < 50) {
                        tag = String.format("hydraulic.pressure.%04d", i + 1);
                        v = Value.of(200 + 20 * Math.sin((tick + i) / 50.0));
                    } else if (i < 100) {
                        tag = String.format("motor.temperature.%04d", i - 49);
                        v = Value.of(65 + ((tick * 7 + i * 13) % 100) / 10.0);
                    } else if (i < 110) {
                        tag = String.format("stroke.count.%04d", i - 99);
                        v = Value.of((long) tick);
                    } else if (i == 110) {
                        tag = "door.open";
                        v = Value.of(tick % 200 < 100);
                    } else if (i == 111) {
                        tag = "mode";
                        v = Value.of("production");
                    } else {
                        tag = "alarm.overpressure";
                        v = Value.of(0.0);
                    }
                    out.add(new OutboundSample("telemetry", seq++, connector,
                            new Sample(tag, v, Quality.GOOD, 0, ts, ts + 2_000_000, null), asset));
                }
            }
        }
        return out;
    }
}
