package io.sluice.spi.destination;

import java.util.concurrent.CompletableFuture;

/**
 * An optional ability of a {@link Destination}: one call to the service that sends no samples and tells whether
 * delivery would work (the stream exists and is writable, the broker accepts the connection, the folder is
 * writable). Used by {@code sluice destinations test}. Called on a started destination, possibly while a
 * {@link Destination#sendAsync} is in flight.
 */
public interface DestinationProbe {

    /**
     * Completes with what the probe found, in a few words ({@code "stream telemetry ACTIVE, 2 shards"}), or
     * exceptionally with a {@link io.sluice.spi.SluiceException} saying what is wrong.
     */
    CompletableFuture<String> probeAsync();
}
