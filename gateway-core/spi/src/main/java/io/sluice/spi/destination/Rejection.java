package io.sluice.spi.destination;

import java.util.Objects;

/**
 * A sample a destination can never deliver (out of the service's timestamp window, an unsupported type), and why.
 * An {@link Kind#AGE age} rejection is about when the sample was taken, not what it holds: the publisher reroutes it
 * to the destination's {@code fallback} destination when one is configured; every other rejection, and an age
 * rejection without a fallback, goes to the destination's dead-letter stream.
 */
public record Rejection(OutboundSample sample, String reason, Kind kind) {

    /** Why a sample cannot be delivered. */
    public enum Kind {
        /** The value itself (type, range, address) can never be sent to this destination. */
        INVALID,
        /** The source time is outside the window the service accepts (too old, or too far ahead of the clock). */
        AGE
    }

    public Rejection {
        Objects.requireNonNull(sample, "sample");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(kind, "kind");
    }

    /** An {@link Kind#INVALID} rejection. */
    public Rejection(OutboundSample sample, String reason) {
        this(sample, reason, Kind.INVALID);
    }

    /** An {@link Kind#AGE} rejection: the sample's source time is outside the service's window. */
    public static Rejection outOfWindow(OutboundSample sample, String reason) {
        return new Rejection(sample, reason, Kind.AGE);
    }
}
