package io.sluice.rigs.sitewise;

import java.time.Instant;

/**
 * One TQV the stand-in accepted.
 *
 * @param property      the property alias, or {@code assetId/propertyId} when the entry named ids
 * @param type          the Variant member it came in; for a {@code nullValue}, the type it named (null for {@code U}
 *                      on a property whose type is not known yet)
 * @param value         Double, Integer, Boolean or String; null for a {@code nullValue}
 * @param quality       GOOD, BAD or UNCERTAIN (GOOD when the request left it out, as the service does)
 * @param timeInSeconds the timestamp's seconds
 * @param offsetInNanos the timestamp's nanosecond offset
 * @param request       the number of the request that carried it, from 1
 */
public record AcceptedValue(String property, ValueType type, Object value, String quality,
                            long timeInSeconds, long offsetInNanos, long request) {

    /** Whether it came as a {@code nullValue} (quality BAD or UNCERTAIN, no value). */
    public boolean isNull() {
        return value == null;
    }

    public Instant timestamp() {
        return Instant.ofEpochSecond(timeInSeconds, offsetInNanos);
    }
}
