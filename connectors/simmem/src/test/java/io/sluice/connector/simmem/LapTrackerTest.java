package io.sluice.connector.simmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.simmem.layout.Layout;
import io.sluice.connector.simmem.layout.Layouts;
import io.sluice.spi.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LapTrackerTest {

    private final Layout graphics = Layouts.shipped("acc-graphics").orElseThrow();

    private ByteBuffer page(int laps, int lastLapMs, int sector, int lastSectorMs, boolean valid) {
        ByteBuffer b = ByteBuffer.allocate(graphics.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(graphics.field("completedLaps").orElseThrow().offset(), laps);
        b.putInt(graphics.field("iLastTime").orElseThrow().offset(), lastLapMs);
        b.putInt(graphics.field("currentSectorIndex").orElseThrow().offset(), sector);
        b.putInt(graphics.field("lastSectorTime").orElseThrow().offset(), lastSectorMs);
        b.putInt(graphics.field("isValidLap").orElseThrow().offset(), valid ? 1 : 0);
        return b;
    }

    @Test
    void emitsOneRecordPerCompletedLapWithSectorsAndValidityOfTheLapThatEnded() {
        LapTracker t = new LapTracker(graphics);
        assertTrue(t.update(page(0, 0, 0, 0, false), "car", "track").isEmpty());
        assertTrue(t.update(page(0, 0, 1, 30_000, false), "car", "track").isEmpty());
        assertTrue(t.update(page(0, 0, 1, 30_000, false), "car", "track").isEmpty());
        assertTrue(t.update(page(0, 0, 2, 35_000, false), "car", "track").isEmpty());
        Optional<Value> lap = t.update(page(1, 100_000, 0, 35_000, true), "car", "track");
        assertTrue(lap.isPresent());
        Map<String, Value> f = ((Value.StructValue) lap.get()).fields();
        assertEquals(Value.of(1L), f.get("lap"));
        assertEquals(Value.of(100_000L), f.get("lapTimeMs"));
        assertEquals(Value.of(false), f.get("valid"), "the flag before the lap ended counts");
        assertEquals(new Value.ArrayValue(List.of(Value.of(30_000L), Value.of(35_000L), Value.of(35_000L))),
                f.get("sectorTimesMs"));
        assertEquals(Value.of("car"), f.get("car"));
        assertEquals(Value.of("track"), f.get("track"));
        assertTrue(t.update(page(1, 100_000, 0, 35_000, true), "car", "track").isEmpty(), "no repeat");
    }

    @Test
    void aLapJoinedHalfWayHasNoSectorTimesAndResetStartsOver() {
        LapTracker t = new LapTracker(graphics);
        t.update(page(4, 90_000, 1, 29_000, true), null, null);
        t.update(page(4, 90_000, 2, 31_000, true), null, null);
        Map<String, Value> f = ((Value.StructValue) t.update(page(5, 91_000, 0, 31_000, true), null, null)
                .orElseThrow()).fields();
        assertEquals(Value.of(5L), f.get("lap"));
        assertFalse(f.containsKey("sectorTimesMs"));
        assertFalse(f.containsKey("car"));
        t.reset();
        assertTrue(t.update(page(0, 0, 0, 0, true), null, null).isEmpty(), "after a restart the counter is a baseline");
        assertTrue(t.update(page(0, 0, 0, 0, true), null, null).isEmpty());
    }
}
