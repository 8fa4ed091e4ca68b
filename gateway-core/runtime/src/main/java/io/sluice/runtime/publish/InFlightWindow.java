package io.sluice.runtime.publish;

import io.sluice.spi.destination.Packet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The window being sent: its packets not settled yet (in order) and the calls in flight (sent, not answered). A packet
 * is settled once it is delivered or dead-lettered; the cursors move over the window only when every packet is, or
 * over its settled prefix when the window is given up ({@link SettledCursors}). The worker has one call in flight at
 * a time; the calls are a list so that keeping several in flight needs no other bookkeeping, and a packet in flight
 * keeps the next packet with its ordering key waiting.
 */
final class InFlightWindow {

    private final WindowReader.Window window;
    private final List<Packet> pending;
    private final List<List<Packet>> calls = new ArrayList<>();

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
    void sent(List<Packet> call) {
        calls.add(call);
    }

    /** A call was answered (or failed as a whole); its packets are settled or pending again. */
    void answered(List<Packet> call) {
        calls.removeIf(c -> c == call);
    }

    /** Whether {@code packet} is in a call not answered yet. */
    boolean inFlight(Packet packet) {
        for (List<Packet> call : calls) {
            for (Packet p : call) if (p == packet) return true;
        }
        return false;
    }

    /** These packets were delivered or dead-lettered. */
    void settle(Collection<Packet> packets) {
        Set<Packet> done = Collections.newSetFromMap(new IdentityHashMap<>());
        done.addAll(packets);
        pending.removeIf(done::contains);
    }
}
