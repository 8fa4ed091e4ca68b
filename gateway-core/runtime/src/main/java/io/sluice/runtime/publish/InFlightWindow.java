package io.sluice.runtime.publish;

import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The window being sent: its packets not settled yet (in order), the calls in flight (sent, not answered) and the
 * packets waiting out a retry backoff. A packet is settled once it is delivered or dead-lettered; the cursors move over
 * the window only when every packet is, or over its settled prefix when the window is given up
 * ({@link SettledCursors}). A packet in flight, or waiting to be retried, holds back later packets with the same
 * ordering key. Used on the worker's thread only.
 */
final class InFlightWindow {

    /** One call on its way: its packets, when it was sent, and its answer once it came. */
    static final class Call {
        final List<Packet> packets;
        final long sentAtNanos;
        volatile CompletableFuture<List<PacketOutcome>> answer;

        Call(List<Packet> packets, long sentAtNanos) {
            this.packets = List.copyOf(packets);
            this.sentAtNanos = sentAtNanos;
        }
    }

    private final WindowReader.Window window;
    private final List<Packet> pending;
    private final List<Call> calls = new ArrayList<>();
    private final Set<Packet> inFlight = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Packets answered with a retry, and when ({@link PublishClock#nanoTime}) they may be sent again. */
    private final Map<Packet, Long> retryAt = new IdentityHashMap<>();

    InFlightWindow(WindowReader.Window window, List<Packet> packets) {
        this.window = window;
        this.pending = new ArrayList<>(packets);
    }

    WindowReader.Window window() {
        return window;
    }

    /** Packets not settled yet, in the order they were packed. */
    List<Packet> pending() {
        return Collections.unmodifiableList(pending);
    }

    boolean settled() {
        return pending.isEmpty();
    }

    /** A call is on its way. */
    Call sent(List<Packet> packets, long nowNanos) {
        Call call = new Call(packets, nowNanos);
        calls.add(call);
        inFlight.addAll(call.packets);
        for (Packet p : call.packets) retryAt.remove(p);
        return call;
    }

    /** Calls sent and not answered yet, oldest first. */
    List<Call> calls() {
        return Collections.unmodifiableList(calls);
    }

    /** Whether {@code call} is still awaited (not answered, not abandoned). */
    boolean awaited(Call call) {
        return calls.contains(call);
    }

    /** A call was answered (or failed as a whole, or was abandoned); its packets are settled or pending again. */
    void answered(Call call) {
        if (calls.remove(call)) call.packets.forEach(inFlight::remove);
    }

    /** Whether {@code packet} is in a call not answered yet. */
    boolean inFlight(Packet packet) {
        return inFlight.contains(packet);
    }

    /** {@code packet} was answered with a retry: it may be sent again at {@code atNanos}. */
    void retryAt(Packet packet, long atNanos) {
        retryAt.put(packet, atNanos);
    }

    /** Whether {@code packet} waits out a retry backoff at {@code nowNanos}. */
    boolean backingOff(Packet packet, long nowNanos) {
        Long at = retryAt.get(packet);
        return at != null && at - nowNanos > 0;
    }

    /** The earliest time a backing-off packet may be sent again, or {@code Long.MAX_VALUE} when none waits. */
    long nextRetryNanos() {
        long next = Long.MAX_VALUE;
        for (long at : retryAt.values()) next = next == Long.MAX_VALUE ? at : (at - next < 0 ? at : next);
        return next;
    }

    /** These packets were delivered or dead-lettered. */
    void settle(Collection<Packet> packets) {
        Set<Packet> done = Collections.newSetFromMap(new IdentityHashMap<>());
        done.addAll(packets);
        pending.removeIf(done::contains);
        packets.forEach(retryAt::remove);
    }
}
