package io.sluice.runtime.destination;

import io.sluice.spi.config.Doc;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationFactory;
import io.sluice.spi.destination.DestinationLimits;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.spi.destination.RateLimits;
import java.io.PrintStream;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Prints samples as JSON Lines on standard output (for piping and debugging). */
public final class StdoutDestination implements Destination, io.sluice.spi.destination.DestinationProbe {

    @Doc("Prints samples as JSON Lines on standard output.")
    public record Config() {}

    private final PrintStream out = System.out;

    @Override
    public DestinationLimits limits() {
        return new DestinationLimits(16, 16L << 20, 8L << 20, 8192, RateLimits.UNLIMITED);
    }

    @Override
    public PackResult pack(List<OutboundSample> samples) {
        return JsonLinesPacker.pack(samples, 1024);
    }

    @Override
    public CompletableFuture<String> probeAsync() {
        return out.checkError()
                ? CompletableFuture.failedFuture(new io.sluice.spi.SluiceException("standard output is closed or failing", true))
                : CompletableFuture.completedFuture("standard output is open");
    }

    @Override
    public CompletableFuture<List<PacketOutcome>> sendAsync(List<Packet> packets) {
        for (Packet p : packets) out.write((byte[]) p.body(), 0, ((byte[]) p.body()).length);
        out.flush();
        return CompletableFuture.completedFuture(Collections.nCopies(packets.size(), PacketOutcome.DELIVERED));
    }

    public static final class Factory implements DestinationFactory<Config> {
        public String type() { return "stdout"; }

        public String description() { return "JSON Lines on standard output"; }

        public Class<Config> configType() { return Config.class; }

        public Destination create(String name, Config config) { return new StdoutDestination(); }
    }
}
