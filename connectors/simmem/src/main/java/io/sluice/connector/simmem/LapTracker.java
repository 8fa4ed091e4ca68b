package io.sluice.connector.simmem;

import io.sluice.connector.simmem.layout.Field;
import io.sluice.connector.simmem.layout.Layout;
import io.sluice.connector.simmem.layout.PageDecoder;
import io.sluice.spi.Value;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Derives lap records from successive snapshots of a page with lap fields (ACC/AC graphics): when the completed-laps
 * counter increments, one record with the lap number, its time, whether it was valid (the valid flag as it stood
 * just before the lap ended, since the simulator resets it for the new lap), its sector times when every sector
 * boundary of the lap was seen, and the car and track of the session. It also keeps the session's best: the fastest
 * valid lap so far ({@code bestLap}, {@code bestLapTimeMs}, this lap included) and this lap's delta to the best valid
 * lap before it ({@code deltaToBestMs}, negative when this lap beats it), so a lap board needs no history. The best
 * is the tracker's own (simulators' best-time fields differ in meaning and some writers leave them unset); it
 * starts over with the session ({@link #reset()}, or a completed-laps counter that goes back).
 */
final class LapTracker {

    private final Field completed;
    private final Field lapTime;
    private final Field valid;
    private final Field sectorIndex;
    private final Field sectorTime;
    private boolean initialized;
    private long previousLaps;
    private long previousValid;
    private long previousSector;
    private boolean lapSeenFromStart;
    private List<Value> sectors = new ArrayList<>();
    private long bestLap;
    private long bestLapTimeMs;

    LapTracker(Layout layout) {
        Map<String, String> roles = layout.lapFields();
        this.completed = field(layout, roles.get("completed-laps"));
        this.lapTime = field(layout, roles.get("lap-time-ms"));
        this.valid = field(layout, roles.get("valid"));
        this.sectorIndex = field(layout, roles.get("sector-index"));
        this.sectorTime = field(layout, roles.get("sector-time-ms"));
    }

    static boolean supports(Layout layout) {
        return layout.lapFields().containsKey("completed-laps") && layout.lapFields().containsKey("lap-time-ms");
    }

    private static Field field(Layout layout, String name) {
        return name == null ? null : layout.field(name).orElse(null);
    }

    /** Forgets the current lap (a new session or a restarted simulator); the next snapshot starts over. */
    void reset() {
        initialized = false;
        forgetBest();
    }

    private void forgetBest() {
        bestLap = 0;
        bestLapTimeMs = 0;
    }

    /**
     * Feeds one snapshot (little-endian) in update order.
     *
     * @return the record of a lap completed by this snapshot
     */
    Optional<Value> update(ByteBuffer page, String car, String track) {
        long laps = PageDecoder.rawLong(page, completed);
        long sector = sectorIndex == null ? 0 : PageDecoder.rawLong(page, sectorIndex);
        long validNow = valid == null ? 1 : PageDecoder.rawLong(page, valid);
        if (!initialized) {
            initialized = true;
            previousLaps = laps;
            previousSector = sector;
            previousValid = validNow;
            sectors = new ArrayList<>();
            lapSeenFromStart = sectorIndex != null && sector == 0;
            return Optional.empty();
        }
        if (sectorIndex != null && sector != previousSector) {
            if (sectorTime != null) sectors.add(Value.of(PageDecoder.rawLong(page, sectorTime)));
            previousSector = sector;
        }
        Optional<Value> record = Optional.empty();
        if (laps > previousLaps) {
            long timeMs = PageDecoder.rawLong(page, lapTime);
            Map<String, Value> fields = new LinkedHashMap<>();
            fields.put("lap", Value.of(laps));
            fields.put("lapTimeMs", Value.of(timeMs));
            if (valid != null) fields.put("valid", Value.of(previousValid != 0));
            if (lapSeenFromStart && sectorTime != null && !sectors.isEmpty()) {
                fields.put("sectorTimesMs", new Value.ArrayValue(sectors));
            }
            boolean lapValid = valid == null || previousValid != 0;
            if (bestLapTimeMs > 0) fields.put("deltaToBestMs", Value.of(timeMs - bestLapTimeMs));
            if (lapValid && timeMs > 0 && (bestLapTimeMs == 0 || timeMs < bestLapTimeMs)) {
                bestLap = laps;
                bestLapTimeMs = timeMs;
            }
            if (bestLapTimeMs > 0) {
                fields.put("bestLap", Value.of(bestLap));
                fields.put("bestLapTimeMs", Value.of(bestLapTimeMs));
            }
            if (car != null) fields.put("car", Value.of(car));
            if (track != null) fields.put("track", Value.of(track));
            record = Optional.of(new Value.StructValue(fields));
            sectors = new ArrayList<>();
            lapSeenFromStart = laps == previousLaps + 1;
        } else if (laps < previousLaps) {
            sectors = new ArrayList<>();
            lapSeenFromStart = false;
            forgetBest();
        }
        previousLaps = laps;
        previousValid = validNow;
        return record;
    }
}
