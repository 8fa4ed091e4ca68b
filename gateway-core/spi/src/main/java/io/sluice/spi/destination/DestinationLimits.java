package io.sluice.spi.destination;

/**
 * The hard limits of one service call and the default rates of a destination.
 *
 * @param maxPacketsPerCall   at most this many packets in one {@link Destination#sendAsync} call
 * @param maxBytesPerCall     at most this many payload bytes in one call
 * @param maxPacketBytes      a single packet may not be larger; {@link Destination#pack} must respect it
 * @param maxSamplesPerWindow how many samples the publisher reads from the store and hands to {@link Destination#pack}
 *                            at a time; the window is confirmed (cursors move) only when every packet of it is settled
 * @param defaultRates        rates used unless the config overrides them
 * @param maxCallsInFlight    how many {@link Destination#sendAsync} calls the publisher keeps in flight at once unless
 *                            the destination's {@code max-calls-in-flight} says otherwise (never two packets with one
 *                            ordering key); 1 for a destination that must see one call at a time
 */
public record DestinationLimits(int maxPacketsPerCall, long maxBytesPerCall, long maxPacketBytes,
                                int maxSamplesPerWindow, RateLimits defaultRates, int maxCallsInFlight) {

    public DestinationLimits {
        if (maxPacketsPerCall < 1) throw new IllegalArgumentException("maxPacketsPerCall must be at least 1");
        if (maxCallsInFlight < 1) throw new IllegalArgumentException("maxCallsInFlight must be at least 1");
        if (maxBytesPerCall < 1 || maxPacketBytes < 1) throw new IllegalArgumentException("byte limits must be positive");
        if (maxSamplesPerWindow < 1) throw new IllegalArgumentException("maxSamplesPerWindow must be at least 1");
    }

    /** Limits of a destination that has one call in flight at a time. */
    public DestinationLimits(int maxPacketsPerCall, long maxBytesPerCall, long maxPacketBytes,
                             int maxSamplesPerWindow, RateLimits defaultRates) {
        this(maxPacketsPerCall, maxBytesPerCall, maxPacketBytes, maxSamplesPerWindow, defaultRates, 1);
    }
}
