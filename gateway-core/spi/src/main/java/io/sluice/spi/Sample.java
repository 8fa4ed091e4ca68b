package io.sluice.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One value of one tag.
 *
 * @param tag            the tag name within its connector instance, e.g. {@code boiler.temperature}
 * @param value          the typed value
 * @param quality        GOOD, UNCERTAIN or BAD
 * @param statusCode     the source's own status code (OPC UA StatusCode, OPC DA quality word, ...); 0 when none
 * @param sourceTimeNanos when the source says the value was valid, epoch nanoseconds
 * @param serverTimeNanos when the server that delivered it last saw it (OPC UA ServerTimestamp), epoch nanoseconds;
 *                       {@link #NO_SERVER_TIME} for sources that have no separate server clock
 * @param receiveTimeNanos when the gateway received it, epoch nanoseconds
 * @param unit           engineering unit, or {@code null}
 */
public record Sample(String tag, Value value, Quality quality, long statusCode,
                     long sourceTimeNanos, long serverTimeNanos, long receiveTimeNanos, String unit) {

    /** The server time of a sample whose source has only one clock. */
    public static final long NO_SERVER_TIME = 0;

    public Sample {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(quality, "quality");
    }

    /** A sample from a source with a single clock (no server timestamp). */
    public Sample(String tag, Value value, Quality quality, long statusCode,
                  long sourceTimeNanos, long receiveTimeNanos, String unit) {
        this(tag, value, quality, statusCode, sourceTimeNanos, NO_SERVER_TIME, receiveTimeNanos, unit);
    }

    /** A GOOD sample whose source and receive times are both {@code timeNanos}. */
    public static Sample good(String tag, Value value, long timeNanos) {
        return new Sample(tag, value, Quality.GOOD, 0, timeNanos, timeNanos, null);
    }

    public Instant sourceTime() { return toInstant(sourceTimeNanos); }

    public Instant receiveTime() { return toInstant(receiveTimeNanos); }

    public boolean hasServerTime() { return serverTimeNanos != NO_SERVER_TIME; }

    /** The server time, or {@code null} when the source has none. */
    public Instant serverTime() { return hasServerTime() ? toInstant(serverTimeNanos) : null; }

    public Sample withUnit(String newUnit) {
        return new Sample(tag, value, quality, statusCode, sourceTimeNanos, serverTimeNanos, receiveTimeNanos, newUnit);
    }

    public Sample withTag(String newTag) {
        return new Sample(newTag, value, quality, statusCode, sourceTimeNanos, serverTimeNanos, receiveTimeNanos, unit);
    }

    public static long toNanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    public static Instant toInstant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }
}
