package io.sluice.runtime.publish;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StoredSample;
import io.sluice.runtime.store.StreamSettings;
import io.sluice.spi.Durations;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.spi.destination.Rejection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(120)
class PublisherTest {

    @TempDir
    Path dir;

    static final String CONFIG = """
            streams:
              high: {priority: 1, export: [{destination: out}]}
              low: {priority: 8, export: [{destination: out}]}
            destinations:
              out: {type: scripted, max-backoff: 200ms}
            """;

    /**
     * Receive times of the test's samples: now, not 1970. Samples older than a stream's TTL (7 days by default) are
     * deleted by the store's next retention pass, delivered or not; dead letters keep their samples' receive times.
     */
    private static final long NOW_NANOS = System.currentTimeMillis() * 1_000_000L;

    @BeforeEach
    void reset() {
        ScriptedDestination.reset();
    }

    private void prefill(GatewayConfig config, int perStream) {
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve(Gateway.STORE_FILE), SqliteStreamStore.StoreOptions.defaults())) {
            List<StreamSettings> settings = new ArrayList<>();
            config.streams().forEach((n, s) -> settings.add(StreamSettings.of(n, s)));
            store.configure(settings);
            for (String stream : List.of("low", "high")) {
                List<Sample> samples = new ArrayList<>();
                // received now: a receive time in 1970 would let the TTL sweep take them (and their dead letters)
                long now = System.currentTimeMillis() * 1_000_000L;
                for (int i = 0; i < perStream; i++) {
                    samples.add(new Sample(stream + ".t" + (i % 5), Value.of((long) i), Quality.GOOD, 0, 1_000L + i, now, null));
                }
                Durations.await(store.append(stream, "c", samples, null), Duration.ofSeconds(10));
            }
        }
    }

    private static void awaitCursor(Gateway g, String stream, long target) throws InterruptedException {
        await("cursor of " + stream).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(() -> g.store().cursor(stream, "out") >= target);
        assertEquals(target, g.store().cursor(stream, "out"), "cursor of " + stream);
    }

    @Test
    void higherPriorityIsDrainedFirstAndEachStreamInOrder() throws Exception {
        GatewayConfig config = ConfigLoader.parse(CONFIG, "test.yaml");
        prefill(config, 1000);
        try (Gateway g = Gateway.start(config, dir)) {
            awaitCursor(g, "high", 1000);
            awaitCursor(g, "low", 1000);
        }
        List<OutboundSample> delivered = ScriptedDestination.accepted;
        assertEquals(2000, delivered.size());
        int lastHigh = -1;
        int firstLow = Integer.MAX_VALUE;
        Map<String, Long> lastSeq = new HashMap<>();
        for (int i = 0; i < delivered.size(); i++) {
            OutboundSample s = delivered.get(i);
            if (s.stream().equals("high")) lastHigh = i;
            else firstLow = Math.min(firstLow, i);
            long previous = lastSeq.getOrDefault(s.stream(), -1L);
            assertEquals(previous + 1, s.sequence(), "order within " + s.stream());
            lastSeq.put(s.stream(), s.sequence());
        }
        assertTrue(lastHigh < firstLow, "every high-priority sample before any low-priority one");
    }

    @Test
    void samplesReadAfterAnAssetRuleChangedCarryTheNewContext() throws Exception {
        String rule = "assets:\n  - {connector: c, tags: \"high.*\", set: {machine: %s}}\n";
        GatewayConfig config = ConfigLoader.parse(CONFIG + rule.formatted("press-3"), "test.yaml");
        prefill(config, 10);
        try (Gateway g = Gateway.start(config, dir)) {
            awaitCursor(g, "high", 10);
            g.reconfigure(ConfigLoader.parse(CONFIG + rule.formatted("press-4"), "test.yaml"));
            List<Sample> more = new ArrayList<>();
            for (int i = 0; i < 10; i++) more.add(new Sample("high.t" + (i % 5), Value.of((long) i), Quality.GOOD, 0, 5_000L + i, NOW_NANOS, null));
            Durations.await(g.store().append("high", "c", more, null), Duration.ofSeconds(10));
            awaitCursor(g, "high", 20);
        }
        for (OutboundSample s : ScriptedDestination.accepted) {
            if (!s.stream().equals("high")) continue;
            assertEquals(Map.of("machine", s.sequence() < 10 ? "press-3" : "press-4"), s.asset().levels(), "asset of " + s.sequence());
        }
    }

    @Test
    void onlyFailedPacketsAreResentAndRejectedOnesAreDeadLettered() throws Exception {
        GatewayConfig config = ConfigLoader.parse(CONFIG, "test.yaml");
        prefill(config, 300);
        ScriptedDestination.script = (call, packet) -> {
            long first = packet.samples().get(0).sequence();
            if (packet.samples().get(0).stream().equals("high") && first == 20) return PacketOutcome.reject("value out of range");
            if (packet.samples().get(0).stream().equals("low") && first == 50) return PacketOutcome.reject("property 7 unknown");
            if (call == 1 && first == 10) return PacketOutcome.throttled("slow down");
            return PacketOutcome.DELIVERED;
        };
        try (Gateway g = Gateway.start(config, dir)) {
            awaitCursor(g, "high", 300);
            awaitCursor(g, "low", 300);
            // a retention pass (TTL, delivered data) runs now and then; the dead letters must outlive it
            Durations.await(g.store().compact(), Duration.ofSeconds(10));
            List<StoredSample> dead = g.store().read("out-dead-letter", 0, 1000).samples();
            assertEquals(20, dead.size(), "the rejected packets' samples are dead-lettered");
            Map<String, Long> origins = new HashMap<>();
            for (int i = 0; i < dead.size(); i++) {
                DeadLetterNote note = DeadLetterNote.parse(dead.get(i).note()).orElseThrow();
                long firstOfAppend = dead.get(i).sequence() - (i % 10);
                origins.merge(note.originStream() + "#" + note.originSequence((int) (dead.get(i).sequence() - firstOfAppend)) + " " + note.reason(), 1L, Long::sum);
            }
            assertEquals(1L, origins.get("high#20 value out of range"), origins.toString());
            assertEquals(1L, origins.get("high#29 value out of range"), origins.toString());
            assertEquals(1L, origins.get("low#59 property 7 unknown"), origins.toString());
            DestinationStatus status = g.status().destinations().get(0);
            assertEquals(Map.of("value out of range", 10L, "property N unknown", 10L), status.deadLetters());
        }
        long acceptedHigh = ScriptedDestination.accepted.stream().filter(s -> s.stream().equals("high")).count();
        assertEquals(290, acceptedHigh, "every other sample delivered exactly once");
        long sentFirstPacketAt10 = ScriptedDestination.sent.stream()
                .filter(p -> p.samples().get(0).stream().equals("high") && p.samples().get(0).sequence() == 10).count();
        assertEquals(2, sentFirstPacketAt10, "the throttled packet was sent again, once");
        long sentAt0 = ScriptedDestination.sent.stream()
                .filter(p -> p.samples().get(0).stream().equals("high") && p.samples().get(0).sequence() == 0).count();
        assertEquals(1, sentAt0, "delivered packets are not resent");
    }

    @Test
    void samplesOfHigherPriorityArrivingDuringAnOutageOvertakeTheWindowReadAhead() throws Exception {
        GatewayConfig config = ConfigLoader.parse(CONFIG, "test.yaml");
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve(Gateway.STORE_FILE), SqliteStreamStore.StoreOptions.defaults())) {
            List<StreamSettings> settings = new ArrayList<>();
            config.streams().forEach((n, s) -> settings.add(StreamSettings.of(n, s)));
            store.configure(settings);
            List<Sample> low = new ArrayList<>();
            for (int i = 0; i < 500; i++) low.add(Sample.good("low.t", Value.of((long) i), NOW_NANOS + i));
            Durations.await(store.append("low", "c", low, null), Duration.ofSeconds(10));
        }
        java.util.concurrent.atomic.AtomicBoolean outage = new java.util.concurrent.atomic.AtomicBoolean(true);
        ScriptedDestination.script = (call, packet) -> outage.get() ? PacketOutcome.retry("connection refused") : PacketOutcome.DELIVERED;
        try (Gateway g = Gateway.start(config, dir)) {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> ScriptedDestination.sent.size() >= 10);
            assertTrue(ScriptedDestination.sent.size() >= 10, "the first window was tried during the outage");
            List<Sample> high = new ArrayList<>();
            for (int i = 0; i < 50; i++) high.add(Sample.good("high.t", Value.of((long) i), NOW_NANOS + 1_000L + i));
            Durations.await(g.store().append("high", "c", high, null), Duration.ofSeconds(10));
            outage.set(false);
            awaitCursor(g, "high", 50);
            awaitCursor(g, "low", 500);
        }
        List<OutboundSample> delivered = ScriptedDestination.accepted;
        assertEquals(550, delivered.size(), "every sample exactly once");
        int lastHigh = -1;
        for (int i = 0; i < delivered.size(); i++) if (delivered.get(i).stream().equals("high")) lastHigh = i;
        long lowBeforeLastHigh = delivered.subList(0, lastHigh).stream().filter(s -> s.stream().equals("low")).count();
        assertEquals(100, lowBeforeLastHigh,
                "only the window in flight when the high-priority samples arrived goes before them");
    }

    /** Every sample of a stream, read in chunks. */
    private static List<StoredSample> readAll(SqliteStreamStore store, String stream) {
        List<StoredSample> out = new ArrayList<>();
        long from = 0;
        while (true) {
            io.sluice.runtime.store.ReadBatch batch = store.read(stream, from, 1000);
            out.addAll(batch.samples());
            if (batch.isEmpty() || batch.nextSequence() <= from) return out;
            from = batch.nextSequence();
        }
    }

    /** t0 samples are refused for their age, t1 samples as invalid; samples already in the fallback stream pass. */
    private static Rejection ageOrInvalid(OutboundSample s) {
        if (s.stream().equals("out-fallback")) return null;
        if (s.sample().tag().endsWith(".t0")) return Rejection.outOfWindow(s, "timestamp 1970-01-01T00:00:01Z is older than 7d");
        if (s.sample().tag().endsWith(".t1")) return new Rejection(s, "value out of range");
        return null;
    }

    @Test
    void ageRejectionsGoToTheFallbackAndInvalidOnesToTheDeadLetterStream() throws Exception {
        GatewayConfig config = ConfigLoader.parse("""
                streams:
                  high: {priority: 1, export: [{destination: out}]}
                  low: {priority: 8, export: [{destination: out}]}
                destinations:
                  out: {type: scripted, max-backoff: 200ms, fallback: archive}
                  archive: {type: scripted, max-backoff: 200ms}
                """, "test.yaml");
        prefill(config, 100);
        ScriptedDestination.rejectAtPack = PublisherTest::ageOrInvalid;
        try (Gateway g = Gateway.start(config, dir)) {
            awaitCursor(g, "high", 100);
            awaitCursor(g, "low", 100);
            await("the fallback drained").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                    .until(() -> g.store().nextSequence("out-fallback") == 40 && g.store().cursor("out-fallback", "archive") == 40);
            List<StoredSample> dead = readAll(g.store(), "out-dead-letter");
            assertEquals(40, dead.size(), "only the invalid samples are dead-lettered");
            assertTrue(dead.stream().allMatch(s -> s.sample().tag().endsWith(".t1")));
            DestinationStatus out = g.status().destinations().stream().filter(d -> d.name().equals("out")).findFirst().orElseThrow();
            assertEquals(40, out.rerouted());
            assertEquals("out-fallback", out.fallbackStream());
            assertEquals(Map.of("timestamp N-N-NTN:N:NZ is older than Nd", 40L), out.reroutes());
            assertEquals(Map.of("value out of range", 40L), out.deadLetters());
            assertEquals(40.0, g.registry().get("sluice.destination.samples.rerouted").tag("destination", "out")
                    .functionCounter().count());
        }
        List<OutboundSample> rerouted = ScriptedDestination.accepted.stream().filter(s -> s.stream().equals("out-fallback")).toList();
        assertEquals(40, rerouted.size(), "each age rejection delivered to the fallback once");
        Map<String, Long> origins = new HashMap<>();
        for (OutboundSample s : rerouted) {
            assertTrue(s.sample().tag().endsWith(".t0"), s.toString());
            DeadLetterNote note = DeadLetterNote.parse(s.note()).orElseThrow();
            assertEquals("out", note.destination());
            assertEquals("timestamp 1970-01-01T00:00:01Z is older than 7d", note.reason());
            origins.merge(note.originStream(), 1L, Long::sum);
        }
        assertEquals(Map.of("high", 20L, "low", 20L), origins);
        assertEquals(120, ScriptedDestination.accepted.stream().filter(s -> !s.stream().equals("out-fallback")).count());
    }

    @Test
    void aDestinationsMaxAgeReroutesOlderSamplesToTheFallbackBeforePacking() throws Exception {
        GatewayConfig config = ConfigLoader.parse("""
                streams:
                  high: {priority: 1, export: [{destination: out}]}
                  low: {priority: 8, export: [{destination: out}]}
                destinations:
                  out: {type: scripted, max-backoff: 200ms, max-age: 1h, fallback: archive}
                  archive: {type: scripted, max-backoff: 200ms}
                """, "test.yaml");
        prefill(config, 100); // source times in 1970
        try (Gateway g = Gateway.start(config, dir)) {
            awaitCursor(g, "high", 100);
            awaitCursor(g, "low", 100);
            await("the fallback drained").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                    .until(() -> g.store().cursor("out-fallback", "archive") == 200);
            DestinationStatus out = g.status().destinations().stream().filter(d -> d.name().equals("out")).findFirst().orElseThrow();
            assertEquals(200, out.rerouted());
            assertEquals(Map.of("source time is older than Nh (max-age)", 200L), out.reroutes());
            assertEquals(0, out.deadLettered());
        }
        assertTrue(ScriptedDestination.accepted.stream().allMatch(s -> s.stream().equals("out-fallback")),
                "nothing older than max-age was packed for out");
        assertEquals(200, ScriptedDestination.accepted.size(), "each sample delivered to the fallback once");
    }

    @Test
    void aWindowThatDoesNotFitTheHeapIsHalvedAndDeliveryGoesOn() throws Exception {
        GatewayConfig config = ConfigLoader.parse(CONFIG, "test.yaml");
        prefill(config, 100);
        ScriptedDestination.outOfMemoryFrom = 60; // windows of 100 samples do not fit, of 50 they do
        try (Gateway g = Gateway.start(config, dir)) {
            awaitCursor(g, "high", 100);
            awaitCursor(g, "low", 100);
            DestinationStatus out = g.status().destinations().get(0);
            assertEquals(1L, out.failures().get("window did not fit the heap"), "reported once (100 -> 50): " + out.failures());
        }
        assertEquals(200, ScriptedDestination.accepted.size(), "each sample delivered once");
    }

    @Test
    void withoutAFallbackAgeRejectionsAreDeadLettered() throws Exception {
        GatewayConfig config = ConfigLoader.parse(CONFIG, "test.yaml");
        prefill(config, 100);
        ScriptedDestination.rejectAtPack = PublisherTest::ageOrInvalid;
        try (Gateway g = Gateway.start(config, dir)) {
            awaitCursor(g, "high", 100);
            awaitCursor(g, "low", 100);
            assertEquals(80, readAll(g.store(), "out-dead-letter").size());
            DestinationStatus out = g.status().destinations().get(0);
            assertEquals(0, out.rerouted());
            assertEquals(null, out.fallbackStream());
            assertEquals(80, out.deadLettered());
        }
    }
}
