package io.sluice.runtime.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.publish.DestinationState;
import io.sluice.runtime.publish.DestinationStatus;
import io.sluice.runtime.publish.ScriptedDestination;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StreamSettings;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PacketOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The operator's stream operations on real SQLite stores, with a running gateway and on a stopped data directory. */
@Timeout(120)
class StreamOperationsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @BeforeEach
    void reset() {
        ScriptedDestination.reset();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        org.awaitility.Awaitility.await(what).atMost(WAIT).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    private static List<Sample> samples(String tag, int from, int count, long receiveNanos) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(Sample.good(tag, Value.of((long) (from + i)), receiveNanos + i));
        return out;
    }

    private static long nowNanos() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    private static double count(MeterRegistry registry, String operation, String result) {
        var c = registry.find("sluice.operations").tags("operation", operation, "result", result).counter();
        return c == null ? 0 : c.count();
    }

    /** A store with stream s in three appends (three blocks) received at t, t+1h and t+2h. */
    private SqliteStreamStore storeWithThreeBlocks(Path file, long t) {
        SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults());
        store.configure(List.of(new StreamSettings("s", Long.MAX_VALUE, Duration.ofDays(36500),
                io.sluice.runtime.config.StreamConfig.WhenFull.REJECT_NEW, true, java.util.Set.of())));
        long hour = Duration.ofHours(1).toNanos();
        for (int i = 0; i < 3; i++) Durations.await(store.append("s", "c", samples("s.t", i * 100, 100, t + i * hour), null), WAIT);
        return store;
    }

    private static StreamOperations offlineOperations(SqliteStreamStore store, MeterRegistry registry) {
        return new StreamOperations(store, new StreamOperations.Destinations() {
            public void moveCursor(String destination, String stream, long next, Duration timeout) {
                Durations.await(store.moveCursor(stream, destination, next), timeout);
            }

            public DestinationState pause(String destination, boolean paused, Duration timeout) {
                return DestinationState.STOPPED;
            }

            public String probe(String destination, Duration timeout) {
                throw new SluiceException("no probe here", false);
            }
        }, registry);
    }

    @Test
    void purgeRemovesEverythingStoredCountsItAndSequencesContinue() {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (SqliteStreamStore store = storeWithThreeBlocks(dir.resolve("s.db"), nowNanos())) {
            OperationResult r = offlineOperations(store, registry).purge("s", null, "test");
            assertEquals(300, r.samples(), r.message());
            assertTrue(r.message().contains("purged 300 samples (sequences 0 to 299"), r.message());
            assertEquals(300, store.stats("s").firstSequence());
            assertEquals(0, store.stats("s").storedSamples());
            var appended = Durations.await(store.append("s", "c", samples("s.t", 0, 1, nowNanos()), null), WAIT);
            assertEquals(300, appended.firstSequence(), "sequences continue after a purge");
            assertEquals(1.0, count(registry, "purge", "ok"));
        }
        try (SqliteStreamStore reopened = SqliteStreamStore.open(dir.resolve("s.db"), SqliteStreamStore.StoreOptions.defaults())) {
            assertEquals(300, reopened.stats("s").firstSequence(), "the purge is durable");
            assertEquals(301, reopened.stats("s").nextSequence());
        }
    }

    @Test
    void purgeBeforeATimeRemovesTheWholeBlocksReceivedBeforeIt() {
        long t = nowNanos() - Duration.ofHours(5).toNanos();
        try (SqliteStreamStore store = storeWithThreeBlocks(dir.resolve("s.db"), t)) {
            StreamOperations ops = offlineOperations(store, new SimpleMeterRegistry());
            Instant before = Instant.ofEpochSecond(0, t + Duration.ofMinutes(90).toNanos());
            OperationResult r = ops.purge("s", before, "test");
            assertEquals(200, r.samples(), r.message());
            assertEquals(200, store.stats("s").firstSequence());
            assertEquals(0, ops.purge("s", before, "test").samples(), "nothing more before that time");
            assertThrows(SluiceException.class, () -> ops.purge("nope", null, "test"));
        }
    }

    @Test
    void replayMovesACursorBackBySequenceOrTimeAndRefusesWhatItCannotDo() {
        long t = nowNanos() - Duration.ofHours(5).toNanos();
        MeterRegistry registry = new SimpleMeterRegistry();
        try (SqliteStreamStore store = storeWithThreeBlocks(dir.resolve("s.db"), t)) {
            Durations.await(store.commitCursor("s", "d", 300), WAIT);
            StreamOperations ops = offlineOperations(store, registry);
            OperationResult r = ops.replay("s", "d", Position.ofSequence(250), "test");
            assertEquals(50, r.samples(), r.message());
            assertEquals(250, store.cursor("s", "d"));
            // the second block holds 100..199, received from t+1h on, one nanosecond apart
            Position time = Position.ofTime(Instant.ofEpochSecond(0, t + Duration.ofHours(1).toNanos() + 10));
            assertEquals(140, ops.replay("s", "d", time, "test").samples());
            assertEquals(110, store.cursor("s", "d"));
            var past = assertThrows(SluiceException.class, () -> ops.replay("s", "d", Position.ofSequence(200), "test"));
            assertTrue(past.getMessage().contains("moves a cursor back"), past.getMessage());
            assertThrows(SluiceException.class, () -> ops.replay("s", "other", Position.ofSequence(0), "test"));
            ops.purge("s", Instant.ofEpochSecond(0, t + Duration.ofMinutes(30).toNanos()), "test");
            var gone = assertThrows(SluiceException.class, () -> ops.replay("s", "d", Position.ofSequence(50), "test"));
            assertTrue(gone.getMessage().contains("no longer stored (the oldest stored is 100)"), gone.getMessage());
            assertEquals(2.0, count(registry, "replay", "ok"));
            assertEquals(3.0, count(registry, "replay", "failed"));
        }
    }

    @Test
    void keepDeliveredHoldsWhatEveryDestinationHadForReplayUntilItsTimeIsUp() {
        long t = nowNanos() - Duration.ofHours(5).toNanos();
        long hour = Duration.ofHours(1).toNanos();
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("s.db"), SqliteStreamStore.StoreOptions.defaults())) {
            var rejectNew = io.sluice.runtime.config.StreamConfig.WhenFull.REJECT_NEW;
            store.configure(List.of(
                    new StreamSettings("kept", Long.MAX_VALUE, Duration.ofDays(7), rejectNew, true, java.util.Set.of("d"), 5, Duration.ofMinutes(270)),
                    new StreamSettings("plain", Long.MAX_VALUE, Duration.ofDays(7), rejectNew, true, java.util.Set.of("d"))));
            for (String stream : List.of("kept", "plain")) {
                for (int i = 0; i < 3; i++) Durations.await(store.append(stream, "c", samples("t", i * 100, 100, t + i * hour), null), WAIT);
                Durations.await(store.commitCursor(stream, "d", 300), WAIT);
            }
            Durations.await(store.compact(), WAIT);
            assertEquals(0, store.stats("plain").storedSamples(), "without keep-delivered what d passed is deleted");
            assertEquals(100, store.stats("kept").firstSequence(), "the block received 5 h ago is past the 4.5 h keep time");
            assertEquals(200, store.stats("kept").storedSamples(), "the blocks of 4 h and 3 h ago are kept");
            OperationResult r = offlineOperations(store, new SimpleMeterRegistry()).replay("kept", "d", Position.ofSequence(150), "test");
            assertEquals(150, r.samples(), r.message());
            assertEquals(150, store.cursor("kept", "d"));
        }
    }

    @Test
    void aRedriveTheOriginRefusesHalfwayRemovesOnlyWhatWentBack() {
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("s.db"), SqliteStreamStore.StoreOptions.defaults())) {
            var rejectNew = io.sluice.runtime.config.StreamConfig.WhenFull.REJECT_NEW;
            store.configure(List.of(new StreamSettings("s", 1000, Duration.ofDays(1), rejectNew, true, java.util.Set.of()),
                    new StreamSettings("dlq", Long.MAX_VALUE, Duration.ofDays(1), rejectNew, true, java.util.Set.of())));
            String first = new io.sluice.runtime.publish.DeadLetterNote("s", 0, 4, "d", "bad").format();
            String second = new io.sluice.runtime.publish.DeadLetterNote("s", 5, 504, "d", "bad").format();
            Durations.await(store.append("dlq", "c", samples("s.t", 0, 5, nowNanos()), first), WAIT);
            Durations.await(store.append("dlq", "c", samples("s.t", 5, 500, nowNanos()), second), WAIT);
            var e = assertThrows(SluiceException.class, () -> offlineOperations(store, new SimpleMeterRegistry()).redrive("dlq", "test"));
            assertTrue(e.getMessage().startsWith("dead-letter stream dlq: stopped after 5 samples moved back (5 removed from it): stream s refused the next 500"),
                    e.getMessage());
            assertEquals(5, store.stats("s").storedSamples());
            assertEquals(500, store.stats("dlq").storedSamples(), "what did not go back stays");
            assertEquals(5, store.stats("dlq").firstSequence());
        }
    }

    @Test
    void positionsReadAsSequenceInstantOrDurationBack() {
        Clock clock = Clock.fixed(Instant.parse("2026-12-07T01:00:00Z"), java.time.ZoneOffset.UTC);
        assertEquals(Position.ofSequence(1200), Position.parse("1200", clock));
        assertEquals(Position.ofTime(Instant.parse("2026-12-07T00:10:00Z")), Position.parse("2026-12-07T00:10:00Z", clock));
        assertEquals(Position.ofTime(Instant.parse("2026-12-07T00:45:00Z")), Position.parse("15m", clock));
        assertThrows(SluiceException.class, () -> Position.parse("yesterday", clock));
    }

    private static GatewayConfig config(Path out) {
        return ConfigLoader.parse("""
                streams:
                  s: {priority: 1, export: [{destination: out}, {destination: archive}]}
                  marker: {priority: 2, export: [{destination: files}]}
                  dlq: {}
                destinations:
                  out: {type: scripted, max-backoff: 200ms, dead-letter-stream: dlq}
                  archive: {type: scripted, enabled: false}
                  files: {type: file, directory: "%s"}
                """.formatted(out.toString().replace("\\", "/")), "ops.yaml");
    }

    private static List<Long> sequencesSent(String stream) {
        return ScriptedDestination.accepted.stream().filter(s -> s.stream().equals(stream)).map(OutboundSample::sequence).toList();
    }

    private static DestinationStatus destination(Gateway g, String name) {
        return g.status().destinations().stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void onARunningGatewayReplayRedeliversExactlyTheRequestedRange() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (Gateway g = Gateway.start(config(dir.resolve("files")), dir.resolve("data"), Clock.systemUTC(), registry)) {
            Durations.await(g.store().append("s", "c", samples("s.t", 0, 100, nowNanos()), null), WAIT);
            await(() -> g.store().cursor("s", "out") == 100, "100 samples delivered");
            assertEquals(LongStream.range(0, 100).boxed().toList(), sequencesSent("s"));

            OperationResult r = g.operations().replay("s", "out", Position.ofSequence(60), "test");
            assertEquals(40, r.samples(), r.message());
            await(() -> ScriptedDestination.accepted.size() == 140, "the range is delivered again");
            Durations.await(g.store().append("s", "c", samples("s.t", 100, 1, nowNanos()), null), WAIT);
            await(() -> g.store().cursor("s", "out") == 101, "a later sample is delivered");
            List<Long> expected = new ArrayList<>(LongStream.range(0, 100).boxed().toList());
            expected.addAll(LongStream.range(60, 101).boxed().toList());
            assertEquals(expected, sequencesSent("s"), "exactly 60..99 again, then the new sample");
            assertEquals(1.0, count(registry, "replay", "ok"));
        }
    }

    @Test
    void onARunningGatewayRedriveEmptiesTheDeadLetterStreamIntoItsOrigin() throws Exception {
        ScriptedDestination.script = (call, p) -> p.samples().get(0).sample().tag().equals("s.bad")
                ? new PacketOutcome.Reject("value out of range") : PacketOutcome.DELIVERED;
        try (Gateway g = Gateway.start(config(dir.resolve("files")), dir.resolve("data"))) {
            Durations.await(g.store().append("s", "c", samples("s.good", 0, 30, nowNanos()), null), WAIT);
            Durations.await(g.store().append("s", "c", samples("s.bad", 0, 20, nowNanos()), null), WAIT);
            await(() -> g.store().cursor("s", "out") == 50, "the window is settled");
            assertEquals(20, g.store().stats("dlq").storedSamples(), "rejected samples are dead letters");

            ScriptedDestination.script = (call, p) -> PacketOutcome.DELIVERED; // the cause is fixed
            OperationResult r = g.operations().redrive("dlq", "test");
            assertEquals(20, r.samples(), r.message());
            assertTrue(r.message().contains("(s 20), 20 removed from it"), r.message());
            assertEquals(0, g.store().stats("dlq").storedSamples(), "the dead-letter stream is empty");
            await(() -> g.store().cursor("s", "out") == 70, "the origin delivers them");
            assertEquals(20, ScriptedDestination.accepted.stream().filter(s -> s.sample().tag().equals("s.bad")).count());
            assertTrue(ScriptedDestination.accepted.stream().filter(s -> s.sample().tag().equals("s.bad")).allMatch(s -> s.sequence() >= 50),
                    "redriven samples are new samples of the origin");
        }
    }

    @Test
    void aPausedDestinationSendsNothingUntilResumedAndStaysPausedAcrossARestart() throws Exception {
        Path files = dir.resolve("files");
        try (Gateway g = Gateway.start(config(files), dir.resolve("data"))) {
            await(() -> destination(g, "out").state() == DestinationState.IDLE, "out is idle");
            OperationResult paused = g.operations().pause("out", "test");
            assertTrue(paused.message().contains("paused"), paused.message());
            assertEquals(DestinationState.PAUSED, destination(g, "out").state());
            Durations.await(g.store().append("s", "c", samples("s.t", 0, 50, nowNanos()), null), WAIT);
            Durations.await(g.store().append("marker", "c", samples("m", 0, 1, nowNanos()), null), WAIT);
            await(() -> g.store().cursor("marker", "files") == 1, "a later marker reached another destination");
            assertEquals(0, ScriptedDestination.accepted.size(), "a paused destination sends nothing");
            assertEquals(50, destination(g, "out").backlog());
        }
        try (Gateway g = Gateway.start(config(files), dir.resolve("data"))) {
            await(() -> destination(g, "out").state() == DestinationState.PAUSED, "it starts paused");
            g.operations().resume("out", "test");
            await(() -> g.store().cursor("s", "out") == 50, "resumed, it delivers its backlog");
            assertEquals(LongStream.range(0, 50).boxed().toList(), sequencesSent("s"));
        }
    }

    @Test
    void aDestinationTestGivesAClearVerdict() throws Exception {
        Path files = dir.resolve("files");
        try (Gateway g = Gateway.start(config(files), dir.resolve("data"))) {
            OperationResult ok = g.operations().test("files", "test");
            assertTrue(ok.ok() && ok.message().contains("OK, folder"), ok.message());
            OperationResult noProbe = g.operations().test("out", "test");
            assertTrue(noProbe.ok() && noProbe.message().contains("no probe call"), noProbe.message());
            assertThrows(SluiceException.class, () -> g.operations().test("nope", "test"));
        }
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "a file where a folder should be");
        try (Gateway g = Gateway.start(config(blocker.resolve("out")), dir.resolve("data2"))) {
            OperationResult failed = g.operations().test("files", "test");
            assertFalse(failed.ok());
            assertTrue(failed.message().startsWith("destination files: FAILED, cannot start"), failed.message());
        }
    }

    @Test
    void aStoppedDataDirectoryIsOperatedOnUnderItsLockAndARunningOneIsRefused() throws Exception {
        Path data = dir.resolve("data");
        try (Gateway g = Gateway.start(config(dir.resolve("files")), data)) {
            Durations.await(g.store().append("s", "c", samples("s.t", 0, 10, nowNanos()), null), WAIT);
            await(() -> g.store().cursor("s", "out") == 10, "delivered");
            var inUse = assertThrows(SluiceException.class, () -> OfflineDataDirectory.open(data, null));
            assertTrue(inUse.getMessage().contains("in use"), inUse.getMessage());
        }
        try (OfflineDataDirectory offline = OfflineDataDirectory.open(data, null)) {
            assertEquals(4, offline.operations().replay("s", "out", Position.ofSequence(6), "test").samples());
            assertTrue(offline.operations().pause("out", "test").message().contains("starts paused"));
            assertEquals(6, offline.operations().purge("s", null, "test").samples() - 4, "the archive kept all 10");
        }
        try (Gateway g = Gateway.start(config(dir.resolve("files")), data)) {
            await(() -> destination(g, "out").state() == DestinationState.PAUSED, "the offline pause holds");
            assertEquals(10, g.store().cursor("s", "out"), "purged: the cursor reads from the oldest stored");
        }
    }
}
