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

    private Map<String, Value> lap(LapTracker t, int laps, int lapMs, boolean validBeforeEnd) {
        t.update(page(laps - 1, 0, 2, 0, validBeforeEnd), null, null);
        return ((Value.StructValue) t.update(page(laps, lapMs, 0, 0, true), null, null).orElseThrow()).fields();
    }

    @Test
    void keepsTheSessionBestOfValidLapsAndTheDeltaToTheBestBefore() {
        LapTracker t = new LapTracker(graphics);
        t.update(page(0, 0, 0, 0, true), null, null);
        Map<String, Value> first = lap(t, 1, 100_000, true);
        assertFalse(first.containsKey("deltaToBestMs"), "no best before the first lap");
        assertEquals(Value.of(1L), first.get("bestLap"));
        assertEquals(Value.of(100_000L), first.get("bestLapTimeMs"));

        Map<String, Value> slower = lap(t, 2, 101_500, true);
        assertEquals(Value.of(1_500L), slower.get("deltaToBestMs"));
        assertEquals(Value.of(1L), slower.get("bestLap"));

        Map<String, Value> invalidFaster = lap(t, 3, 95_000, false);
        assertEquals(Value.of(false), invalidFaster.get("valid"));
        assertEquals(Value.of(-5_000L), invalidFaster.get("deltaToBestMs"), "the delta is shown for any lap");
        assertEquals(Value.of(1L), invalidFaster.get("bestLap"), "an invalid lap is never the best");
        assertEquals(Value.of(100_000L), invalidFaster.get("bestLapTimeMs"));

        Map<String, Value> newBest = lap(t, 4, 99_000, true);
        assertEquals(Value.of(-1_000L), newBest.get("deltaToBestMs"), "negative: beats the best before it");
        assertEquals(Value.of(4L), newBest.get("bestLap"));
        assertEquals(Value.of(99_000L), newBest.get("bestLapTimeMs"));
    }

    @Test
    void theBestStartsOverWithANewSession() {
        LapTracker t = new LapTracker(graphics);
        t.update(page(0, 0, 0, 0, true), null, null);
        lap(t, 1, 90_000, true);
        t.update(page(0, 0, 0, 0, true), null, null); // the counter went back: a new session
        Map<String, Value> afterRestart = lap(t, 1, 120_000, true);
        assertFalse(afterRestart.containsKey("deltaToBestMs"));
        assertEquals(Value.of(120_000L), afterRestart.get("bestLapTimeMs"));

        t.reset();
        t.update(page(0, 0, 0, 0, true), null, null);
        Map<String, Value> afterReset = lap(t, 1, 130_000, true);
        assertFalse(afterReset.containsKey("deltaToBestMs"));
        assertEquals(Value.of(130_000L), afterReset.get("bestLapTimeMs"));
    }

    @Test
    void noBestWhileNoValidLapWasTimed() {
        LapTracker t = new LapTracker(graphics);
        t.update(page(0, 0, 0, 0, true), null, null);
        Map<String, Value> invalid = lap(t, 1, 90_000, false);
        assertFalse(invalid.containsKey("bestLap"));
        assertFalse(invalid.containsKey("bestLapTimeMs"));
        assertFalse(invalid.containsKey("deltaToBestMs"));
    }
}
