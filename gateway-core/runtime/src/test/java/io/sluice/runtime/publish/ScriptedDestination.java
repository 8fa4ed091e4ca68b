package io.sluice.runtime.publish;

import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationFactory;
import io.sluice.spi.destination.DestinationLimits;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.spi.destination.RateLimits;
import io.sluice.spi.destination.Rejection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A destination whose answers a test scripts: one packet per 10 samples (or per {@link #lanes lane}), and an
 * outcome per packet chosen by {@link #script}. Records every packet it was sent and every one it accepted.
 */
public final class ScriptedDestination implements Destination {

    public record Config() {}

    /** (call number, packet) -> outcome. */
    public static volatile BiFunction<Integer, Packet, PacketOutcome> script = (call, p) -> PacketOutcome.DELIVERED;
    public static final List<Packet> sent = new CopyOnWriteArrayList<>();
    public static final List<OutboundSample> accepted = new CopyOnWriteArrayList<>();
    /** Call number -> a future the answer waits for (null: answer at once); a never-completed one is a dead service. */
    public static volatile IntFunction<CompletableFuture<Void>> gate = call -> null;
    /** Sample -> the rejection {@link #pack} gives it (null: packed and sent). */
    public static volatile Function<OutboundSample, Rejection> rejectAtPack = s -> null;
    /** Samples in a window from which packing runs out of memory (none by default). */
    public static volatile int outOfMemoryFrom = Integer.MAX_VALUE;
    /** When above 0, {@link #pack} makes this many packets instead, sample i in packet i % lanes (interleaved). */
    public static volatile int lanes = 0;
    /** The number of every call made, in order. */
    public static final List<Integer> calls = new CopyOnWriteArrayList<>();
    private int callCount;

    public static void reset() {
        script = (call, p) -> PacketOutcome.DELIVERED;
        gate = call -> null;
        rejectAtPack = s -> null;
        outOfMemoryFrom = Integer.MAX_VALUE;
        lanes = 0;
        sent.clear();
        accepted.clear();
        calls.clear();
    }

    @Override
    public DestinationLimits limits() {
        return new DestinationLimits(5, 1 << 20, 1 << 20, 100, RateLimits.UNLIMITED);
    }

    @Override
    public PackResult pack(List<OutboundSample> all) {
        if (all.size() >= outOfMemoryFrom) throw new OutOfMemoryError("Java heap space");
        List<Rejection> rejected = new ArrayList<>();
        List<OutboundSample> samples = new ArrayList<>();
        for (OutboundSample s : all) {
            Rejection r = rejectAtPack.apply(s);
            if (r == null) samples.add(s);
            else rejected.add(r);
        }
        List<Packet> packets = new ArrayList<>();
        int laneCount = lanes;
        if (laneCount > 0) {
            for (int lane = 0; lane < laneCount && lane < samples.size(); lane++) {
                List<OutboundSample> of = new ArrayList<>();
                for (int i = lane; i < samples.size(); i += laneCount) of.add(samples.get(i));
                packets.add(new Packet(of.get(0).stream() + "/lane" + lane, of.size(), of, null));
            }
            return new PackResult(packets, rejected);
        }
        for (int i = 0; i < samples.size(); i += 10) {
            List<OutboundSample> slice = samples.subList(i, Math.min(samples.size(), i + 10));
            packets.add(new Packet(slice.get(0).stream() + "/" + i, slice.size(), slice, null));
        }
        return new PackResult(packets, rejected);
    }

    @Override
    public CompletableFuture<List<PacketOutcome>> sendAsync(List<Packet> packets) {
        int call = ++callCount;
        sent.addAll(packets);
        calls.add(call);
        CompletableFuture<Void> held = gate.apply(call);
        if (held == null) return CompletableFuture.completedFuture(answer(call, packets));
        return held.thenApply(ignored -> answer(call, packets));
    }

    private static List<PacketOutcome> answer(int call, List<Packet> packets) {
        List<PacketOutcome> outcomes = new ArrayList<>();
        for (Packet p : packets) {
            PacketOutcome o = script.apply(call, p);
            if (o instanceof PacketOutcome.Delivered) accepted.addAll(p.samples());
            outcomes.add(o);
        }
        return outcomes;
    }

    public static final class Factory implements DestinationFactory<Config> {
        public String type() { return "scripted"; }

        public String description() { return "test destination"; }

        public Class<Config> configType() { return Config.class; }

        public Destination create(String name, Config config) { return new ScriptedDestination(); }
    }
}
