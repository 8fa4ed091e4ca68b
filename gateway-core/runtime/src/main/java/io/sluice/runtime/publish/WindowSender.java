package io.sluice.runtime.publish;

import io.sluice.runtime.store.DeliveryReceipt;
import io.sluice.spi.Durations;
import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationLimits;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.spi.destination.Receipt;
import io.sluice.spi.destination.Rejection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends packed windows, the next one starting while the calls of the one before are in flight (up to
 * {@link #MAX_WINDOWS_IN_FLIGHT} windows): packets in calls within the service limits and the rate limits (tokens
 * taken per call, across all calls in flight), up to {@code max-calls-in-flight} calls at once, never two packets with
 * one ordering key in flight; retries only the packets that failed, with backoff; dead-letters the ones rejected (and
 * samples the destination could not pack). The cursors move over the windows settled in order (the oldest window in
 * flight and the settled ones right after it); windows given up half sent (a pause, a cursor move, the drain
 * deadline) move them over their settled prefix only.
 */
final class WindowSender {

    private static final Logger log = LoggerFactory.getLogger(WindowSender.class);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);
    /** Longest wait for an answer before the worker looks at the deadlines, the pacing and the call timeouts again. */
    private static final long MAX_ANSWER_WAIT_NANOS = 100_000_000L;
    /** Smallest call worth spreading a window's packets into (a request's own overhead is under 1 KB). */
    static final long MIN_SPREAD_CALL_BYTES = 64 * 1024;

    /**
     * Most windows in flight at once. Two keep the calls going across a window boundary (the next window's packets
     * start while the last calls of the one before are unanswered) and bound what a crash redelivers.
     */
    static final int MAX_WINDOWS_IN_FLIGHT = 2;

    /** Where the sender takes the next window from while windows are in flight. */
    interface WindowSource {
        /**
         * The next window, read and packed, if one is ready now (no waiting); null otherwise. {@code inFlightEnds}:
         * per stream, where the windows in flight end (a window read ahead and thrown away is read again from there).
         */
        WindowReader.Prepared nextReady(Map<String, Long> inFlightEnds);
    }

    /** How the worker driving the sender lets it wait and tells it to stop. */
    interface Pacing {
        /** Whether the window is to be given up: the drain deadline passed, or an operator is waiting. */
        boolean giveUp();

        /** Waits {@code nanos}, or less when {@link #giveUp} becomes true. */
        void sleep(long nanos);
    }

    private final String name;
    private final String deadLetterStream;
    private final Destination destination;
    private final DestinationLimits limits;
    private final int maxInFlight;
    private final DestinationLifecycle lifecycle;
    private final DestinationCounters counters;
    private final DeliveryHealth health;
    private final CallRateLimiter rates;
    private final DeadLetterWriter deadLetters;
    private final SettledCursors cursors;
    private final PublishClock clock;
    private final Supplier<List<ExportPlan>> exports;
    private final Pacing pacing;

    WindowSender(String name, String deadLetterStream, Destination destination, DestinationLifecycle lifecycle,
                 DestinationCounters counters, DeliveryHealth health, CallRateLimiter rates, DeadLetterWriter deadLetters,
                 SettledCursors cursors, PublishClock clock, Supplier<List<ExportPlan>> exports, Pacing pacing,
                 int maxInFlight) {
        if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight must be at least 1");
        this.name = name;
        this.deadLetterStream = deadLetterStream;
        this.destination = destination;
        this.limits = destination.limits();
        this.maxInFlight = maxInFlight;
        this.lifecycle = lifecycle;
        this.counters = counters;
        this.health = health;
        this.rates = rates;
        this.deadLetters = deadLetters;
        this.cursors = cursors;
        this.clock = clock;
        this.exports = exports;
        this.pacing = pacing;
    }

    /** What the answer of one call means for the rest of the window. */
    private enum Settled {
        /** Go on sending. */
        GO_ON,
        /** The service is down or throttling: no new call from this destination before the backoff ends. */
        HOLD_DESTINATION,
        /** Rejected samples could not be dead-lettered: the window is sent again. */
        DEAD_LETTER_FAILED
    }

    /**
     * Sends one window and no other; see {@link #send(WindowReader.Window, PackResult, WindowSource)}.
     */
    boolean send(WindowReader.Window window, PackResult packed) {
        return send(window, packed, inFlightEnds -> null);
    }

    /**
     * Sends a window and the windows {@code more} has ready while it is in flight, up to {@code max-calls-in-flight}
     * calls at once across them and up to {@link #MAX_WINDOWS_IN_FLIGHT} windows; true when every packet of every
     * window taken is settled (delivered or dead-lettered) and the cursors moved. A call slot that nothing of the
     * windows in flight can use (every packet left is in flight or waits for an earlier packet of its key) takes the
     * next window, so the calls of the next window start while the last calls of the one before are unanswered; a
     * packet of a later window waits for the packets of earlier windows with its ordering key.
     *
     * <p>Answers are settled on this (the worker's) thread as they arrive; a packet answered with a retry waits out a
     * backoff and holds back the later packets with its ordering key, while other keys go on. A throttled call, or one
     * the service answered with nothing but retries or not at all, holds the whole destination for the backoff. The
     * cursors move when the oldest window in flight is settled, over it and every settled window after it up to the
     * first one that is not (one commit, with the receipts of the runs it passes), so a cursor never passes a packet
     * not settled. Windows given up (a pause, a cursor move, a stop) first wait for the calls in flight, unless the
     * drain deadline passed, then move the cursors over their settled prefix, per stream up to its first sample in a
     * packet not settled.
     */
    boolean send(WindowReader.Window window, PackResult packed, WindowSource more) {
        InFlightWindows inFlight = new InFlightWindows();
        if (!take(inFlight, window, packed)) return false;
        boolean taking = true;
        boolean allTaken = true;
        ConcurrentLinkedQueue<InFlightWindows.Call> answers = new ConcurrentLinkedQueue<>();
        Thread worker = Thread.currentThread();
        long holdUntil = clock.nanoTime();
        while (true) {
            for (InFlightWindows.Call answered; (answered = answers.poll()) != null; ) {
                if (!inFlight.awaited(answered)) continue; // abandoned at the drain deadline, or timed out
                Settled result = settle(inFlight, answered);
                if (result == Settled.DEAD_LETTER_FAILED) {
                    abandon(inFlight);
                    return false;
                }
                if (result == Settled.HOLD_DESTINATION) holdUntil = clock.nanoTime() + backOff();
            }
            commitSettledHead(inFlight);
            if (inFlight.isEmpty()) return allTaken;
            if (lifecycle.pastDeadline()) {
                // the calls in flight are abandoned unanswered: their packets are sent again after the next start
                abandon(inFlight);
                cursors.commitSettledPrefix(inFlight.ends(), inFlight.pending(), inFlight.receipts());
                return false;
            }
            long now = clock.nanoTime();
            timeOutCalls(inFlight, now);
            if (pacing.giveUp()) {
                if (inFlight.calls().isEmpty()) {
                    cursors.commitSettledPrefix(inFlight.ends(), inFlight.pending(), inFlight.receipts());
                    return false;
                }
                awaitAnswer(answers, MAX_ANSWER_WAIT_NANOS);
                continue;
            }
            long wakeAt;
            if (holdUntil - now > 0) {
                wakeAt = holdUntil;
            } else if (inFlight.calls().size() >= maxInFlight) {
                wakeAt = Long.MAX_VALUE;
            } else {
                List<Packet> call = nextCall(inFlight, now);
                if (!call.isEmpty()) {
                    long callBytes = call.stream().mapToLong(Packet::sizeBytes).sum();
                    long rateWait = rates.waitNanos(call.size(), callBytes);
                    if (rateWait == 0) {
                        rates.take(call.size(), callBytes);
                        launch(inFlight, call, now, answers, worker);
                        continue;
                    }
                    wakeAt = now + rateWait;
                } else {
                    if (taking && inFlight.size() < MAX_WINDOWS_IN_FLIGHT) {
                        WindowReader.Prepared next = more.nextReady(inFlight.ends());
                        if (next != null) {
                            if (!take(inFlight, next.window(), next.packed())) {
                                // its rejected samples could not be handed over: it is read again after these
                                taking = false;
                                allTaken = false;
                            }
                            continue;
                        }
                    }
                    wakeAt = inFlight.nextRetryNanos();
                }
            }
            if (inFlight.calls().isEmpty()) {
                // nothing in flight: wait for the rate, a backoff or a packet's retry time (status shows the wait)
                pacing.sleep(wakeAt == Long.MAX_VALUE ? MAX_ANSWER_WAIT_NANOS : Math.max(0, wakeAt - now));
            } else {
                awaitAnswer(answers, wakeAt == Long.MAX_VALUE ? MAX_ANSWER_WAIT_NANOS
                        : Math.max(1, Math.min(wakeAt - now, MAX_ANSWER_WAIT_NANOS)));
            }
        }
    }

    /**
     * Adds a window to the ones in flight after handing over the samples the destination could not pack; false
     * (and not added) if the store refused them.
     */
    private boolean take(InFlightWindows inFlight, WindowReader.Window window, PackResult packed) {
        if (packed != null && !packed.rejected().isEmpty() && !handOver(packed.rejected())) return false;
        inFlight.add(window, packed == null ? List.of() : packed.packets());
        return true;
    }

    /** Moves the cursors over the settled windows at the head, with the receipts of their runs, in one commit. */
    private void commitSettledHead(InFlightWindows inFlight) {
        List<InFlightWindow> done = inFlight.takeSettledHead();
        if (done.isEmpty()) return;
        Map<String, Long> ends = new LinkedHashMap<>();
        List<DeliveryReceipt> receipts = new ArrayList<>();
        for (InFlightWindow w : done) {
            ends.putAll(w.window().endSequences);
            receipts.addAll(w.receipts());
        }
        cursors.commit(ends, receipts);
    }

    /** Sends one call; its answer (or failure) is queued for the worker, which is woken. */
    private void launch(InFlightWindows inFlight, List<Packet> packets, long now,
                        ConcurrentLinkedQueue<InFlightWindows.Call> answers, Thread worker) {
        InFlightWindows.Call call = inFlight.sent(packets, now);
        CompletableFuture<List<PacketOutcome>> future;
        try {
            future = destination.sendAsync(call.packets);
            if (future == null) throw new SluiceException("destination returned no future", true);
        } catch (SluiceException e) {
            future = CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(
                    new SluiceException(e.getClass().getSimpleName() + ": " + e.getMessage(), true, e));
        }
        call.answer = future;
        future.whenComplete((outcomes, failure) -> {
            answers.add(call);
            LockSupport.unpark(worker);
        });
    }

    /** Waits up to {@code nanos} for an answer to be queued, or until woken (a stop, a pause). */
    private static void awaitAnswer(ConcurrentLinkedQueue<InFlightWindows.Call> answers, long nanos) {
        if (answers.isEmpty()) LockSupport.parkNanos(nanos);
    }

    /** Calls unanswered for longer than {@link #CALL_TIMEOUT} count as failed; their packets are retried. */
    private void timeOutCalls(InFlightWindows inFlight, long now) {
        for (InFlightWindows.Call call : List.copyOf(inFlight.calls())) {
            if (now - call.sentAtNanos < CALL_TIMEOUT.toNanos()) continue;
            inFlight.answered(call);
            counters.called();
            counters.retried(call.packets.size());
            String reason = "no answer within " + Durations.format(CALL_TIMEOUT);
            health.failed(DeliveryHealth.reasonKey(reason), reason);
            long at = now + backOff();
            for (Packet p : call.packets) inFlight.retryAt(p, at);
        }
    }

    /** Gives up the calls in flight: their packets stay unsettled; a late answer is ignored. */
    private static void abandon(InFlightWindows inFlight) {
        for (InFlightWindows.Call call : List.copyOf(inFlight.calls())) inFlight.answered(call);
    }

    /** The next backoff step; the destination shows BACKING_OFF. */
    private long backOff() {
        lifecycle.activity(DestinationState.BACKING_OFF);
        return health.nextBackoffNanos();
    }

    /** The outcomes of an answered call; throws the failure of the call as a whole. */
    private static List<PacketOutcome> outcomes(InFlightWindows.Call call) {
        List<PacketOutcome> outcomes;
        try {
            outcomes = call.answer.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof SluiceException se) throw se;
            throw new SluiceException(cause.getClass().getSimpleName() + ": " + cause.getMessage(), true, cause);
        }
        if (outcomes == null || outcomes.size() != call.packets.size()) {
            throw new SluiceException("destination returned " + (outcomes == null ? "no" : outcomes.size())
                    + " outcomes for " + call.packets.size() + " packets", true);
        }
        return outcomes;
    }

    /**
     * Applies the answer of a call packet by packet: delivered and rejected packets are settled (the rejected ones
     * dead-lettered), retried ones wait out a backoff holding their ordering key.
     */
    private Settled settle(InFlightWindows inFlight, InFlightWindows.Call call) {
        inFlight.answered(call);
        counters.called();
        List<PacketOutcome> outcomes;
        try {
            outcomes = outcomes(call);
        } catch (SluiceException e) {
            return callFailed(inFlight, call, e);
        }
        boolean throttled = false;
        List<Packet> settled = new ArrayList<>();
        List<Packet> retried = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        for (int i = 0; i < call.packets.size(); i++) {
            Packet packet = call.packets.get(i);
            PacketOutcome outcome = outcomes.get(i);
            if (outcome instanceof PacketOutcome.Delivered d) {
                settled.add(packet);
                counters.delivered(packet);
                if (d.receipt() != null) keepReceipt(packet, d.receipt(), inFlight.receiptsOf(packet));
            } else if (outcome instanceof PacketOutcome.Reject r) {
                settled.add(packet);
                for (OutboundSample sample : packet.samples()) rejected.add(new Rejection(sample, r.reason(), r.kind()));
            } else if (outcome instanceof PacketOutcome.Retry r) {
                retried.add(packet);
                counters.retried(1);
                if (r.throttled()) {
                    throttled = true;
                    counters.throttled();
                }
                health.failed(DeliveryHealth.reasonKey(r.reason()), r.reason());
            }
        }
        inFlight.settle(settled);
        if (!rejected.isEmpty() && !handOver(rejected)) return Settled.DEAD_LETTER_FAILED;
        if (throttled && rates.slowDown()) {
            log.warn("destination {}: throttled by the service, slowing down to {}% of the configured rate",
                    name, Math.round(rates.factor() * 100));
        }
        if (retried.isEmpty()) {
            health.succeeded();
            rates.recover();
            return Settled.GO_ON;
        }
        if (throttled || retried.size() == call.packets.size()) return Settled.HOLD_DESTINATION;
        long at = clock.nanoTime() + backOff();
        for (Packet p : retried) inFlight.retryAt(p, at);
        return Settled.GO_ON;
    }

    /** A call failed as a whole: retried after a backoff of the whole destination, or dead-lettered if invalid. */
    private Settled callFailed(InFlightWindows inFlight, InFlightWindows.Call call, SluiceException e) {
        if (!e.retryable()) {
            log.error("destination {}: call rejected as invalid ({}); its {} packets go to the dead-letter stream {}",
                    name, e.getMessage(), call.packets.size(), deadLetterStream);
            Map<String, List<OutboundSample>> rejected = new LinkedHashMap<>();
            for (Packet p : call.packets) rejected.computeIfAbsent(e.getMessage(), k -> new ArrayList<>()).addAll(p.samples());
            if (!deadLetter(rejected)) return Settled.DEAD_LETTER_FAILED;
            inFlight.settle(call.packets);
            return Settled.GO_ON;
        }
        counters.retried(call.packets.size());
        health.failed(DeliveryHealth.reasonKey(e.getMessage()), e.getMessage());
        return Settled.HOLD_DESTINATION;
    }

    /**
     * Keeps a delivered packet's receipt until the cursors move: one {@link DeliveryReceipt} per stream of the packet
     * (usually one), holding its runs of consecutive samples, not one object per run.
     */
    private void keepReceipt(Packet packet, Receipt receipt, List<DeliveryReceipt> receipts) {
        long at = clock.millis();
        String stream = null;
        DeliveryReceipt.Runs runs = null;
        Map<String, DeliveryReceipt.Runs> others = null; // streams after the first, in a packet of several
        for (OutboundSample s : packet.samples()) {
            if (stream == null) {
                stream = s.stream();
                runs = new DeliveryReceipt.Runs();
            } else if (!stream.equals(s.stream())) {
                if (others == null) others = new LinkedHashMap<>();
                others.computeIfAbsent(s.stream(), k -> new DeliveryReceipt.Runs()).add(s.sequence());
                continue;
            }
            runs.add(s.sequence());
        }
        if (stream == null) return;
        receipts.add(runs.receipt(stream, name, at, receipt));
        if (others != null) others.forEach((other, r) -> receipts.add(r.receipt(other, name, at, receipt)));
    }

    /**
     * Packets for the next call: in order (the oldest window's first), within the call limits, none sharing an
     * ordering key with a packet in flight or waiting out its retry backoff (nor with an earlier packet left out). When
     * a packet must wait for an earlier one with its key, no packet of a lower-priority stream may overtake it.
     *
     * <p>The packets ready to go are spread over the free call slots rather than filling the first call to the
     * service's limits, as long as each call carries at least {@link #MIN_SPREAD_CALL_BYTES}: calls in flight then
     * overlap one another's round trips and the service's work, and their answers come back staggered, so each key's
     * next packet leaves as soon as its own call is answered.
     */
    private List<Packet> nextCall(InFlightWindows inFlight, long now) {
        List<Packet> ready = new ArrayList<>();
        Set<String> keysSeen = new HashSet<>();
        long readyBytes = 0;
        int waitingPriority = Integer.MAX_VALUE;
        Map<String, Integer> priorities = new HashMap<>();
        for (ExportPlan e : exports.get()) priorities.put(e.stream(), e.priority());
        for (Packet p : inFlight.pending()) {
            if (inFlight.inFlight(p)) {
                keysSeen.addAll(p.orderingKeys());
                continue;
            }
            int priority = priorityOf(p, priorities);
            boolean keyTaken = false;
            for (String key : p.orderingKeys()) keyTaken |= !keysSeen.add(key); // every key is marked, taken or not
            if (keyTaken || inFlight.backingOff(p, now)) {
                waitingPriority = Math.min(waitingPriority, priority);
                continue;
            }
            if (priority > waitingPriority) continue;
            ready.add(p);
            readyBytes += p.sizeBytes();
        }
        int freeSlots = Math.max(1, maxInFlight - inFlight.calls().size());
        long spreadBytes = Math.max(MIN_SPREAD_CALL_BYTES, (readyBytes + freeSlots - 1) / freeSlots);
        List<Packet> call = new ArrayList<>();
        long callBytes = 0;
        for (Packet p : ready) {
            if (call.size() >= limits.maxPacketsPerCall() || callBytes >= spreadBytes) break;
            if (!call.isEmpty() && callBytes + p.sizeBytes() > limits.maxBytesPerCall()) break;
            call.add(p);
            callBytes += p.sizeBytes();
        }
        return call;
    }

    private static int priorityOf(Packet p, Map<String, Integer> priorities) {
        int best = Integer.MAX_VALUE;
        for (OutboundSample s : p.samples()) best = Math.min(best, priorities.getOrDefault(s.stream(), 10));
        return best;
    }

    private Map<String, List<OutboundSample>> groupRejections(List<Rejection> rejections) {
        Map<String, List<OutboundSample>> byReason = new LinkedHashMap<>();
        for (Rejection r : rejections) {
            byReason.computeIfAbsent(r.reason(), k -> new ArrayList<>()).add(r.sample());
            health.failed("rejected: " + DeliveryHealth.reasonKey(r.reason()), r.reason());
        }
        return byReason;
    }

    /**
     * Moves the samples the destination could not pack away: age rejections to the fallback stream when it has a
     * fallback, the rest to the dead-letter stream; false if the store refused them (the window is retried).
     */
    private boolean handOver(List<Rejection> rejections) {
        List<Rejection> left;
        try {
            left = deadLetters.reroute(rejections, CALL_TIMEOUT);
        } catch (SluiceException ex) {
            health.failed("fallback append failed", ex.getMessage());
            log.error("destination {}: cannot write to its fallback stream: {}", name, ex.getMessage());
            pacing.sleep(health.nextBackoffNanos());
            return false;
        }
        return left.isEmpty() || deadLetter(groupRejections(left));
    }

    /** Moves rejected samples to the dead-letter stream; false if the store refused them (the window is retried). */
    boolean deadLetter(Map<String, List<OutboundSample>> byReason) {
        try {
            deadLetters.append(byReason, CALL_TIMEOUT);
            return true;
        } catch (SluiceException ex) {
            health.failed("dead-letter append failed", ex.getMessage());
            log.error("destination {}: cannot write to dead-letter stream {}: {}", name, deadLetterStream, ex.getMessage());
            pacing.sleep(health.nextBackoffNanos());
            return false;
        }
    }
}
