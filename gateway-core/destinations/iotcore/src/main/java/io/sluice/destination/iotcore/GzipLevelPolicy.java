package io.sluice.destination.iotcore;

import java.util.function.LongSupplier;

/**
 * The gzip level of {@code json-gzip} payloads: compress harder only when bytes matter. Fast compression (level
 * {@value #FAST}) costs about half the CPU of level {@value #SMALL} and ~6 % more bytes on messages of ~100 values; that
 * matters only while the destination's byte quota ({@code bytes-per-second}) could bind. So payloads are gzip'd at
 * {@value #FAST} while the payload bytes packed per second stay under {@value #DOWN_PERCENT} % of the quota, switch to
 * {@value #SMALL} when a second's bytes pass {@value #UP_PERCENT} % of it, and back to {@value #FAST} when they fall
 * under {@value #DOWN_PERCENT} % again (the gap keeps a rate in between from flipping the level each second). The rate
 * is measured over intervals of at least a second of the packing thread's own calls. Not thread-safe: one
 * destination's packing, which is never concurrent with itself.
 */
final class GzipLevelPolicy {

    static final int FAST = 1;
    static final int SMALL = 6;
    static final int UP_PERCENT = 60;
    static final int DOWN_PERCENT = 40;
    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final long quotaBytesPerSecond;
    private final LongSupplier nanoTime;
    private long intervalStart;
    private long bytes;
    private int level = FAST;

    /** @param quotaBytesPerSecond the destination's byte quota; 0 or less: none, bytes never bind, always fast */
    GzipLevelPolicy(long quotaBytesPerSecond, LongSupplier nanoTime) {
        this.quotaBytesPerSecond = quotaBytesPerSecond;
        this.nanoTime = nanoTime;
        this.intervalStart = nanoTime.getAsLong();
    }

    /** The level for the payloads packed now; ends the measuring interval when a second or more has passed. */
    int level() {
        long now = nanoTime.getAsLong();
        long elapsed = now - intervalStart;
        if (elapsed >= INTERVAL_NANOS && quotaBytesPerSecond > 0) {
            // bytes * 1e9 / elapsed against the quota's share, without overflow for any realistic byte count
            double perSecond = bytes * 1e9 / elapsed;
            if (level == FAST && perSecond * 100 > (double) quotaBytesPerSecond * UP_PERCENT) level = SMALL;
            else if (level == SMALL && perSecond * 100 < (double) quotaBytesPerSecond * DOWN_PERCENT) level = FAST;
            intervalStart = now;
            bytes = 0;
        }
        return level;
    }

    /** Counts {@code n} payload bytes packed (to be sent). */
    void packed(long n) {
        bytes += n;
    }
}
