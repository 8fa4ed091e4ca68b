package io.sluice.runtime.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StreamSettings;
import io.sluice.runtime.store.StreamStats;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PacketOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A destination's life seen from outside: failed starts, cursors and backlog from the start, a clean stop. */
@Timeout(120)
class PublisherLifecycleTest {

    @TempDir
    Path dir;

    @BeforeEach
    void reset() {
        ScriptedDestination.reset();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    private void prefill(GatewayConfig config, String stream, int count) {
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("data").resolve(Gateway.STORE_FILE),
                SqliteStreamStore.StoreOptions.defaults())) {
            List<StreamSettings> settings = new ArrayList<>();
            config.streams().forEach((n, s) -> settings.add(StreamSettings.of(n, s)));
            store.configure(settings);
            List<Sample> samples = new ArrayList<>();
            long now = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < count; i++) samples.add(Sample.good(stream + ".t" + (i % 5), Value.of((long) i), now + i));
            Durations.await(store.append(stream, "c", samples, null), Duration.ofSeconds(10));
        }
    }

    private static DestinationStatus destination(Gateway g, String name) {
        return g.status().destinations().stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
    }

    private static double gauge(MeterRegistry registry, String name, String... tags) {
        var gauge = registry.find(name).tags(tags).gauge();
        assertNotNull(gauge, name + " " + List.of(tags));
        return gauge.value();
    }

    private static long storedCursor(Path data, String stream, String destination) {
        try (SqliteStreamStore store = SqliteStreamStore.open(data.resolve(Gateway.STORE_FILE), SqliteStreamStore.StoreOptions.defaults())) {
            Long cursor = store.stats().stream().filter(s -> s.name().equals(stream)).findFirst().orElseThrow().cursors().get(destination);
            return cursor == null ? -1 : cursor;
        }
    }

    @Test
    void aDestinationThatCannotStartIsFailedWithItsReasonAndStartsOnceItCan() throws Exception {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "a file where the output folder's parent should be");
        Path out = blocker.resolve("out");
        GatewayConfig config = ConfigLoader.parse("""
                streams:
                  s: {priority: 1, export: [{destination: files}]}
                destinations:
                  files: {type: file, directory: "%s", max-backoff: 200ms}
                """.formatted(out.toString().replace("\\", "/")), "test.yaml");
        prefill(config, "s", 500);
        MeterRegistry registry = new SimpleMeterRegistry();
        try (Gateway g = Gateway.start(config, dir.resolve("data"), Clock.systemUTC(), registry)) {
            DestinationStatus failed = destination(g, "files");
            assertNotNull(failed, "a destination that failed to start is listed");
            assertEquals(DestinationState.FAILED, failed.state());
            assertTrue(failed.lastError().contains("blocker"), failed.lastError());
            assertTrue(failed.startFailures() >= 1);
            assertEquals(List.of(new DestinationStatus.ExportStatus("s", 1, 0, 500)), failed.exports());
            assertEquals(1.0, gauge(registry, "sluice.destination.state", "destination", "files", "state", "FAILED"));
            assertEquals(500.0, gauge(registry, "sluice.destination.backlog", "destination", "files", "stream", "s"));
            await(() -> destination(g, "files").startFailures() >= 3, "start is tried again");
            assertEquals(DestinationState.FAILED, destination(g, "files").state());

            Files.delete(blocker);
            await(() -> g.store().cursor("s", "files") == 500, "everything buffered is delivered once it starts");
            DestinationStatus running = destination(g, "files");
            assertTrue(running.state() == DestinationState.IDLE || running.state() == DestinationState.SENDING, running.state().name());
            assertEquals(0.0, gauge(registry, "sluice.destination.state", "destination", "files", "state", "FAILED"));
            await(() -> gauge(registry, "sluice.destination.backlog", "destination", "files", "stream", "s") == 0, "backlog gauge at 0");
        }
        List<String> lines = Files.readAllLines(out.resolve("samples.jsonl"));
        assertEquals(500, lines.size());
    }

    @Test
    void statusShowsTheWorkersStateWithTimesFromTheGatewaysClock() throws Exception {
        GatewayConfig config = ConfigLoader.parse("""
                streams:
                  s: {priority: 1, export: [{destination: out}]}
                destinations:
                  out: {type: scripted, max-backoff: 10s}
                """, "test.yaml");
        prefill(config, "s", 20);
        ScriptedDestination.script = (call, p) -> call == 1 ? PacketOutcome.retry("service unavailable (503)") : PacketOutcome.DELIVERED;
        Instant t0 = Instant.parse("2026-12-07T03:00:00Z");
        ManualClock clock = new ManualClock(t0);
        try (Gateway g = Gateway.start(config, dir.resolve("data"), clock, new SimpleMeterRegistry())) {
            await(() -> destination(g, "out").state() == DestinationState.BACKING_OFF
                    && destination(g, "out").nextRetryInMillis() >= 0, "the first call failed and the worker waits");
            DestinationStatus waiting = destination(g, "out");
            assertEquals(t0.toEpochMilli(), waiting.stateSinceMillis());
            assertEquals(t0.toEpochMilli(), waiting.failingSinceMillis());
            assertEquals("service unavailable (503)", waiting.lastError());
            assertEquals(java.util.Map.of("service unavailable (N)", 2L), waiting.failures(), "both packets of the call");
            assertTrue(waiting.nextRetryInMillis() >= 100 && waiting.nextRetryInMillis() <= 200,
                    "the first wait is 100-200ms of a clock that stands still: " + waiting.nextRetryInMillis());
            assertEquals(0, waiting.lastSuccessMillis());
            assertEquals(1, ScriptedDestination.calls.size(), "no retry while the clock stands");

            clock.advance(Duration.ofSeconds(1));
            await(() -> g.store().cursor("s", "out") == 20, "the retry once the clock passed the wait");
            await(() -> destination(g, "out").state() == DestinationState.IDLE, "idle after the retry");
            DestinationStatus delivering = destination(g, "out");
            assertEquals(t0.plusSeconds(1).toEpochMilli(), delivering.stateSinceMillis());
            assertEquals(t0.plusSeconds(1).toEpochMilli(), delivering.lastSuccessMillis());
            assertEquals(0, delivering.failingSinceMillis());
            assertEquals("", delivering.lastError());
            assertEquals(-1, delivering.nextRetryInMillis());
            assertEquals(2, ScriptedDestination.calls.size());
        }
    }

    @Test
    void aDestinationThatNeverStartedHasItsCursorAndTrueBacklogAndRetentionKeepsItsData() throws Exception {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "x");
        GatewayConfig config = ConfigLoader.parse("""
                store: {retention-interval: 50ms}
                streams:
                  shared: {priority: 1, export: [{destination: good}, {destination: never}]}
                  marker: {priority: 2, export: [{destination: good}]}
                destinations:
                  good: {type: scripted}
                  never: {type: file, directory: "%s", max-backoff: 1s}
                """.formatted(blocker.resolve("out").toString().replace("\\", "/")), "test.yaml");
        prefill(config, "shared", 1000);
        prefill(config, "marker", 100);
        try (Gateway g = Gateway.start(config, dir.resolve("data"))) {
            await(() -> g.store().cursor("shared", "good") == 1000, "the working destination has everything");
            // retention has run once the marker stream, read only by the working destination, is emptied
            await(() -> g.store().stats("marker").storedSamples() == 0, "retention removed what every destination had");
            StreamStats shared = g.store().stats("shared");
            assertEquals(0, shared.firstSequence(), "kept for the destination that never committed a cursor");
            assertEquals(0L, shared.cursors().get("never"), "a cursor from the first second");
            assertEquals(1000, shared.backlog("never"));
            DestinationStatus never = destination(g, "never");
            assertEquals(DestinationState.FAILED, never.state());
            assertEquals(1000, never.backlog());
            assertEquals(0, destination(g, "good").backlog());
        }
        assertEquals(0, storedCursor(dir.resolve("data"), "shared", "never"), "the cursor is durable");
    }

    @Test
    void aStopCommitsTheCallAnsweredDuringTheStopSoNothingIsSentTwiceAfterARestart() throws Exception {
        GatewayConfig config = ConfigLoader.parse("""
                streams:
                  s: {priority: 1, export: [{destination: out}]}
                destinations:
                  out: {type: scripted, drain-on-stop: 1s}
                """, "test.yaml");
        prefill(config, "s", 1000);
        CompletableFuture<Void> firstAnswer = new CompletableFuture<>();
        // call 1 (samples 0..49) is answered only once the stop began; call 2 never is (the service died)
        ScriptedDestination.gate = call -> call == 1 ? firstAnswer : new CompletableFuture<>();
        MeterRegistry registry = new SimpleMeterRegistry();
        Gateway g = Gateway.start(config, dir.resolve("data"), Clock.systemUTC(), registry);
        await(() -> ScriptedDestination.calls.size() == 1, "the first call is in flight");
        Thread stopper = new Thread(g::close);
        stopper.start();
        // (the gateway's status waits for close; the state gauge does not)
        await(() -> gauge(registry, "sluice.destination.state", "destination", "out", "state", "STOPPING") == 1, "the stop began");
        firstAnswer.complete(null);
        stopper.join(30_000);
        assertFalse(stopper.isAlive());
        assertEquals(50, ScriptedDestination.accepted.size());
        assertEquals(50, storedCursor(dir.resolve("data"), "s", "out"), "the answered call moved the durable cursor");

        ScriptedDestination.gate = call -> null;
        try (Gateway again = Gateway.start(config, dir.resolve("data"))) {
            await(() -> again.store().cursor("s", "out") == 1000, "the rest is delivered after the restart");
        }
        Set<Long> seen = new HashSet<>();
        for (OutboundSample s : ScriptedDestination.accepted) assertTrue(seen.add(s.sequence()), "sent twice: " + s.sequence());
        assertEquals(1000, seen.size());
    }

    @Test
    void aStopDrainsASmallBacklogBeforeItReturns() throws Exception {
        // a batch interval of an hour: nothing is sent while the gateway runs, everything is waiting at the stop
        GatewayConfig config = ConfigLoader.parse("""
                streams:
                  s: {priority: 1, export: [{destination: out, batch-interval: 1h}]}
                destinations:
                  out: {type: scripted, drain-on-stop: 30s}
                """, "test.yaml");
        prefill(config, "s", 640);
        Gateway g = Gateway.start(config, dir.resolve("data"));
        assertEquals(640, destination(g, "out").backlog());
        g.close();
        assertEquals(640, ScriptedDestination.accepted.size());
        assertEquals(640, storedCursor(dir.resolve("data"), "s", "out"), "drained and committed before the stop returned");
        assertEquals(DestinationState.STOPPED, g.status().destinations().get(0).state());
    }

    @Test
    void aStopWithADeadDestinationEndsAtTheDrainDeadline() throws Exception {
        GatewayConfig config = ConfigLoader.parse("""
                streams:
                  s: {priority: 1, export: [{destination: out}]}
                destinations:
                  out: {type: scripted, drain-on-stop: 500ms}
                """, "test.yaml");
        prefill(config, "s", 300);
        ScriptedDestination.gate = call -> new CompletableFuture<>(); // never answers
        Gateway g = Gateway.start(config, dir.resolve("data"));
        await(() -> ScriptedDestination.calls.size() == 1, "a call is in flight");
        AtomicReference<DestinationStatus> last = new AtomicReference<>();
        // the bound is far above the 500 ms deadline, far below the 120 s call timeout and the old 30 s join
        assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
            g.close();
            last.set(g.status().destinations().get(0));
        });
        assertEquals(DestinationState.STOPPED, last.get().state());
        assertEquals(0, storedCursor(dir.resolve("data"), "s", "out"), "nothing answered, nothing committed");
    }

    @Test
    void anExportAddedToAFailedDestinationGetsItsCursorAndAFixedConfigStartsIt() throws Exception {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "x");
        String template = """
                streams:
                  a: {priority: 1, export: [{destination: out}]}
                  b: {priority: 2, export: [%s]}
                destinations:
                  out: {type: file, directory: "%s", max-backoff: 10m}
                """;
        String blocked = blocker.resolve("out").toString().replace("\\", "/");
        GatewayConfig first = ConfigLoader.parse(template.formatted("", blocked), "test.yaml");
        prefill(first, "a", 100);
        prefill(first, "b", 50);
        try (Gateway g = Gateway.start(first, dir.resolve("data"))) {
            assertEquals(DestinationState.FAILED, destination(g, "out").state());
            assertFalse(g.store().stats("b").cursors().containsKey("out"));
            // the next start attempt is minutes away: the cursor comes from the export, not from a start
            g.reconfigure(ConfigLoader.parse(template.formatted("{destination: out}", blocked), "test.yaml"));
            await(() -> g.store().stats("b").cursors().containsKey("out"), "the new export has a cursor");
            assertEquals(DestinationState.FAILED, destination(g, "out").state());
            assertEquals(150, destination(g, "out").backlog());

            String fixed = dir.resolve("out").toString().replace("\\", "/");
            g.reconfigure(ConfigLoader.parse(template.formatted("{destination: out}", fixed), "test.yaml"));
            await(() -> g.store().cursor("a", "out") == 100 && g.store().cursor("b", "out") == 50, "everything delivered");
        }
        assertEquals(150, Files.readAllLines(dir.resolve("out").resolve("samples.jsonl")).size());
    }

    @Test
    void aDisabledDestinationIsListedWithItsCursorAndBacklogAndEnablingItDeliversTheBacklog() throws Exception {
        String template = """
                streams:
                  s: {priority: 1, export: [{destination: out}]}
                destinations:
                  out: {type: scripted, enabled: %s}
                """;
        GatewayConfig off = ConfigLoader.parse(template.formatted("false"), "test.yaml");
        prefill(off, "s", 200);
        MeterRegistry registry = new SimpleMeterRegistry();
        try (Gateway g = Gateway.start(off, dir.resolve("data"), Clock.systemUTC(), registry)) {
            DestinationStatus status = destination(g, "out");
            assertNotNull(status, "a disabled destination is listed");
            assertEquals(DestinationState.DISABLED, status.state());
            assertEquals(List.of(new DestinationStatus.ExportStatus("s", 1, 0, 200)), status.exports());
            await(() -> Long.valueOf(0).equals(g.store().stats("s").cursors().get("out")), "the stream has a cursor for it");
            assertEquals(200.0, gauge(registry, "sluice.destination.backlog", "destination", "out", "stream", "s"));
            g.reconfigure(ConfigLoader.parse(template.formatted("true"), "test.yaml"));
            await(() -> g.store().cursor("s", "out") == 200, "enabled, it delivers what was kept");
        }
        assertEquals(200, ScriptedDestination.accepted.size());
    }
}
