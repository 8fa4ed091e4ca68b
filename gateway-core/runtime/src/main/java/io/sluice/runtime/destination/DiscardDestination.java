package io.sluice.runtime.destination;

import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.Range;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationFactory;
import io.sluice.spi.destination.DestinationLimits;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.spi.destination.RateLimits;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Confirms everything and keeps nothing: measures the publisher and store without a service in the way. */
public final class DiscardDestination implements Destination {

    @Doc("Accepts and discards samples (benchmarks, dry runs).")
    public record Config(@Doc("Samples per publisher window.") @DefaultValue("65536") @Range(min = 1) int window) {}

    private final Config config;

    DiscardDestination(Config config) {
        this.config = config;
    }

    @Override
    public DestinationLimits limits() {
        return new DestinationLimits(1024, Long.MAX_VALUE, Long.MAX_VALUE, config.window(), RateLimits.UNLIMITED);
    }

    @Override
    public PackResult pack(List<OutboundSample> samples) {
        List<Packet> packets = new ArrayList<>();
        for (int i = 0; i < samples.size(); i += 4096) {
            List<OutboundSample> slice = samples.subList(i, Math.min(samples.size(), i + 4096));
            packets.add(new Packet(slice.get(0).stream() + "#" + i, slice.size(), slice, null));
        }
        return PackResult.of(packets);
    }

    @Override
    public CompletableFuture<List<PacketOutcome>> sendAsync(List<Packet> packets) {
        return CompletableFuture.completedFuture(Collections.nCopies(packets.size(), PacketOutcome.DELIVERED));
    }

    public static final class Factory implements DestinationFactory<Config> {
        public String type() { return "discard"; }

        public String description() { return "accepts and discards samples (benchmarks, dry runs)"; }

        public Class<Config> configType() { return Config.class; }

        public Destination create(String name, Config config) { return new DiscardDestination(config); }
    }
}
