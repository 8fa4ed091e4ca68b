package io.sluice.runtime.publish;

import io.sluice.runtime.store.DeliveryReceipt;
import io.sluice.spi.destination.Packet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * One window in flight: its packets not settled yet (in the order they were packed) and the receipts of the ones
 * delivered, kept until the cursor move over the window. A packet is settled once it is delivered or dead-lettered.
 * Used on the worker's thread only; {@link InFlightWindows} holds the windows in flight and their calls.
 */
final class InFlightWindow {

    private final WindowReader.Window window;
    private final List<Packet> pending;
    private final List<DeliveryReceipt> receipts = new ArrayList<>();

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

    /** Receipts of delivered packets, written with the cursor move over them. */
    List<DeliveryReceipt> receipts() {
        return receipts;
    }

    /** These packets (of this window) were delivered or dead-lettered. */
    void settle(Collection<Packet> packets) {
        Set<Packet> done = Collections.newSetFromMap(new IdentityHashMap<>());
        done.addAll(packets);
        pending.removeIf(done::contains);
    }
}
