package io.sluice.spi.destination;

import java.util.List;

/**
 * The result of {@link Destination#pack}: packets to send, and samples that can never be sent (they go to the
 * destination's dead-letter stream with their reason). Every input sample appears exactly once, in a packet or
 * in {@code rejected}.
 */
public record PackResult(List<Packet> packets, List<Rejection> rejected) {

    public PackResult {
        packets = List.copyOf(packets);
        rejected = List.copyOf(rejected);
    }

    public static PackResult of(List<Packet> packets) {
        return new PackResult(packets, List.of());
    }
}
