package io.sluice.spi.destination;

/** What the service said about one packet of a call. */
public sealed interface PacketOutcome {

    /** Delivered, without a receipt to keep. */
    Delivered DELIVERED = new Delivered(null);

    /**
     * Accepted; the samples are delivered.
     *
     * @param receipt what the service said about it (shard and sequence number, entry id, packet id), kept for
     *                {@code sluice streams trace}; null when the destination has none
     */
    record Delivered(Receipt receipt) implements PacketOutcome {}

    /**
     * Not accepted this time (throttling, an internal error, a timeout); the publisher resends only this packet,
     * after a backoff. {@code throttled} makes the publisher slow down its rate.
     */
    record Retry(String reason, boolean throttled) implements PacketOutcome {}

    /**
     * Never acceptable: its samples go to the dead-letter stream with the reason. An {@link Rejection.Kind#AGE age}
     * rejection (the service refused the samples' timestamps) goes to the destination's {@code fallback} instead, when
     * it has one, as the samples the destination refuses for their age before sending do.
     */
    record Reject(String reason, Rejection.Kind kind) implements PacketOutcome {
        public Reject {
            java.util.Objects.requireNonNull(reason, "reason");
            java.util.Objects.requireNonNull(kind, "kind");
        }

        /** A rejection of the data itself (invalid alias, type mismatch). */
        public Reject(String reason) {
            this(reason, Rejection.Kind.INVALID);
        }
    }

    static PacketOutcome delivered(Receipt receipt) { return receipt == null ? DELIVERED : new Delivered(receipt); }

    static PacketOutcome retry(String reason) { return new Retry(reason, false); }

    static PacketOutcome throttled(String reason) { return new Retry(reason, true); }

    static PacketOutcome reject(String reason) { return new Reject(reason); }

    /** The service refused the samples' timestamps (outside its window): rerouted to the fallback, if any. */
    static PacketOutcome rejectForAge(String reason) { return new Reject(reason, Rejection.Kind.AGE); }
}
