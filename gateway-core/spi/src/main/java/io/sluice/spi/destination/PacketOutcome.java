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

    /** Never acceptable (invalid alias, type mismatch); its samples go to the dead-letter stream with the reason. */
    record Reject(String reason) implements PacketOutcome {}

    static PacketOutcome delivered(Receipt receipt) { return receipt == null ? DELIVERED : new Delivered(receipt); }

    static PacketOutcome retry(String reason) { return new Retry(reason, false); }

    static PacketOutcome throttled(String reason) { return new Retry(reason, true); }

    static PacketOutcome reject(String reason) { return new Reject(reason); }
}
