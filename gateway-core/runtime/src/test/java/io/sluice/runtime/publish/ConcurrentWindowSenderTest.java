package io.sluice.runtime.publish;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.route.AssetResolver;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationLimits;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.spi.destination.RateLimits;
import io.sluice.support.Backoff;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window sent with several calls in flight, against a destination whose answers the test releases in any order, on
 * a clock the test moves (a wait of the sender advances it): the limit on calls in flight, order per ordering key,
 * a retry holding only its own key, the cursor over the settled prefix only, and a throttling answer holding all keys.
 */
@Timeout(60)
class ConcurrentWindowSenderTest {

    private static final Instant T0 = Instant.parse("2026-12-07T03:00:00Z");

    @TempDir
    Path dir;

    private final ManualClock wall = new ManualClock(T0);
    private final PublishClock clock = PublishClock.of(wall);
    private final List<Long> waits = new CopyOnWriteArrayList<>();
    private final ExecutorService sending = Executors.newSingleThreadExecutor();
    private SqliteStreamStore store;
    private WindowReader reader;
    private WindowSender sender;
    private CallRateLimiter rates;
    private HeldDestination destination;
    private volatile boolean giveUp;
    /** Samples per window (the destination's maxSamplesPerWindow). */
    private int windowSamples = 1000;
    /** Size of each packet the test destination packs. */
    private int packetBytes = 5;

    /**
     * A destination that packs 5 samples of one tag into a packet (ordering key: the tag) and answers a call when the
     * test says so, or at once with {@link #script} when {@link #hold} is false. It records a violation if two packets
     * of one key are ever in flight at once.
     */
    final class HeldDestination implements Destination {
        record Call(int number, List<Packet> packets, long sentAtNanos, CompletableFuture<List<PacketOutcome>> answer) {}

        final int packetsPerCall;
        final RateLimits rateLimits;
        volatile boolean hold = true;
        /** (attempt of this packet, packet) -> outcome. */
        volatile BiFunction<Integer, Packet, PacketOutcome> script = (attempt, p) -> PacketOutcome.DELIVERED;
        final LinkedBlockingDeque<Call> outstanding = new LinkedBlockingDeque<>();
        final List<Call> calls = new CopyOnWriteArrayList<>();
        final List<Packet> sent = new CopyOnWriteArrayList<>();
        final List<Call> answered = new CopyOnWriteArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        private final Set<String> keysInFlight = new HashSet<>();
        private final Map<Packet, Integer> attempts = new HashMap<>();
        final AtomicReference<String> violation = new AtomicReference<>();
        /** The packets of a window, when a test packs on its own. */
        volatile java.util.function.Function<List<OutboundSample>, List<Packet>> packing;

        HeldDestination(int packetsPerCall, RateLimits rateLimits) {
            this.packetsPerCall = packetsPerCall;
            this.rateLimits = rateLimits;
        }

        @Override
        public DestinationLimits limits() {
            return new DestinationLimits(packetsPerCall, 1 << 20, 1 << 20, windowSamples, rateLimits, 8);
        }

        @Override
        public PackResult pack(List<OutboundSample> samples) {
            if (packing != null) return PackResult.of(packing.apply(samples));
            Map<String, List<OutboundSample>> byTag = new LinkedHashMap<>();
            for (OutboundSample s : samples) byTag.computeIfAbsent(s.sample().tag(), k -> new ArrayList<>()).add(s);
            List<Packet> packets = new ArrayList<>();
            Map<String, Integer> seen = new HashMap<>();
            for (OutboundSample s : samples) {
                // packets in the order of their first sample, 5 samples of one tag each
                List<OutboundSample> ofTag = byTag.get(s.sample().tag());
                int at = seen.merge(s.sample().tag(), 1, Integer::sum) - 1;
                if (at % 5 == 0) {
                    packets.add(new Packet(s.sample().tag(), packetBytes, ofTag.subList(at, Math.min(at + 5, ofTag.size())), null));
                }
            }
            return PackResult.of(packets);
        }

        @Override
        public synchronized CompletableFuture<List<PacketOutcome>> sendAsync(List<Packet> packets) {
            for (Packet p : packets) {
                for (String key : p.orderingKeys()) {
                    if (!keysInFlight.add(key)) violation.compareAndSet(null, "two packets of " + key + " in flight");
                }
            }
            sent.addAll(packets);
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            Call call = new Call(calls.size() + 1, List.copyOf(packets), clock.nanoTime(), new CompletableFuture<>());
            calls.add(call);
            if (hold) {
                outstanding.add(call);
            } else {
                answer(call, script);
            }
            return call.answer();
        }

        /** Answers {@code call} with the outcomes {@code script} gives. */
        void answer(Call call, BiFunction<Integer, Packet, PacketOutcome> outcomes) {
            List<PacketOutcome> answer = new ArrayList<>();
            synchronized (this) {
                for (Packet p : call.packets()) {
                    p.orderingKeys().forEach(keysInFlight::remove);
                    answer.add(outcomes.apply(attempts.merge(p, 1, Integer::sum), p));
                }
                inFlight.decrementAndGet();
                answered.add(call);
            }
            call.answer().complete(answer);
        }

        void answer(Call call) {
            answer(call, script);
        }

        /** The next call held for an answer, waiting for it to be made. */
        Call next() throws InterruptedException {
            Call call = outstanding.poll(10, TimeUnit.SECONDS);
            assertNotNull(call, "a call was made");
            return call;
        }
    }

    /** {@code samples} samples of stream s, tag of sample i is {@code tags.apply(i)}; a sender with {@code maxInFlight}. */
    private void open(int samples, IntFunction<String> tags, int packetsPerCall, RateLimits rateLimits, int maxInFlight) {
        store = StoreFixture.open(dir.resolve("store.db"), """
                streams:
                  s: {priority: 1, export: [{destination: out}]}
                destinations:
                  out: {type: scripted}
                """);
        List<Sample> values = new ArrayList<>();
        for (int i = 0; i < samples; i++) values.add(Sample.good(tags.apply(i), Value.of((long) i), System.currentTimeMillis() * 1_000_000L + i)); // now: older ones outlive no retention pass
        Durations.await(store.append("s", "c", values, null), Duration.ofSeconds(10));

        DestinationCounters counters = new DestinationCounters("out", new SimpleMeterRegistry());
        DestinationLifecycle lifecycle = new DestinationLifecycle(new AtomicReference<>(), clock);
        lifecycle.started();
        DeliveryHealth health = new DeliveryHealth("out", counters, clock,
                new Backoff(DeliveryHealth.FIRST_RETRY, Duration.ofSeconds(5), () -> 0.0));
        destination = new HeldDestination(packetsPerCall, rateLimits);
        SettledCursors cursors = new SettledCursors(store, "out");
        reader = new WindowReader("out", destination, store, List.of(new ExportPlan("s", 1, Duration.ZERO, 0)),
                new AssetResolver(Map.of(), List.of()), lifecycle, cursors, clock);
        WindowSender.Pacing pacing = new WindowSender.Pacing() {
            public boolean giveUp() {
                return giveUp;
            }

            public void sleep(long nanos) {
                waits.add(nanos);
                wall.advance(Duration.ofNanos(nanos));
            }
        };
        rates = new CallRateLimiter(rateLimits, clock);
        sender = new WindowSender("out", "s-dead-letter", destination, lifecycle, counters, health, rates,
                new DeadLetterWriter("out", "s-dead-letter", store, counters), cursors, clock, reader::exports, pacing,
                maxInFlight);
    }

    @AfterEach
    void close() {
        sending.shutdownNow();
        if (reader != null) reader.close();
        if (store != null) store.close();
    }

    /** Sends the next window on another thread. */
    private Future<Boolean> sendWindow() {
        WindowReader.Prepared window = reader.next();
        return sending.submit(() -> sender.send(window.window(), window.packed()));
    }

    /**
     * Sends the next window on another thread, taking the windows read ahead while it is in flight as the worker does
     * (it reads the one after each window it hands over).
     */
    private Future<Boolean> sendWindows() {
        WindowReader.Prepared first = reader.next();
        reader.readAhead();
        WindowSender.WindowSource more = inFlightEnds -> {
            if (!reader.aheadReady()) return null;
            WindowReader.Prepared next = reader.next();
            reader.readAhead();
            return next.window().samples.isEmpty() ? null : next;
        };
        return sending.submit(() -> sender.send(first.window(), first.packed(), more));
    }

    /** The ordering keys of the calls made so far, one packet per call. */
    private List<String> keysCalled() {
        return destination.calls.stream().map(c -> c.packets().get(0).orderingKey()).toList();
    }

    private long durableCursor() {
        Durations.await(store.flush(), Duration.ofSeconds(10));
        return store.cursor("s", "out");
    }

    /** The first sequences of the packets sent with ordering key {@code key}, in the order they were sent. */
    private List<Long> sentOf(String key) {
        return destination.sent.stream().filter(p -> p.orderingKey().equals(key))
                .map(p -> p.samples().get(0).sequence()).toList();
    }

    @Test
    void upToMaxInFlightCallsAreInFlightAtOnceAndNoMore() throws Exception {
        open(160, i -> "k" + (i % 16), 1, RateLimits.UNLIMITED, 8); // 32 packets, 16 keys
        Future<Boolean> result = sendWindow();
        await("8 calls in flight").atMost(Duration.ofSeconds(10)).until(() -> destination.inFlight.get() == 8);
        while (!result.isDone()) {
            HeldDestination.Call call = destination.outstanding.poll(100, TimeUnit.MILLISECONDS);
            if (call != null) destination.answer(call);
        }
        assertTrue(result.get());
        assertEquals(32, destination.calls.size(), "one call per packet, none sent twice");
        assertEquals(8, destination.maxInFlight.get(), "8 at once, although 16 keys could have gone");
        assertNull(destination.violation.get());
        assertEquals(160, durableCursor());
    }

    @Test
    void aWindowsPacketsAreSpreadOverTheFreeCallSlotsInCallsOfAtLeastTheSpreadMinimum() throws Exception {
        packetBytes = 40 * 1024; // 8 packets of 40 KB, 320 KB ready: 2 packets reach the 64 KB minimum
        open(40, i -> "k" + (i % 8), 500, RateLimits.UNLIMITED, 8);
        Future<Boolean> result = sendWindow();
        await("4 calls in flight").atMost(Duration.ofSeconds(10)).until(() -> destination.inFlight.get() == 4);
        while (!result.isDone()) {
            HeldDestination.Call call = destination.outstanding.poll(100, TimeUnit.MILLISECONDS);
            if (call != null) destination.answer(call);
        }
        assertTrue(result.get());
        assertEquals(List.of(2, 2, 2, 2), destination.calls.stream().map(c -> c.packets().size()).toList(),
                "four calls of two packets, not one call of all eight although the service takes 500");
        assertEquals(40, durableCursor());
    }

    @Test
    void smallPacketsFillACallToTheServiceLimitRatherThanSpread() throws Exception {
        open(160, i -> "k" + (i % 16), 10, RateLimits.UNLIMITED, 8); // 32 packets of 5 bytes, 10 a call
        destination.hold = false;
        assertTrue(sendWindow().get(10, TimeUnit.SECONDS));
        assertEquals(List.of(10, 10, 10, 2), destination.calls.stream().map(c -> c.packets().size()).toList(),
                "calls as full as the service allows, not spread thin over the 8 slots");
    }

    @Test
    void packetsOfOneKeyGoInOrderWhenAnswersComeNewestFirst() throws Exception {
        open(160, i -> "k" + (i % 16), 1, RateLimits.UNLIMITED, 8);
        Future<Boolean> result = sendWindow();
        await("8 calls in flight").atMost(Duration.ofSeconds(10)).until(() -> destination.inFlight.get() == 8);
        while (!result.isDone()) {
            HeldDestination.Call newest = destination.outstanding.pollLast(100, TimeUnit.MILLISECONDS);
            if (newest != null) destination.answer(newest);
        }
        assertTrue(result.get());
        assertNull(destination.violation.get(), "never two packets of one key in flight");
        assertEquals(8, destination.answered.get(0).number(), "the newest of the first 8 calls was answered first");
        for (int k = 0; k < 16; k++) {
            assertEquals(List.of((long) k, 80L + k), sentOf("k" + k), "k" + k + ": each packet once, in stream order");
        }
        assertEquals(160, durableCursor());
    }

    @Test
    void aPacketOfSeveralKeysWaitsForAndHoldsBackEachOfThem() throws Exception {
        open(20, i -> "k" + (i % 4), 1, RateLimits.UNLIMITED, 8); // 5 samples of each of k0..k3
        destination.packing = samples -> {
            Map<String, List<OutboundSample>> byTag = new LinkedHashMap<>();
            for (OutboundSample s : samples) byTag.computeIfAbsent(s.sample().tag(), k -> new ArrayList<>()).add(s);
            List<OutboundSample> k0 = byTag.get("k0"), k1 = byTag.get("k1");
            List<OutboundSample> both = new ArrayList<>(k0.subList(0, 2));
            both.addAll(k1.subList(0, 2));
            both.sort(java.util.Comparator.comparingLong(OutboundSample::sequence));
            return List.of(new Packet(List.of("k0", "k1"), 5, both, null), new Packet("k1", 5, k1.subList(2, 5), null),
                    new Packet("k2", 5, byTag.get("k2"), null), new Packet("k0", 5, k0.subList(2, 5), null),
                    new Packet("k3", 5, byTag.get("k3"), null));
        };
        Future<Boolean> result = sendWindow();
        await("3 calls in flight").atMost(Duration.ofSeconds(10)).until(() -> destination.inFlight.get() == 3);
        assertEquals(List.of("k0", "k2", "k3"), keysCalled(), "the later k0 and k1 packets wait for the one holding both");
        destination.answer(destination.next());
        await("the held packets went").atMost(Duration.ofSeconds(10)).until(() -> destination.calls.size() == 5);
        assertEquals(List.of("k0", "k2", "k3", "k1", "k0"), keysCalled());
        while (!result.isDone()) {
            HeldDestination.Call call = destination.outstanding.poll(100, TimeUnit.MILLISECONDS);
            if (call != null) destination.answer(call);
        }
        assertTrue(result.get());
        assertNull(destination.violation.get(), "never two packets sharing a key in flight");
        assertEquals(20, durableCursor());
    }

    @Test
    void aRetriedPacketHoldsItsOwnKeyOnlyAndOtherKeysGoOn() throws Exception {
        open(40, i -> "k" + (i % 4), 2, RateLimits.UNLIMITED, 8); // 8 packets: k0..k3 twice, 2 a call
        destination.hold = false;
        destination.script = (attempt, p) -> p.orderingKey().equals("k0") && attempt == 1 && p.samples().get(0).sequence() == 0
                ? PacketOutcome.retry("busy") : PacketOutcome.DELIVERED;
        assertTrue(sendWindow().get(10, TimeUnit.SECONDS));
        List<String> order = destination.sent.stream().map(p -> p.orderingKey() + "@" + p.samples().get(0).sequence()).toList();
        assertEquals(List.of(0L, 0L, 20L), sentOf("k0"), "k0's first packet retried, then its second: " + order);
        int retryAt = order.lastIndexOf("k0@0");
        assertTrue(order.indexOf("k3@23") < retryAt, "other keys' later packets went before the retry: " + order);
        assertEquals(List.of(100_000_000L), waits, "the only wait: k0's backoff, once nothing else was left to send");
        assertEquals(40, durableCursor());
    }

    @Test
    void theCursorMovesOverTheSettledPrefixOnlyWhateverWasAnsweredAfterIt() throws Exception {
        open(40, i -> "k" + (i / 10), 1, RateLimits.UNLIMITED, 8); // k0: 0-9, k1: 10-19, ...; 2 packets each
        Future<Boolean> result = sendWindow();
        HeldDestination.Call k1First = null;
        while (destination.answered.size() < 6) {
            HeldDestination.Call call = destination.next();
            if (call.packets().get(0).samples().get(0).sequence() == 10) k1First = call;
            else destination.answer(call);
        }
        assertNotNull(k1First);
        await().atMost(Duration.ofSeconds(10)).until(() -> destination.calls.size() == 7);
        assertEquals(0, durableCursor(), "the window is not settled: no cursor moved yet");
        assertFalse(result.isDone());
        giveUp = true; // an operator's pause while k1's first packet is in flight; the sender waits for its answer
        destination.answer(k1First, (attempt, p) -> PacketOutcome.retry("busy"));
        assertFalse(result.get(10, TimeUnit.SECONDS));
        assertEquals(10, durableCursor(), "0-9 settled; 10-14 not, so 20-39 (delivered) go again later");
        assertEquals(List.of(10L), sentOf("k1"), "k1's second packet waited for its first");
    }

    @Test
    void aThrottlingAnswerHoldsEveryKeyAndSlowsTheRates() throws Exception {
        open(40, i -> "k" + (i / 10), 1, RateLimits.UNLIMITED, 8); // 4 keys, 2 packets each
        Future<Boolean> result = sendWindow();
        await().atMost(Duration.ofSeconds(10)).until(() -> destination.inFlight.get() == 4);
        List<HeldDestination.Call> first = new ArrayList<>();
        for (int i = 0; i < 4; i++) first.add(destination.next());
        destination.hold = false; // calls after these are answered at once
        destination.answer(first.get(0), (attempt, p) -> PacketOutcome.throttled("slow down"));
        for (int i = 1; i < 4; i++) destination.answer(first.get(i));
        assertTrue(result.get(10, TimeUnit.SECONDS));
        List<HeldDestination.Call> later = destination.calls.subList(4, destination.calls.size());
        assertEquals(5, later.size(), "the throttled packet again, and every key's second packet");
        assertEquals(List.of(100_000_000L), waits, "one wait: the backoff after the throttling answer");
        for (HeldDestination.Call c : later) {
            assertTrue(c.sentAtNanos() - first.get(0).sentAtNanos() >= 100_000_000L,
                    "call " + c.number() + " (" + c.packets().get(0).orderingKey() + ") waited out the backoff");
        }
        assertTrue(rates.factor() < 1.0, "the rates were slowed down for the whole destination: " + rates.factor());
        assertEquals(40, durableCursor());
    }

    @Test
    void theNextWindowsCallsStartWhileTheCallsOfTheOneBeforeAreUnanswered() throws Exception {
        windowSamples = 20; // 4 packets of 4 keys a window
        open(40, i -> "k" + (i / 5), 1, RateLimits.UNLIMITED, 8); // window 1: k0-k3, window 2: k4-k7
        Future<Boolean> result = sendWindows();
        await("the second window's calls go out, none of the first window's answered")
                .atMost(Duration.ofSeconds(10)).until(() -> destination.calls.size() == 8);
        assertTrue(destination.answered.isEmpty());
        assertEquals(List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"), keysCalled());
        while (!result.isDone()) {
            HeldDestination.Call call = destination.outstanding.poll(100, TimeUnit.MILLISECONDS);
            if (call != null) destination.answer(call);
        }
        assertTrue(result.get());
        assertEquals(8, destination.calls.size(), "each packet once");
        assertEquals(40, durableCursor());
    }

    @Test
    void aPacketOfTheNextWindowWaitsForTheOneOfItsKeyBeforeItOnly() throws Exception {
        windowSamples = 20;
        open(40, i -> "k" + (i % 4), 1, RateLimits.UNLIMITED, 8); // both windows: one packet of each of k0-k3
        Future<Boolean> result = sendWindows();
        List<HeldDestination.Call> first = new ArrayList<>();
        for (int i = 0; i < 4; i++) first.add(destination.next());
        HeldDestination.Call k2 = first.stream().filter(c -> c.packets().get(0).orderingKey().equals("k2")).findFirst().orElseThrow();
        destination.answer(k2);
        HeldDestination.Call k2Next = destination.next();
        assertEquals("k2", k2Next.packets().get(0).orderingKey(), "the second window's k2 went once the first one's was answered");
        assertEquals(1, destination.answered.size(), "while k0, k1 and k3 of the first window are unanswered");
        destination.answer(k2Next);
        for (int i = 3; i >= 0; i--) if (i != 2) destination.answer(first.get(i));
        while (!result.isDone()) {
            HeldDestination.Call newest = destination.outstanding.pollLast(100, TimeUnit.MILLISECONDS);
            if (newest != null) destination.answer(newest);
        }
        assertTrue(result.get());
        assertNull(destination.violation.get(), "never two packets of one key in flight");
        assertEquals(4, destination.maxInFlight.get(), "one packet per key in flight: 4 keys");
        for (int k = 0; k < 4; k++) {
            assertEquals(List.of((long) k, 20L + k), sentOf("k" + k), "k" + k + ": each packet once, in stream order");
        }
        assertEquals(40, durableCursor());
    }

    @Test
    void theCursorNeverPassesAPacketNotSettledWhateverLaterWindowsSettled() throws Exception {
        windowSamples = 20;
        open(60, i -> "k" + (i / 5), 1, RateLimits.UNLIMITED, 8); // windows k0-k3, k4-k7, k8-k11
        Future<Boolean> result = sendWindows();
        Map<String, HeldDestination.Call> byKey = new HashMap<>();
        for (int i = 0; i < 8; i++) {
            HeldDestination.Call call = destination.next();
            byKey.put(call.packets().get(0).orderingKey(), call);
        }
        for (String k : List.of("k7", "k6", "k5", "k4", "k3", "k2", "k1")) destination.answer(byKey.get(k));
        // the second window is settled, the first is not: k0 is answered last, with a retry, and sent again
        destination.answer(byKey.get("k0"), (attempt, p) -> PacketOutcome.retry("busy"));
        HeldDestination.Call k0Again = destination.next();
        assertEquals("k0", k0Again.packets().get(0).orderingKey());
        assertEquals(0, durableCursor(), "0-4 not settled: the cursor stays before them, however much after them is");
        assertEquals(9, destination.calls.size(), "no third window while two are in flight");
        destination.answer(k0Again);
        assertTrue(result.get(10, TimeUnit.SECONDS));
        assertEquals(40, durableCursor(), "both windows settled: the cursor at the end of the second, in one move");
        assertEquals(List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k0"), keysCalled());
    }

    @Test
    void windowsGivenUpMoveTheCursorOverTheirSettledPrefixOnly() throws Exception {
        windowSamples = 20;
        open(40, i -> "k" + (i / 5), 1, RateLimits.UNLIMITED, 8); // window 1: k0-k3, window 2: k4-k7
        Future<Boolean> result = sendWindows();
        Map<String, HeldDestination.Call> byKey = new HashMap<>();
        for (int i = 0; i < 8; i++) {
            HeldDestination.Call call = destination.next();
            byKey.put(call.packets().get(0).orderingKey(), call);
        }
        for (String k : List.of("k0", "k1", "k4", "k5", "k6", "k7")) destination.answer(byKey.get(k));
        giveUp = true; // an operator's pause with k2 and k3 in flight; the sender waits for their answers
        destination.answer(byKey.get("k3"));
        destination.answer(byKey.get("k2"), (attempt, p) -> PacketOutcome.retry("busy"));
        assertFalse(result.get(10, TimeUnit.SECONDS));
        assertEquals(10, durableCursor(), "0-9 settled; 10-14 not, so 15-39 (delivered) go again later");
    }
}
