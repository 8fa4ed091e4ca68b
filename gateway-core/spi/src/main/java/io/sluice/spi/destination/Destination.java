package io.sluice.spi.destination;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A place samples are exported to. The publisher owns everything around the call: reading the store by priority,
 * rate limits, retries with backoff, dead letters, cursors. A destination only packs samples into the service's
 * units and makes calls: up to {@link DestinationLimits#maxCallsInFlight()} (or the configured {@code max-calls-in-flight})
 * at once, never two with packets of one ordering key.
 *
 * <p>Life: {@link #start} once (connect lazily; it may not throw for an unreachable service), then any number of
 * {@link #pack} and {@link #sendAsync} calls, then {@link #close}. The publisher packs the next window on its
 * read-ahead thread while a call is in flight, so {@code pack} may run concurrently with {@code sendAsync} (never
 * with another {@code pack}), and the two must not share unguarded mutable state. {@code sendAsync} is always called
 * from the publisher's one worker thread, but earlier calls may still be in flight, and their futures may complete
 * on any thread in any order.
 */
public interface Destination extends AutoCloseable {

    DestinationLimits limits();

    default void start(DestinationContext context) throws Exception {}

    /**
     * Packs samples (in stream order, highest priority first) into packets that each fit {@link #limits()}.
     * Must not do I/O. Samples that can never be delivered are returned as rejections.
     */
    PackResult pack(List<OutboundSample> samples);

    /**
     * Sends packets in one service call (at most {@link DestinationLimits#maxPacketsPerCall()} packets and
     * {@link DestinationLimits#maxBytesPerCall()} bytes). Completes with one outcome per packet, in order; or
     * exceptionally with a {@link io.sluice.spi.SluiceException} when the call as a whole failed (its
     * {@code retryable} flag says whether the publisher should try again).
     */
    CompletableFuture<List<PacketOutcome>> sendAsync(List<Packet> packets);

    @Override
    default void close() {}
}
