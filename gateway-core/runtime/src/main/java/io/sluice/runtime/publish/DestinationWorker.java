package io.sluice.runtime.publish;

import io.sluice.runtime.config.DestinationInstance;
import io.sluice.runtime.route.AssetResolver;
import io.sluice.runtime.store.ReadBatch;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StoredSample;
import io.sluice.spi.Durations;
import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationLimits;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.spi.destination.RateLimits;
import io.sluice.spi.destination.Rejection;
import io.sluice.support.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the streams exported to one destination, highest priority first, in windows:
 * <ol>
 *   <li>read up to the destination's window from the streams in priority order (a stream waiting on its batch
 *       interval is skipped, giving the capacity to lower priorities);</li>
 *   <li>let the destination pack the window into packets; samples it can never send go to the dead-letter stream;</li>
 *   <li>send packets in calls within the service limits and the rate limits, never two packets with one ordering
 *       key in flight; retry only the packets that failed, with backoff; dead-letter the ones rejected;</li>
 *   <li>when every packet of the window is settled, move the cursors to the end of the window.</li>
 * </ol>
 * A crash between 3 and 4 redelivers at most that window (at-least-once).
 *
 * <p>Steps 1 and 2 of the next window run on a second thread while the current window is being sent, so a slow
 * service call and the packing overlap. A read-ahead window is thrown away and read again when a stream of higher
 * priority than one in it received samples meanwhile (for example during an outage), so read-ahead never lets
 * lower-priority samples overtake.
 */
final class DestinationWorker implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(DestinationWorker.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);
    private static final long IDLE_PARK_NANOS = 5_000_000L;
    private static final long PAUSED_PARK_NANOS = 100_000_000L;

    private final DestinationInstance instance;
    private final Destination destination;
    private final SqliteStreamStore store;
    private final DestinationLimits limits;
    private final TokenBucket calls;
    private final TokenBucket packets;
    private final TokenBucket bytes;
    private final double[] configuredRates;
    private final Backoff backoff;
    private final DestinationLifecycle lifecycle;
    /** Runs before each read on this worker's thread: gives newly exported streams their first cursor. */
    private final Runnable beforeRead;
    private volatile List<ExportPlan> exports;
    private volatile AssetResolver assets;
    private volatile Thread thread;

    private final AtomicLong samplesSent;
    private final AtomicLong packetsSent;
    private final AtomicLong bytesSent;
    private final AtomicLong callCount;
    private final AtomicLong retries;
    private final AtomicLong throttles;
    private final Map<String, AtomicLong> failures;
    private final DeadLetterWriter deadLetters;
    private volatile long lastSuccessMillis;
    private volatile String lastError = "";
    private volatile double rateFactor = 1.0;
    private boolean failing;
    /** Epoch millis of the first failure of the current failing episode, 0 while delivering. */
    private volatile long failingSinceMillis;
    /** System.nanoTime() when the current backoff wait ends, or 0 when not waiting. */
    private volatile long retryAtNanos;
    /** End of the last settled window per stream: ahead of the durable cursor while its commit is on the way. */
    private final Map<String, Long> positions = new java.util.HashMap<>();
    /**
     * Next sequence to read per stream, ahead of {@link #positions} by the read-ahead window. Touched by one thread
     * at a time: the read-ahead thread while a read is under way, the worker thread otherwise.
     */
    private final Map<String, Long> readPositions = new java.util.HashMap<>();
    private final java.util.concurrent.ExecutorService readAhead;
    /** Cursor moves asked for by an operator (replay), carried out on this worker's thread between windows. */
    private final java.util.concurrent.ConcurrentLinkedQueue<CursorMove> cursorMoves = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private record CursorMove(String stream, long nextSequence, java.util.concurrent.CompletableFuture<Void> done) {}

    /** One stream exported to this destination. */
    record ExportPlan(String stream, int priority, Duration batchInterval, int batchMaxSamples) {}

    /** Thrown inside a send when the drain deadline of a stop passed before the call was answered. */
    private static final class DeadlinePassed extends RuntimeException {
        DeadlinePassed() {
            super("drain deadline passed", null, false, false);
        }
    }

    DestinationWorker(DestinationInstance instance, Destination destination, SqliteStreamStore store,
                      List<ExportPlan> exports, AssetResolver assets, DestinationCounters counters,
                      DestinationLifecycle lifecycle, Runnable beforeRead) {
        this.instance = instance;
        this.destination = destination;
        this.store = store;
        this.lifecycle = lifecycle;
        this.beforeRead = beforeRead;
        this.limits = destination.limits();
        RateLimits defaults = limits.defaultRates();
        this.configuredRates = new double[] {
                instance.rate().callsPerSecond().orElse(defaults.callsPerSecond()),
                instance.rate().packetsPerSecond().orElse(defaults.packetsPerSecond()),
                instance.rate().bytesPerSecond().orElse(defaults.bytesPerSecond())};
        this.calls = new TokenBucket(configuredRates[0]);
        this.packets = new TokenBucket(configuredRates[1]);
        this.bytes = new TokenBucket(configuredRates[2]);
        this.backoff = Backoff.withConfiguredCap(Duration.ofMillis(200), instance.maxBackoff());
        this.assets = assets;
        updateExports(exports);
        this.samplesSent = counters.samplesSent;
        this.packetsSent = counters.packetsSent;
        this.bytesSent = counters.bytesSent;
        this.callCount = counters.calls;
        this.retries = counters.retries;
        this.throttles = counters.throttles;
        this.failures = counters.failures;
        this.deadLetters = new DeadLetterWriter(instance.name(), instance.deadLetterStream(), store, counters);
        this.readAhead = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-publish-" + instance.name() + "-read");
            t.setDaemon(true);
            return t;
        });
    }

    /** Highest priority first, then by name: the order windows are filled in. */
    static List<ExportPlan> sorted(List<ExportPlan> plans) {
        List<ExportPlan> sorted = new ArrayList<>(plans);
        sorted.sort(java.util.Comparator.comparingInt(ExportPlan::priority).thenComparing(ExportPlan::stream));
        return List.copyOf(sorted);
    }

    void updateExports(List<ExportPlan> newExports) {
        this.exports = sorted(newExports);
    }

    void updateAssets(AssetResolver resolver) {
        this.assets = resolver;
    }

    /** Ends a wait early (a stop was asked for). */
    void wake() {
        Thread t = thread;
        if (t != null) LockSupport.unpark(t);
    }

    /**
     * Moves this destination's cursor of {@code stream} to {@code nextSequence} (backwards for a replay). Done on the
     * worker's thread between windows, so no commit of its own overtakes it: a window being sent is given up after its
     * settled packets, and reading continues from the new cursor. Completes once the move is durable.
     */
    java.util.concurrent.CompletableFuture<Void> moveCursor(String stream, long nextSequence) {
        CursorMove move = new CursorMove(stream, nextSequence, new java.util.concurrent.CompletableFuture<>());
        cursorMoves.add(move);
        wake();
        return move.done();
    }

    /** Something asks the worker to leave the window it is sending: a pause or a cursor move. */
    private boolean operatorWaiting() {
        return lifecycle.pauseRequested() || !cursorMoves.isEmpty();
    }

    private void moveCursors() {
        for (CursorMove move; (move = cursorMoves.poll()) != null; ) {
            try {
                Durations.await(store.moveCursor(move.stream(), instance.name(), move.nextSequence()), CALL_TIMEOUT);
                positions.put(move.stream(), move.nextSequence());
                readPositions.put(move.stream(), move.nextSequence());
                move.done().complete(null);
            } catch (RuntimeException e) {
                move.done().completeExceptionally(e);
            }
        }
    }

    String lastError() {
        return lastError;
    }

    long lastSuccessMillis() {
        return lastSuccessMillis;
    }

    double rateFactor() {
        return rateFactor;
    }

    /** Epoch millis since which calls have been failing, 0 while delivering. */
    long failingSinceMillis() {
        return failingSinceMillis;
    }

    /** Milliseconds until the next retry while backing off, -1 when not waiting. */
    long nextRetryInMillis() {
        long at = retryAtNanos;
        return at == 0 ? -1 : Math.max(0, (at - System.nanoTime()) / 1_000_000);
    }

    /**
     * Sends until stopped. After a stop request (state STOPPING) it keeps sending, batch intervals no longer waited
     * for, until everything stored is sent (drained) or the drain deadline passes; an answered call always moves the
     * cursors over what it settled.
     */
    @Override
    public void run() {
        thread = Thread.currentThread();
        java.util.concurrent.Future<Prepared> ahead = null;
        try {
            while (!lifecycle.pastDeadline()) {
                try {
                    if (operatorWaiting()) {
                        if (ahead != null) awaitQuietly(ahead);
                        ahead = null;
                        rewindReads();
                        moveCursors();
                        if (lifecycle.pauseRequested()) {
                            if (lifecycle.stopRequested()) break; // a paused destination does not drain at stop
                            lifecycle.enterPause();
                            LockSupport.parkNanos(PAUSED_PARK_NANOS);
                        }
                        continue;
                    }
                    beforeRead.run();
                    Prepared current = ahead != null ? awaitReadAhead(ahead) : prepare(false);
                    ahead = null;
                    if (current.window.samples.isEmpty()) {
                        if (current.window.endSequences.isEmpty()) {
                            if (lifecycle.stopRequested() && !current.readAhead) {
                                log.info("destination {}: drained at stop", instance.name());
                                break;
                            }
                            lifecycle.activity(DestinationState.IDLE);
                            if (!lifecycle.stopRequested()) LockSupport.parkNanos(IDLE_PARK_NANOS);
                        } else {
                            commitCursors(current.window.endSequences); // only skipped damaged blocks
                        }
                        continue;
                    }
                    if (current.readAhead && overtakenByHigherPriority(current.window)) {
                        rewindReads();
                        continue;
                    }
                    lifecycle.activity(DestinationState.SENDING);
                    ahead = readAhead.submit(() -> prepare(true));
                    if (deliver(current)) {
                        commitCursors(current.window.endSequences);
                    } else {
                        // not settled (stopping, or the dead-letter stream refused): send this window again first
                        awaitQuietly(ahead);
                        ahead = null;
                        rewindReads();
                    }
                } catch (RuntimeException e) {
                    recordFailure("internal: " + e.getClass().getSimpleName(), e.getMessage());
                    log.error("destination {}: publisher error, retrying after backoff", instance.name(), e);
                    if (ahead != null) awaitQuietly(ahead);
                    ahead = null;
                    rewindReads();
                    sleep(backoff.nextNanos());
                }
            }
            if (lifecycle.pastDeadline() && hasBacklog()) {
                log.warn("destination {}: drain deadline ({}) passed at stop; the rest is sent after the next start",
                        instance.name(), Durations.format(instance.drainOnStop()));
            }
        } finally {
            if (ahead != null) ahead.cancel(false);
            readAhead.shutdown();
        }
    }

    private boolean hasBacklog() {
        for (ExportPlan plan : exports) {
            long at = positions.getOrDefault(plan.stream(), store.cursor(plan.stream(), instance.name()));
            if (store.nextSequence(plan.stream()) > at) return true;
        }
        return false;
    }

    private static final class Window {
        final List<OutboundSample> samples = new ArrayList<>();
        final Map<String, Long> endSequences = new LinkedHashMap<>();
        /** Lowest priority (highest number) of a stream with samples in the window. */
        int lowestPriority = Integer.MIN_VALUE;
    }

    /** A window read from the store and packed; {@code readAhead} when read while the previous one was sent. */
    private record Prepared(Window window, PackResult packed, boolean readAhead) {}

    private Prepared prepare(boolean readAhead) {
        Window window = readWindow();
        PackResult packed = window.samples.isEmpty() ? null : destination.pack(window.samples);
        return new Prepared(window, packed, readAhead);
    }

    private Prepared awaitReadAhead(java.util.concurrent.Future<Prepared> ahead) {
        try {
            return ahead.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading ahead", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void awaitQuietly(java.util.concurrent.Future<Prepared> ahead) {
        try {
            ahead.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException ignored) {
            // the read-ahead window is discarded anyway
        }
    }

    /** Forgets windows read but not settled: the next read starts after the last settled window. */
    private void rewindReads() {
        readPositions.clear();
        readPositions.putAll(positions);
    }

    /**
     * Whether a stream of higher priority than the lowest one in a read-ahead window has samples the window does
     * not hold and that a fresh read would take.
     */
    private boolean overtakenByHigherPriority(Window window) {
        long nowNanos = System.currentTimeMillis() * 1_000_000L;
        for (ExportPlan plan : exports) {
            if (plan.priority() >= window.lowestPriority) break;
            long durable = store.cursor(plan.stream(), instance.name());
            long cursor = Math.max(durable, readPositions.getOrDefault(plan.stream(), durable));
            if (readable(plan, cursor, nowNanos)) return true;
        }
        return false;
    }

    /** Whether the stream has samples after {@code cursor} that are due (not waiting on the batch interval). */
    private boolean readable(ExportPlan plan, long cursor, long nowNanos) {
        long next = store.nextSequence(plan.stream());
        if (next <= cursor) return false;
        if (plan.batchInterval().isZero() || lifecycle.stopRequested()) return true;
        boolean enough = plan.batchMaxSamples() > 0 && next - cursor >= plan.batchMaxSamples();
        long oldest = store.receiveTimeAt(plan.stream(), cursor);
        boolean oldEnough = oldest >= 0 && nowNanos - oldest >= plan.batchInterval().toNanos();
        return enough || oldEnough;
    }

    private Window readWindow() {
        Window window = new Window();
        int budget = limits.maxSamplesPerWindow();
        long nowNanos = System.currentTimeMillis() * 1_000_000L;
        AssetResolver resolver = assets;
        for (ExportPlan plan : exports) {
            if (budget <= 0) break;
            long durable = store.cursor(plan.stream(), instance.name());
            long cursor = Math.max(durable, readPositions.getOrDefault(plan.stream(), durable));
            if (!readable(plan, cursor, nowNanos)) continue; // waiting on its batch interval: lower priorities may go
            int take = plan.batchMaxSamples() > 0 ? Math.min(budget, plan.batchMaxSamples()) : budget;
            ReadBatch batch = store.read(plan.stream(), cursor, take);
            for (StoredSample s : batch.samples()) {
                window.samples.add(new OutboundSample(plan.stream(), s.sequence(), s.connector(), s.sample(),
                        resolver.resolve(s.connector(), s.sample().tag())));
            }
            if (!batch.samples().isEmpty()) window.lowestPriority = Math.max(window.lowestPriority, plan.priority());
            if (batch.nextSequence() > cursor) {
                window.endSequences.put(plan.stream(), batch.nextSequence());
                readPositions.put(plan.stream(), batch.nextSequence());
            }
            budget -= batch.samples().size();
        }
        return window;
    }

    /** Sends a whole window; true when every packet is settled (delivered or dead-lettered). */
    private boolean deliver(Prepared prepared) {
        PackResult packed = prepared.packed();
        if (!packed.rejected().isEmpty()) {
            if (!deadLetter(groupRejections(packed.rejected()))) return false;
        }
        List<Packet> pending = new ArrayList<>(packed.packets());
        while (!pending.isEmpty()) {
            if (lifecycle.pastDeadline() || operatorWaiting()) {
                commitSettledPrefix(prepared.window(), pending);
                return false;
            }
            List<Packet> call = nextCall(pending);
            long callBytes = call.stream().mapToLong(Packet::sizeBytes).sum();
            if (!waitForRate(call.size(), callBytes)) continue;
            List<PacketOutcome> outcomes;
            try {
                outcomes = awaitOutcomes(call);
                if (outcomes == null || outcomes.size() != call.size()) {
                    throw new SluiceException("destination returned " + (outcomes == null ? "no" : outcomes.size())
                            + " outcomes for " + call.size() + " packets", true);
                }
            } catch (SluiceException e) {
                callCount.incrementAndGet();
                if (!e.retryable()) {
                    log.error("destination {}: call rejected as invalid ({}); its {} packets go to the dead-letter stream {}",
                            instance.name(), e.getMessage(), call.size(), instance.deadLetterStream());
                    Map<String, List<OutboundSample>> rejected = new LinkedHashMap<>();
                    for (Packet p : call) rejected.computeIfAbsent(e.getMessage(), k -> new ArrayList<>()).addAll(p.samples());
                    if (!deadLetter(rejected)) return false;
                    Set<Packet> sent = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                    sent.addAll(call);
                    pending.removeIf(sent::contains);
                    continue;
                }
                retries.addAndGet(call.size());
                recordFailure(reasonKey(e.getMessage()), e.getMessage());
                lifecycle.activity(DestinationState.BACKING_OFF);
                sleep(backoff.nextNanos());
                continue;
            } catch (DeadlinePassed e) {
                // the call in flight is abandoned unanswered: its packets are sent again after the next start
                continue;
            }
            callCount.incrementAndGet();
            boolean throttled = false;
            boolean retry = false;
            Set<Packet> settled = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            Map<String, List<OutboundSample>> rejected = new LinkedHashMap<>();
            for (int i = 0; i < call.size(); i++) {
                Packet packet = call.get(i);
                PacketOutcome outcome = outcomes.get(i);
                if (outcome instanceof PacketOutcome.Delivered) {
                    settled.add(packet);
                    samplesSent.addAndGet(packet.samples().size());
                    packetsSent.incrementAndGet();
                    bytesSent.addAndGet(packet.sizeBytes());
                } else if (outcome instanceof PacketOutcome.Reject r) {
                    settled.add(packet);
                    rejected.computeIfAbsent(r.reason(), k -> new ArrayList<>()).addAll(packet.samples());
                    recordFailure("rejected: " + reasonKey(r.reason()), r.reason());
                } else if (outcome instanceof PacketOutcome.Retry r) {
                    retry = true;
                    retries.incrementAndGet();
                    if (r.throttled()) {
                        throttled = true;
                        throttles.incrementAndGet();
                    }
                    recordFailure(reasonKey(r.reason()), r.reason());
                }
            }
            pending.removeIf(settled::contains);
            if (!rejected.isEmpty() && !deadLetter(rejected)) return false;
            if (throttled) slowDown();
            if (retry) {
                lifecycle.activity(DestinationState.BACKING_OFF);
                sleep(backoff.nextNanos());
            } else {
                succeeded();
            }
        }
        return true;
    }

    /**
     * One call; any unexpected exception from the destination counts as a retryable failure of the call. Throws
     * {@link DeadlinePassed} when a stop's drain deadline passes before the answer.
     */
    private List<PacketOutcome> awaitOutcomes(List<Packet> call) {
        java.util.concurrent.CompletableFuture<List<PacketOutcome>> future;
        try {
            future = destination.sendAsync(call);
        } catch (SluiceException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SluiceException(e.getClass().getSimpleName() + ": " + e.getMessage(), true, e);
        }
        long timeoutAt = System.nanoTime() + CALL_TIMEOUT.toNanos();
        while (true) {
            long slice = Math.min(Math.min(timeoutAt - System.nanoTime(), lifecycle.nanosLeft()), 100_000_000L);
            try {
                return future.get(Math.max(slice, 0), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (lifecycle.pastDeadline()) throw new DeadlinePassed();
                if (System.nanoTime() - timeoutAt >= 0) {
                    throw new SluiceException("no answer within " + Durations.format(CALL_TIMEOUT), true, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SluiceException("interrupted while waiting for the destination", true, e);
            } catch (java.util.concurrent.ExecutionException e) {
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
    private List<Packet> nextCall(List<Packet> pending) {
        List<Packet> call = new ArrayList<>();
        Set<String> keysSeen = new HashSet<>();
        long callBytes = 0;
        int waitingPriority = Integer.MAX_VALUE;
        Map<String, Integer> priorities = streamPriorities();
        for (Packet p : pending) {
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

    private Map<String, Integer> streamPriorities() {
        Map<String, Integer> priorities = new java.util.HashMap<>();
        for (ExportPlan e : exports) priorities.put(e.stream(), e.priority());
        return priorities;
    }

    private static int priorityOf(Packet p, Map<String, Integer> priorities) {
        int best = Integer.MAX_VALUE;
        for (OutboundSample s : p.samples()) best = Math.min(best, priorities.getOrDefault(s.stream(), 10));
        return best;
    }

    /** Waits until the rate limits allow the call and takes its tokens; false when a stop's deadline passed first. */
    private boolean waitForRate(int packetCount, long byteCount) {
        while (!lifecycle.pastDeadline() && !operatorWaiting()) {
            long wait = Math.max(calls.waitNanos(1), Math.max(packets.waitNanos(packetCount), bytes.waitNanos(byteCount)));
            if (wait == 0) {
                calls.take(1);
                packets.take(packetCount);
                bytes.take(byteCount);
                return true;
            }
            sleep(wait);
        }
        return false;
    }

    private void slowDown() {
        double factor = Math.max(0.1, rateFactor * 0.5);
        if (factor != rateFactor) {
            rateFactor = factor;
            applyRateFactor();
            log.warn("destination {}: throttled by the service, slowing down to {}% of the configured rate",
                    instance.name(), Math.round(factor * 100));
        }
    }

    private void succeeded() {
        backoff.reset();
        lastSuccessMillis = System.currentTimeMillis();
        if (failing) {
            failing = false;
            failingSinceMillis = 0;
            lastError = "";
            log.info("destination {}: delivering again", instance.name());
        }
        if (rateFactor < 1.0) {
            rateFactor = Math.min(1.0, rateFactor * 1.05);
            applyRateFactor();
        }
    }

    private void applyRateFactor() {
        calls.setRate(configuredRates[0] * rateFactor);
        packets.setRate(configuredRates[1] * rateFactor);
        bytes.setRate(configuredRates[2] * rateFactor);
    }

    private Map<String, List<OutboundSample>> groupRejections(List<Rejection> rejections) {
        Map<String, List<OutboundSample>> byReason = new LinkedHashMap<>();
        for (Rejection r : rejections) {
            byReason.computeIfAbsent(r.reason(), k -> new ArrayList<>()).add(r.sample());
            recordFailure("rejected: " + reasonKey(r.reason()), r.reason());
        }
        return byReason;
    }

    /** Moves rejected samples to the dead-letter stream; false if the store refused them (the window is retried). */
    private boolean deadLetter(Map<String, List<OutboundSample>> byReason) {
        try {
            deadLetters.append(byReason, CALL_TIMEOUT);
            return true;
        } catch (SluiceException ex) {
            recordFailure("dead-letter append failed", ex.getMessage());
            log.error("destination {}: cannot write to dead-letter stream {}: {}", instance.name(), instance.deadLetterStream(), ex.getMessage());
            sleep(backoff.nextNanos());
            return false;
        }
    }

    /**
     * Moves the cursors to the end of a settled window. The commit is not awaited: the next window reads from the
     * local position, and if the process dies before the commit, the window is delivered again (at-least-once).
     */
    private void commitCursors(Map<String, Long> ends) {
        ends.forEach((stream, end) -> {
            if (end <= positions.getOrDefault(stream, -1L)) return;
            positions.put(stream, end);
            store.commitCursor(stream, instance.name(), end).whenComplete((ok, failure) -> {
                if (failure != null) {
                    log.warn("destination {}: cursor commit for {} failed ({}); samples may be redelivered",
                            instance.name(), stream, failure.getMessage());
                }
            });
        });
    }

    private void recordFailure(String key, String detail) {
        failures.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        lastError = detail == null ? key : detail;
        if (!failing) {
            failing = true;
            failingSinceMillis = System.currentTimeMillis();
            log.warn("destination {}: {}", instance.name(), lastError);
        }
    }

    /** A reason with numbers and ids replaced ({@code N}, {@code *}), so failures group by kind. */
    static String reasonKey(String reason) {
        if (reason == null) return "unknown";
        String key = reason.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "*").replaceAll("\\d+", "N");
        return key.length() > 80 ? key.substring(0, 80) : key;
    }

    /**
     * When a stop's deadline ends a window half sent, moves each stream's cursor over the samples settled so far
     * (up to its first sample still in a pending packet), so answered calls are not sent again after a restart.
     */
    private void commitSettledPrefix(Window window, List<Packet> pending) {
        Map<String, Long> settled = new LinkedHashMap<>(window.endSequences);
        for (Packet p : pending) {
            for (OutboundSample s : p.samples()) settled.merge(s.stream(), s.sequence(), Math::min);
        }
        commitCursors(settled);
    }

    /** Waits {@code nanos}, or less when a stop's deadline comes first. */
    private void sleep(long nanos) {
        long deadline = System.nanoTime() + nanos;
        retryAtNanos = deadline == 0 ? 1 : deadline;
        try {
            while (!lifecycle.pastDeadline() && !operatorWaiting()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                LockSupport.parkNanos(Math.min(left, 100_000_000L));
            }
        } finally {
            retryAtNanos = 0;
        }
    }
}
