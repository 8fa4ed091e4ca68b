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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one packed window: packets in calls within the service limits and the rate limits, never two packets with
 * one ordering key in flight; retries only the packets that failed, with backoff; dead-letters the ones rejected
 * (and samples the destination could not pack). Once every packet of the window is settled, the cursors move to the
 * end of the window; a window given up half sent (a pause, a cursor move, the drain deadline) moves them over its
 * settled prefix only.
 */
final class WindowSender {

    private static final Logger log = LoggerFactory.getLogger(WindowSender.class);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);

    /** How the worker driving the sender lets it wait and tells it to stop. */
    interface Pacing {
        /** Whether the window is to be given up: the drain deadline passed, or an operator is waiting. */
        boolean giveUp();

        /** Waits {@code nanos}, or less when {@link #giveUp} becomes true. */
        void sleep(long nanos);
    }

    /** Thrown inside a send when the drain deadline of a stop passed before the call was answered. */
    private static final class DeadlinePassed extends RuntimeException {
        DeadlinePassed() {
            super("drain deadline passed", null, false, false);
        }
    }

    private final String name;
    private final String deadLetterStream;
    private final Destination destination;
    private final DestinationLimits limits;
    private final DestinationLifecycle lifecycle;
    private final DestinationCounters counters;
    private final DeliveryHealth health;
    private final CallRateLimiter rates;
    private final DeadLetterWriter deadLetters;
    private final SettledCursors cursors;
    private final PublishClock clock;
    private final Supplier<List<ExportPlan>> exports;
    private final Pacing pacing;
    /** Receipts of the window being sent, written with the cursor move over it. */
    private List<DeliveryReceipt> receipts = new ArrayList<>();

    WindowSender(String name, String deadLetterStream, Destination destination, DestinationLifecycle lifecycle,
                 DestinationCounters counters, DeliveryHealth health, CallRateLimiter rates, DeadLetterWriter deadLetters,
                 SettledCursors cursors, PublishClock clock, Supplier<List<ExportPlan>> exports, Pacing pacing) {
        this.name = name;
        this.deadLetterStream = deadLetterStream;
        this.destination = destination;
        this.limits = destination.limits();
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

    /** Sends a whole window; true when every packet is settled (delivered or dead-lettered) and the cursors moved. */
    boolean send(WindowReader.Window window, PackResult packed) {
        if (!packed.rejected().isEmpty()) {
            if (!handOver(packed.rejected())) return false;
        }
        InFlightWindow inFlight = new InFlightWindow(window, packed.packets());
        receipts = new ArrayList<>();
        while (!inFlight.settled()) {
            if (pacing.giveUp()) {
                cursors.commitSettledPrefix(window.endSequences, inFlight.pending(), receipts);
                return false;
            }
            List<Packet> call = nextCall(inFlight);
            long callBytes = call.stream().mapToLong(Packet::sizeBytes).sum();
            if (!waitForRate(call.size(), callBytes)) continue;
            List<PacketOutcome> outcomes;
            inFlight.sent(call);
            try {
                outcomes = awaitOutcomes(call);
                if (outcomes == null || outcomes.size() != call.size()) {
                    throw new SluiceException("destination returned " + (outcomes == null ? "no" : outcomes.size())
                            + " outcomes for " + call.size() + " packets", true);
                }
            } catch (SluiceException e) {
                inFlight.answered(call);
                counters.called();
                if (!e.retryable()) {
                    log.error("destination {}: call rejected as invalid ({}); its {} packets go to the dead-letter stream {}",
                            name, e.getMessage(), call.size(), deadLetterStream);
                    Map<String, List<OutboundSample>> rejected = new LinkedHashMap<>();
                    for (Packet p : call) rejected.computeIfAbsent(e.getMessage(), k -> new ArrayList<>()).addAll(p.samples());
                    if (!deadLetter(rejected)) return false;
                    inFlight.settle(call);
                    continue;
                }
                counters.retried(call.size());
                health.failed(DeliveryHealth.reasonKey(e.getMessage()), e.getMessage());
                lifecycle.activity(DestinationState.BACKING_OFF);
                pacing.sleep(health.nextBackoffNanos());
                continue;
            } catch (DeadlinePassed e) {
                // the call in flight is abandoned unanswered: its packets are sent again after the next start
                inFlight.answered(call);
                continue;
            }
            inFlight.answered(call);
            counters.called();
            if (!settle(inFlight, call, outcomes)) return false;
        }
        cursors.commit(window.endSequences, receipts);
        return true;
    }

    /** Applies the outcomes of an answered call; false if rejected samples could not be dead-lettered. */
    private boolean settle(InFlightWindow inFlight, List<Packet> call, List<PacketOutcome> outcomes) {
        boolean throttled = false;
        boolean retry = false;
        List<Packet> settled = new ArrayList<>();
        Map<String, List<OutboundSample>> rejected = new LinkedHashMap<>();
        for (int i = 0; i < call.size(); i++) {
            Packet packet = call.get(i);
            PacketOutcome outcome = outcomes.get(i);
            if (outcome instanceof PacketOutcome.Delivered d) {
                settled.add(packet);
                counters.delivered(packet);
                if (d.receipt() != null) keepReceipt(packet, d.receipt());
            } else if (outcome instanceof PacketOutcome.Reject r) {
                settled.add(packet);
                rejected.computeIfAbsent(r.reason(), k -> new ArrayList<>()).addAll(packet.samples());
                health.failed("rejected: " + DeliveryHealth.reasonKey(r.reason()), r.reason());
            } else if (outcome instanceof PacketOutcome.Retry r) {
                retry = true;
                counters.retried(1);
                if (r.throttled()) {
                    throttled = true;
                    counters.throttled();
                }
                health.failed(DeliveryHealth.reasonKey(r.reason()), r.reason());
            }
        }
        inFlight.settle(settled);
        if (!rejected.isEmpty() && !deadLetter(rejected)) return false;
        if (throttled && rates.slowDown()) {
            log.warn("destination {}: throttled by the service, slowing down to {}% of the configured rate",
                    name, Math.round(rates.factor() * 100));
        }
        if (retry) {
            lifecycle.activity(DestinationState.BACKING_OFF);
            pacing.sleep(health.nextBackoffNanos());
        } else {
            health.succeeded();
            rates.recover();
        }
        return true;
    }

    /** Keeps a delivered packet's receipt, one per run of consecutive samples of a stream, until the cursors move. */
    private void keepReceipt(Packet packet, Receipt receipt) {
        long at = clock.millis();
        String stream = null;
        long first = 0;
        long last = 0;
        for (OutboundSample s : packet.samples()) {
            if (stream != null && s.stream().equals(stream) && s.sequence() == last + 1) {
                last = s.sequence();
                continue;
            }
            if (stream != null) receipts.add(new DeliveryReceipt(stream, first, last, name, at, receipt));
            stream = s.stream();
            first = s.sequence();
            last = first;
        }
        if (stream != null) receipts.add(new DeliveryReceipt(stream, first, last, name, at, receipt));
    }

    /**
     * One call; any unexpected exception from the destination counts as a retryable failure of the call. Throws
     * {@link DeadlinePassed} when a stop's drain deadline passes before the answer.
     */
    private List<PacketOutcome> awaitOutcomes(List<Packet> call) {
        CompletableFuture<List<PacketOutcome>> future;
        try {
            future = destination.sendAsync(call);
        } catch (SluiceException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SluiceException(e.getClass().getSimpleName() + ": " + e.getMessage(), true, e);
        }
        long timeoutAt = clock.nanoTime() + CALL_TIMEOUT.toNanos();
        while (true) {
            long slice = Math.min(Math.min(timeoutAt - clock.nanoTime(), lifecycle.nanosLeft()), 100_000_000L);
            try {
                return future.get(Math.max(slice, 0), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (lifecycle.pastDeadline()) throw new DeadlinePassed();
                if (clock.nanoTime() - timeoutAt >= 0) {
                    throw new SluiceException("no answer within " + Durations.format(CALL_TIMEOUT), true, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SluiceException("interrupted while waiting for the destination", true, e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof SluiceException se) throw se;
                throw new SluiceException(cause.getClass().getSimpleName() + ": " + cause.getMessage(), true, cause);
            }
        }
    }

    /**
     * Packets for the next call: in order, within the call limits, at most one per ordering key in flight. When a
     * packet must wait for an earlier one with its key, no packet of a lower-priority stream may overtake it.
     */
    private List<Packet> nextCall(InFlightWindow inFlight) {
        List<Packet> call = new ArrayList<>();
        Set<String> keysSeen = new HashSet<>();
        long callBytes = 0;
        int waitingPriority = Integer.MAX_VALUE;
        Map<String, Integer> priorities = new HashMap<>();
        for (ExportPlan e : exports.get()) priorities.put(e.stream(), e.priority());
        for (Packet p : inFlight.pending()) {
            if (inFlight.inFlight(p)) {
                keysSeen.add(p.orderingKey());
                continue;
            }
            int priority = priorityOf(p, priorities);
            if (!keysSeen.add(p.orderingKey())) {
                waitingPriority = Math.min(waitingPriority, priority);
                continue;
            }
            if (priority > waitingPriority) continue;
            if (call.size() >= limits.maxPacketsPerCall()) break;
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

    /** Waits until the rate limits allow the call and takes its tokens; false when the window is given up first. */
    private boolean waitForRate(int packetCount, long byteCount) {
        while (!pacing.giveUp()) {
            long wait = rates.waitNanos(packetCount, byteCount);
            if (wait == 0) {
                rates.take(packetCount, byteCount);
                return true;
            }
            pacing.sleep(wait);
        }
        return false;
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
