package io.sluice.runtime.publish;

import io.sluice.runtime.store.DeliveryReceipt;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The windows being sent, oldest first (a rolling queue: a window joins at the tail while older ones are still in
 * flight, and leaves at the head once it and every window before it are settled), the calls in flight (sent, not
 * answered; a call may carry packets of several windows) and the packets waiting out a retry backoff. A packet in
 * flight, or waiting to be retried, holds back later packets with the same ordering key, in its window and in later
 * ones. Used on the worker's thread only.
 */
final class InFlightWindows {

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

    private final Deque<InFlightWindow> windows = new ArrayDeque<>();
    /** The window of every packet not settled yet. */
    private final Map<Packet, InFlightWindow> windowOf = new IdentityHashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private final Set<Packet> inFlight = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Packets answered with a retry, and when ({@link PublishClock#nanoTime}) they may be sent again. */
    private final Map<Packet, Long> retryAt = new IdentityHashMap<>();

    /** A window joins the tail, after every window in flight. */
    void add(WindowReader.Window window, List<Packet> packets) {
        InFlightWindow w = new InFlightWindow(window, packets);
        windows.addLast(w);
        for (Packet p : packets) windowOf.put(p, w);
    }

    /** How many windows are in flight (not left at the head yet). */
    int size() {
        return windows.size();
    }

    boolean isEmpty() {
        return windows.isEmpty();
    }

    /** Packets not settled yet, window by window, each in the order it was packed. */
    List<Packet> pending() {
        List<Packet> all = new ArrayList<>();
        for (InFlightWindow w : windows) all.addAll(w.pending());
        return all;
    }

    /**
     * Takes the settled windows off the head, up to the first window not settled; a settled window behind an
     * unsettled one stays. Their cursor ends and receipts are to be committed together.
     */
    List<InFlightWindow> takeSettledHead() {
        List<InFlightWindow> done = new ArrayList<>();
        while (!windows.isEmpty() && windows.peekFirst().settled()) done.add(windows.pollFirst());
        return done;
    }

    /** Per stream, the sequence after the last one read into a window in flight (the newest window's end wins). */
    Map<String, Long> ends() {
        Map<String, Long> ends = new LinkedHashMap<>();
        for (InFlightWindow w : windows) ends.putAll(w.window().endSequences);
        return ends;
    }

    /** Receipts of every window in flight. */
    List<DeliveryReceipt> receipts() {
        List<DeliveryReceipt> all = new ArrayList<>();
        for (InFlightWindow w : windows) all.addAll(w.receipts());
        return all;
    }

    /** The receipts of the window {@code packet} belongs to. */
    List<DeliveryReceipt> receiptsOf(Packet packet) {
        InFlightWindow w = windowOf.get(packet);
        return w == null ? new ArrayList<>() : w.receipts();
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
        Map<InFlightWindow, List<Packet>> byWindow = new IdentityHashMap<>();
        for (Packet p : packets) {
            InFlightWindow w = windowOf.remove(p);
            if (w != null) byWindow.computeIfAbsent(w, k -> new ArrayList<>()).add(p);
            retryAt.remove(p);
        }
        byWindow.forEach(InFlightWindow::settle);
    }
}
