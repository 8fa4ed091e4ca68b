package io.sluice.destination.sitewise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.rigs.proxy.FaultProxy;
import io.sluice.rigs.sitewise.AcceptedValue;
import io.sluice.rigs.sitewise.SiteWiseStandIn;
import io.sluice.rigs.sitewise.ValueType;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.store.ReadBatch;
import io.sluice.runtime.store.StoredSample;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the runtime: simulator connector -> router -> SQLite stream store -> publisher -> SiteWise
 * destination -> (fault proxy ->) SiteWise stand-in.
 */
class SiteWiseExportIT {

    private static final String PREFIX = "/hamburg/press-shop/press-3/";

    @TempDir
    Path data;

    private SiteWiseStandIn standIn;
    private FaultProxy proxy;
    private Gateway gateway;

    @BeforeAll
    static void credentials() {
        System.setProperty("aws.accessKeyId", "AKIDSTANDIN");
        System.setProperty("aws.secretAccessKey", "secret");
    }

    @BeforeEach
    void start() throws Exception {
        standIn = SiteWiseStandIn.start();
        proxy = FaultProxy.start(standIn.port());
    }

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
        proxy.close();
        standIn.close();
    }

    private static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        org.awaitility.Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(50)).until(done::getAsBoolean);
    }

    private static String simulator(String name, String stream, String group, String kind, int count, String interval, long limit) {
        return """
                  %s:
                    type: simulator
                    stream: %s
                    asset: {site: hamburg, area: press-shop, machine: press-3}
                    interval: %s
                    limit: %d
                    tags: [{name: %s, kind: %s, count: %d}]
                """.formatted(name, stream, interval, limit, group, kind, count);
    }

    private String destination(String extra) {
        return destination(extra, "2s");
    }

    /** A long request timeout where no blackhole is involved: a call answered after it would be sent twice. */
    private String destination(String extra, String requestTimeout) {
        return """
                destinations:
                  sitewise:
                    type: sitewise
                    region: eu-central-1
                    endpoint-override: http://127.0.0.1:%d
                    request-timeout: %s
                    max-backoff: 3s
                %s""".formatted(proxy.port(), requestTimeout, extra);
    }

    private io.sluice.runtime.publish.DestinationStatus sitewiseStatus() {
        return gateway.status().destinations().stream().filter(d -> d.name().equals("sitewise")).findFirst().orElseThrow();
    }

    private static String alias(String group, int i) {
        return PREFIX + String.format("%s.%04d", group, i);
    }

    /** Asserts every alias of {@code group} got 0..perTag-1 exactly once, in order, and nothing was sent twice. */
    private void assertExactlyOnceInOrder(String group, int tags, int perTag) {
        assertEquals(0, standIn.overwrites(), "no value stored twice (a resend overwrites at the service)");
        for (int i = 1; i <= tags; i++) {
            List<Object> values = standIn.accepted(alias(group, i)).stream().map(AcceptedValue::value).toList();
            assertEquals(perTag, values.size(), "values for " + alias(group, i));
            for (int v = 0; v < perTag; v++) {
                if (!Integer.valueOf(v).equals(values.get(v))) {
                    fail(alias(group, i) + ": position " + v + " holds " + values.get(v) + ", expected " + v);
                }
            }
        }
    }

    @Test
    void everySampleArrivesExactlyOnceInStreamOrder() throws Exception {
        int tags = 20;
        int perTag = 500;
        for (int i = 1; i <= tags; i++) standIn.defineAlias(alias("count", i), ValueType.INTEGER);
        String yaml = "connectors:\n" + simulator("sim", "telemetry", "count", "counter", tags, "5ms", (long) tags * perTag)
                + """
                streams:
                  telemetry:
                    priority: 3
                    # a batch interval lets values accumulate, so calls are full however fast the publisher is
                    export: [{destination: sitewise, batch-interval: 500ms}]
                """ + destination("");
        gateway = Gateway.start(ConfigLoader.parse(yaml, "exactly-once.yaml"), data);
        await("all samples at the stand-in", Duration.ofSeconds(60), () -> standIn.acceptedCount() >= tags * perTag);
        // nothing more may come: once every window is settled the publisher sends nothing more
        await("every window settled", Duration.ofSeconds(30), () -> gateway.store().stats("telemetry").backlog("sitewise") == 0);
        assertEquals(tags * perTag, standIn.acceptedCount());
        assertExactlyOnceInOrder("count", tags, perTag);
        assertEquals(List.of(), standIn.errorEntries());
        // full calls: about 10 entries x 10 values each
        double perCall = (double) standIn.acceptedCount() / standIn.requests();
        assertTrue(perCall > 50, "samples per call " + perCall);
        await("cursor at the end", Duration.ofSeconds(10),
                () -> gateway.store().stats("telemetry").backlog("sitewise") == 0);
    }

    @Test
    void partialFailuresResendOnlyFailedEntriesAndDeadLetterInvalidOnes() throws Exception {
        int tags = 10;
        int perTag = 300;
        for (int i = 1; i <= tags; i++) standIn.defineAlias(alias("count", i), ValueType.INTEGER);
        standIn.defineAlias(PREFIX + "mode", ValueType.DOUBLE); // the simulator sends strings: type mismatch
        standIn.failNextEntries(alias("count", 1), "ThrottlingException", 3);
        standIn.failNextEntries(alias("count", 2), "InternalFailureException", 2);
        standIn.failNextEntries(alias("count", 3), "ServiceUnavailableException", 1);
        // faults of the service or the account, not of the data: retried, never dead-lettered
        standIn.failNextEntries(alias("count", 4), "ConflictingOperationException", 2);
        standIn.failNextEntries(alias("count", 5), "AccessDeniedException", 1);
        standIn.failNextEntries(alias("count", 6), "SomeFutureException", 1);
        String yaml = "connectors:\n"
                + simulator("sim", "telemetry", "count", "counter", tags, "5ms", (long) tags * perTag)
                + simulator("sim-mode", "telemetry", "mode", "string", 1, "20ms", 50)
                + """
                streams:
                  telemetry:
                    priority: 3
                    export: [{destination: sitewise}]
                """ + destination("", "30s");
        gateway = Gateway.start(ConfigLoader.parse(yaml, "partial.yaml"), data);
        await("all good samples at the stand-in", Duration.ofSeconds(60), () -> standIn.acceptedCount() >= tags * perTag);
        await("the invalid samples in the dead-letter stream", Duration.ofSeconds(30), () -> deadLetters().size() >= 50);
        await("cursor at the end", Duration.ofSeconds(10),
                () -> gateway.store().stats("telemetry").backlog("sitewise") == 0);

        // the retried entries came again, the others of their calls did not: every value exactly once, in order
        assertEquals(tags * perTag, standIn.acceptedCount());
        assertExactlyOnceInOrder("count", tags, perTag);
        Map<String, Integer> injected = new TreeMap<>();
        standIn.errorEntries().stream().filter(e -> e.errorMessage().startsWith("injected"))
                .forEach(e -> injected.merge(e.property().substring(PREFIX.length()) + " " + e.errorCode(), 1, Integer::sum));
        assertEquals(Map.of("count.0001 ThrottlingException", 3, "count.0002 InternalFailureException", 2,
                "count.0003 ServiceUnavailableException", 1, "count.0004 ConflictingOperationException", 2,
                "count.0005 AccessDeniedException", 1, "count.0006 SomeFutureException", 1), injected);

        List<StoredSample> dead = deadLetters();
        assertEquals(50, dead.size(), "only the 50 type mismatches");
        assertTrue(dead.stream().allMatch(s -> s.sample().tag().equals("mode") && s.note().contains("InvalidRequestException")),
                dead.get(0).note());
        List<String> modeValues = dead.stream().map(s -> s.sample().value().toString()).toList();
        assertEquals(50, modeValues.size(), "each rejected sample dead-lettered once");
    }

    @Test
    void anUnknownPropertyIsRetriedNotDeadLetteredAndArrivesOnceItExists() throws Exception {
        standIn.defineAlias(PREFIX + "count", ValueType.INTEGER);
        // "ghost" is not defined yet: ResourceNotFoundException per entry, an operator's fault to fix, not the data's
        String yaml = "connectors:\n"
                + simulator("sim", "telemetry", "count", "counter", 1, "10ms", 100)
                + simulator("sim-ghost", "telemetry", "ghost", "counter", 1, "10ms", 50)
                + """
                streams:
                  telemetry:
                    priority: 3
                    export: [{destination: sitewise}]
                """ + destination("");
        gateway = Gateway.start(ConfigLoader.parse(yaml, "ghost.yaml"), data);
        await("the service refused the unknown alias twice", Duration.ofSeconds(30), () -> standIn.errorEntries().stream()
                .filter(e -> e.errorCode().equals("ResourceNotFoundException")).count() >= 2);
        assertEquals(0, deadLetters().size());

        standIn.defineAlias(PREFIX + "ghost", ValueType.INTEGER); // the operator creates the property
        await("every sample at the stand-in", Duration.ofSeconds(30),
                () -> standIn.accepted(PREFIX + "ghost").size() >= 50 && standIn.accepted(PREFIX + "count").size() >= 100);
        await("cursor at the end", Duration.ofSeconds(10),
                () -> gateway.store().stats("telemetry").backlog("sitewise") == 0);
        assertEquals(0, deadLetters().size());
        assertEquals(50, standIn.accepted(PREFIX + "ghost").stream().map(AcceptedValue::value).distinct().count());
    }

    @Test
    void aWrongEndpointOrAConflictDeadLettersNothingAndTheDataArrivesWhenTheFaultEnds() throws Exception {
        int tags = 5;
        int perTag = 200;
        for (int i = 1; i <= tags; i++) standIn.defineAlias(alias("count", i), ValueType.INTEGER);
        standIn.answerEveryRequest(404, null); // what a wrong endpoint-override gets: a 404 with no AWS error type
        String yaml = "connectors:\n"
                + simulator("sim", "telemetry", "count", "counter", tags, "5ms", (long) tags * perTag)
                + """
                streams:
                  telemetry:
                    priority: 3
                    export: [{destination: sitewise}]
                """ + destination("", "30s");
        gateway = Gateway.start(ConfigLoader.parse(yaml, "wrong-endpoint.yaml"), data);
        await("three calls answered 404", Duration.ofSeconds(30), () -> standIn.rejectedRequests() >= 3);
        assertEquals(0, deadLetters().size(), "a 404 without an error type says nothing about the data");

        standIn.answerEveryRequest(409, "ConflictingOperationException");
        long before = standIn.rejectedRequests();
        await("two calls answered 409", Duration.ofSeconds(30), () -> standIn.rejectedRequests() >= before + 2);
        assertEquals(0, deadLetters().size(), "a conflict is transient");

        standIn.answerNormally();
        await("every sample at the stand-in", Duration.ofSeconds(60), () -> standIn.acceptedCount() >= tags * perTag);
        await("cursor at the end", Duration.ofSeconds(10),
                () -> gateway.store().stats("telemetry").backlog("sitewise") == 0);
        assertExactlyOnceInOrder("count", tags, perTag);
        assertEquals(0, deadLetters().size());
    }

    @Test
    void unsendableSamplesAreReroutedWhenTheDeadLetterStreamIsExported() throws Exception {
        int tags = 5;
        int perTag = 200;
        for (int i = 1; i <= tags; i++) standIn.defineAlias(alias("count", i), ValueType.INTEGER);
        String tooLong = "x".repeat(1100); // SiteWise strings hold at most 1024 characters: refused at pack time
        Path files = data.resolve("rerouted");
        String yaml = "connectors:\n"
                + simulator("sim", "telemetry", "count", "counter", tags, "5ms", (long) tags * perTag)
                + """
                  sim-notes:
                    type: simulator
                    stream: telemetry
                    asset: {site: hamburg, area: press-shop, machine: press-3}
                    interval: 10ms
                    limit: 40
                    tags: [{name: note, kind: string, values: [%s]}]
                streams:
                  telemetry:
                    priority: 3
                    export: [{destination: sitewise}]
                  sitewise-rerouted:
                    priority: 8
                    export: [{destination: archive}]
                """.formatted(tooLong)
                + destination("""
                    dead-letter-stream: sitewise-rerouted
                  archive:
                    type: file
                    directory: %s
                """.formatted(files));
        gateway = Gateway.start(ConfigLoader.parse(yaml, "reroute.yaml"), data);
        await("all counters at the stand-in", Duration.ofSeconds(60), () -> standIn.acceptedCount() >= tags * perTag);
        await("the rerouted notes in the archive", Duration.ofSeconds(30), () -> archivedLines(files).size() >= 40);
        assertExactlyOnceInOrder("count", tags, perTag);
        List<String> archived = archivedLines(files);
        assertEquals(40, archived.size());
        assertTrue(archived.stream().allMatch(l -> l.contains("\"note\"") && l.contains(tooLong)), archived.get(0));
        assertEquals(List.of(), standIn.errorEntries(), "nothing unsendable reached the service");
        await("both cursors at the end", Duration.ofSeconds(10),
                () -> gateway.store().stats("telemetry").backlog("sitewise") == 0
                        && gateway.store().stats("sitewise-rerouted").backlog("archive") == 0);
    }

    @Test
    void samplesOutsideTheServiceWindowAreReroutedToTheFallbackFileDestination() throws Exception {
        int tags = 2;
        int perTag = 100;
        for (int i = 1; i <= tags; i++) standIn.defineAlias(alias("count", i), ValueType.INTEGER);
        standIn.defineAlias(PREFIX + "late", ValueType.INTEGER);
        Path files = data.resolve("archive");
        String yaml = withFallbackArchive(tags, perTag, files);
        gateway = Gateway.start(ConfigLoader.parse(yaml, "fallback.yaml"), data);

        // a backlog replayed late: source times a week old, six days old (in the window) and an hour ahead, received now
        Instant now = Instant.now();
        List<io.sluice.spi.Sample> late = new ArrayList<>();
        for (int v = 0; v < 30; v++) {
            Instant source = v < 20 ? now.minus(Duration.ofDays(8)) : v < 25 ? now.minus(Duration.ofDays(6)) : now.plus(Duration.ofHours(1));
            late.add(new io.sluice.spi.Sample("late", io.sluice.spi.Value.of((long) v), io.sluice.spi.Quality.GOOD, 0,
                    nanos(source.plusMillis(v)), nanos(now), null));
        }
        long firstLate = io.sluice.spi.Durations.await(gateway.store().append("telemetry", "sim", late, null),
                Duration.ofSeconds(10)).firstSequence();

        await("the live samples and the in-window late ones at the stand-in", Duration.ofSeconds(60),
                () -> standIn.acceptedCount() >= tags * perTag + 5);
        await("the out-of-window samples in the archive", Duration.ofSeconds(30), () -> archivedLines(files).size() >= 25);
        await("both cursors at the end", Duration.ofSeconds(10),
                () -> gateway.store().stats("telemetry").backlog("sitewise") == 0
                        && gateway.store().stats("sitewise-fallback").backlog("archive") == 0);

        assertExactlyOnceInOrder("count", tags, perTag);
        assertEquals(List.of(20, 21, 22, 23, 24), standIn.accepted(PREFIX + "late").stream().map(AcceptedValue::value).toList(),
                "the five in the window went to SiteWise, once each");
        assertEquals(List.of(), standIn.errorEntries(), "nothing out of the window reached the service");

        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> archived = archivedLines(files);
        assertEquals(25, archived.size(), "each out-of-window sample archived once");
        Map<Long, String> reasonByValue = new TreeMap<>();
        Set<Long> originSequences = new HashSet<>();
        Set<String> notes = new HashSet<>();
        for (String line : archived) {
            com.fasterxml.jackson.databind.JsonNode n = json.readTree(line);
            assertEquals("sitewise-fallback", n.get("stream").asText(), line);
            assertEquals("late", n.get("tag").asText(), line);
            notes.add(n.get("note").asText());
            io.sluice.runtime.publish.DeadLetterNote note =
                    io.sluice.runtime.publish.DeadLetterNote.parse(n.get("note").asText()).orElseThrow();
            assertEquals("telemetry", note.originStream(), line);
            assertEquals("sitewise", note.destination(), line);
            long value = n.get("value").asLong();
            assertEquals(null, reasonByValue.put(value, note.reason()), "value " + value + " archived twice");
            for (long seq = note.firstSequence(); seq <= note.lastSequence(); seq++) originSequences.add(seq);
        }
        assertEquals(25, reasonByValue.size());
        // two reasons, each moved as a run (a window boundary may split a run once), not one append per sample
        assertTrue(notes.size() <= 4, notes.toString());
        reasonByValue.forEach((v, reason) -> assertTrue(v < 20 ? reason.contains("older than 7d") : reason.contains("ahead"),
                v + ": " + reason));
        assertTrue(reasonByValue.keySet().containsAll(List.of(0L, 19L, 25L, 29L)), reasonByValue.keySet().toString());
        Set<Long> expectedOrigins = new HashSet<>();
        for (long seq = firstLate; seq < firstLate + 20; seq++) expectedOrigins.add(seq);
        for (long seq = firstLate + 25; seq < firstLate + 30; seq++) expectedOrigins.add(seq);
        assertEquals(expectedOrigins, originSequences, "the notes name the origin sequences");

        assertEquals(0, deadLetters().size(), "nothing dead-lettered");
        io.sluice.runtime.publish.DestinationStatus status = sitewiseStatus();
        assertEquals(25, status.rerouted());
        assertEquals("sitewise-fallback", status.fallbackStream());
        assertEquals(0, status.deadLettered());
    }

    @Test
    void entriesTheServiceRefusesForTheirTimestampsAreReroutedToTheFallback() throws Exception {
        int tags = 2;
        int perTag = 50;
        for (int i = 1; i <= tags; i++) standIn.defineAlias(alias("count", i), ValueType.INTEGER);
        // the service's clock is an hour behind the gateway's: every sample is "more than 10 minutes ahead" there,
        // though the gateway's own window check lets it pass
        standIn.clock(java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofHours(-1)));
        Path files = data.resolve("archive");
        String yaml = withFallbackArchive(tags, perTag, files);
        gateway = Gateway.start(ConfigLoader.parse(yaml, "refused.yaml"), data);

        await("every sample in the archive", Duration.ofSeconds(60), () -> archivedLines(files).size() >= tags * perTag);
        await("both cursors at the end", Duration.ofSeconds(10),
                () -> gateway.store().stats("telemetry").backlog("sitewise") == 0
                        && gateway.store().stats("sitewise-fallback").backlog("archive") == 0);

        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        Set<String> seen = new HashSet<>();
        for (String line : archivedLines(files)) {
            com.fasterxml.jackson.databind.JsonNode n = json.readTree(line);
            io.sluice.runtime.publish.DeadLetterNote note =
                    io.sluice.runtime.publish.DeadLetterNote.parse(n.get("note").asText()).orElseThrow();
            assertTrue(note.reason().startsWith("TimestampOutOfRangeException"), line);
            assertTrue(seen.add(n.get("tag").asText() + "=" + n.get("value").asLong()), "archived twice: " + line);
        }
        assertEquals(tags * perTag, seen.size(), "every sample archived once");
        assertEquals(0, standIn.acceptedCount(), "the service accepted none");
        assertEquals(0, deadLetters().size(), "nothing dead-lettered");
        io.sluice.runtime.publish.DestinationStatus status = sitewiseStatus();
        assertEquals(tags * perTag, status.rerouted());
        assertEquals(0, status.deadLettered());
    }

    /** A counter simulator exported to SiteWise, whose fallback is a file destination writing into {@code files}. */
    private String withFallbackArchive(int tags, int perTag, Path files) {
        return "connectors:\n" + simulator("sim", "telemetry", "count", "counter", tags, "5ms", (long) tags * perTag)
                + """
                streams:
                  telemetry:
                    priority: 3
                    export: [{destination: sitewise}]
                """
                + destination("""
                    fallback: archive
                  archive:
                    type: file
                    directory: %s
                """.formatted(files));
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static List<String> archivedLines(Path dir) {
        if (!java.nio.file.Files.isDirectory(dir)) return List.of();
        List<String> lines = new ArrayList<>();
        try (var paths = java.nio.file.Files.list(dir)) {
            for (Path p : paths.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                lines.addAll(java.nio.file.Files.readAllLines(p));
            }
        } catch (java.io.IOException e) {
            return List.of();
        }
        return lines.stream().filter(l -> !l.isBlank()).toList();
    }

    private List<StoredSample> deadLetters() {
        List<StoredSample> out = new ArrayList<>();
        long from = gateway.store().stats("sitewise-dead-letter").firstSequence();
        while (true) {
            ReadBatch batch = gateway.store().read("sitewise-dead-letter", from, 1000);
            out.addAll(batch.samples());
            if (batch.isEmpty() || batch.nextSequence() <= from) return out;
            from = batch.nextSequence();
        }
    }

    @Test
    void sixtySecondOutageLosesNothingAndDrainsHighPriorityFirst() throws Exception {
        int tags = 10;
        long rateMillis = 20; // 10 tags every 20 ms: 500 samples/s per stream
        int perTag = 3_800;   // ~76 s of production per tag
        for (int i = 1; i <= tags; i++) {
            standIn.defineAlias(alias("hi", i), ValueType.INTEGER);
            standIn.defineAlias(alias("lo", i), ValueType.INTEGER);
        }
        String yaml = "connectors:\n"
                + simulator("sim-high", "alarms", "hi", "counter", tags, rateMillis + "ms", (long) tags * perTag)
                + simulator("sim-low", "history", "lo", "counter", tags, rateMillis + "ms", (long) tags * perTag)
                + """
                streams:
                  alarms:
                    priority: 1
                    export: [{destination: sitewise}]
                  history:
                    priority: 9
                    export: [{destination: sitewise}]
                """ + destination("");
        gateway = Gateway.start(ConfigLoader.parse(yaml, "outage.yaml"), data);
        await("both streams flowing", Duration.ofSeconds(30),
                () -> standIn.accepted(alias("hi", 1)).size() > 50 && standIn.accepted(alias("lo", 1)).size() > 50);

        Instant outageStart = Instant.now();
        long retriesBefore = sitewiseStatus().retries();
        proxy.blackhole();
        // a request already through the proxy may still be processed (its answer is swallowed): once the gateway
        // gave up on a call (2 s request timeout), the stand-in has handled whatever reached it before the blackhole
        await("a call failed in the outage", Duration.ofSeconds(30), () -> sitewiseStatus().retries() > retriesBefore);
        int acceptedAtStart = standIn.acceptedCount();
        // the outage itself: a minute of production waits in the store
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), outageStart.plusSeconds(60)).toMillis()));
        int acceptedDuringOutage = standIn.acceptedCount() - acceptedAtStart;
        Instant restored = Instant.now();
        proxy.pass();
        long backlogAtRestore = gateway.store().stats("alarms").backlog("sitewise")
                + gateway.store().stats("history").backlog("sitewise");

        await("every sample at the stand-in", Duration.ofSeconds(120),
                () -> distinct(standIn.accepted()) >= 2 * tags * perTag);
        await("every window settled", Duration.ofSeconds(30), () -> gateway.store().stats("alarms").backlog("sitewise") == 0
                && gateway.store().stats("history").backlog("sitewise") == 0);

        assertEquals(0, acceptedDuringOutage, "nothing may arrive through a blackhole");
        assertTrue(backlogAtRestore > 2 * tags * 55 * (1000 / rateMillis) / 10,
                "a minute of production waited in the store: " + backlogAtRestore);
        // nothing lost (a request cut off by the blackhole may have been answered and sent again: at-least-once)
        List<AcceptedValue> all = standIn.accepted();
        for (String group : List.of("hi", "lo")) {
            for (int i = 1; i <= tags; i++) {
                Set<Object> seen = new HashSet<>();
                int last = -1;
                for (AcceptedValue v : standIn.accepted(alias(group, i))) {
                    int value = (Integer) v.value();
                    if (seen.add(value)) {
                        assertEquals(last + 1, value, alias(group, i) + " out of order");
                        last = value;
                    }
                }
                assertEquals(perTag, seen.size(), alias(group, i) + " lost samples");
            }
        }
        // priority: every high-priority sample produced before the restore arrives before any low-priority sample
        // produced during the outage (a one-second grace for the window being sent when the blackhole began)
        Instant lowFrom = outageStart.plusSeconds(1);
        int lastHigh = -1;
        int firstLowOutage = Integer.MAX_VALUE;
        int lowOutageCount = 0;
        for (int i = 0; i < all.size(); i++) {
            AcceptedValue v = all.get(i);
            Instant t = v.timestamp();
            if (v.property().startsWith(PREFIX + "hi.") && !t.isAfter(restored)) {
                lastHigh = i;
            } else if (v.property().startsWith(PREFIX + "lo.") && !t.isBefore(lowFrom) && !t.isAfter(restored)) {
                firstLowOutage = Math.min(firstLowOutage, i);
                lowOutageCount++;
            }
        }
        assertTrue(lowOutageCount > 10_000, "low-priority samples produced during the outage: " + lowOutageCount);
        assertTrue(lastHigh < firstLowOutage, "high-priority sample at arrival " + lastHigh
                + " came after a low-priority outage sample at arrival " + firstLowOutage);
        await("the backlog drained and the cursors at the end", Duration.ofSeconds(10),
                () -> gateway.store().stats("alarms").backlog("sitewise") == 0
                        && gateway.store().stats("history").backlog("sitewise") == 0);
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void aResourceQuotaIsRetriedUntilLiftedWithOneWarningAndNothingLost() throws Exception {
        int tags = 3;
        int perTag = 100;
        for (int i = 1; i <= tags; i++) standIn.defineAlias(alias("count", i), ValueType.INTEGER);
        standIn.limitExceeded(true);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream tee = new java.io.PrintStream(new java.io.OutputStream() {
            @Override public void write(int b) {
                synchronized (captured) { captured.write(b); }
                err.write(b);
            }
            @Override public void write(byte[] b, int off, int len) {
                synchronized (captured) { captured.write(b, off, len); }
                err.write(b, off, len);
            }
        }, true);
        System.setErr(tee);
        try {
            String yaml = "connectors:\n"
                    + simulator("sim", "telemetry", "count", "counter", tags, "5ms", (long) tags * perTag)
                    + """
                    streams:
                      telemetry:
                        priority: 3
                        export: [{destination: sitewise}]
                    """ + destination("", "30s");
            gateway = Gateway.start(ConfigLoader.parse(yaml, "quota.yaml"), data);
            await("four calls answered 410", Duration.ofSeconds(60), () -> standIn.rejectedRequests() >= 4);
            assertEquals(0, standIn.acceptedCount());
            assertEquals(0, deadLetters().size(), "a quota says nothing about the data");

            standIn.limitExceeded(false);
            await("every sample at the stand-in", Duration.ofSeconds(60), () -> standIn.acceptedCount() >= tags * perTag);
            await("cursor at the end", Duration.ofSeconds(10),
                    () -> gateway.store().stats("telemetry").backlog("sitewise") == 0);
            await("the episode's end logged", Duration.ofSeconds(10), () -> logged(captured).contains("delivering again"));
        } finally {
            System.setErr(err);
        }
        assertExactlyOnceInOrder("count", tags, perTag);
        assertEquals(0, deadLetters().size());
        List<String> warnings = logged(captured).lines()
                .filter(l -> l.contains("WARN") && l.contains("destination sitewise")).toList();
        assertEquals(1, warnings.size(), "one WARN line for the episode: " + warnings);
        assertTrue(warnings.get(0).contains("LimitExceededException") && warnings.get(0).contains("quota"), warnings.get(0));
    }

    private static String logged(java.io.ByteArrayOutputStream captured) {
        synchronized (captured) {
            return captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static int distinct(List<AcceptedValue> values) {
        Set<String> keys = new HashSet<>();
        for (AcceptedValue v : values) keys.add(v.property() + "#" + v.value());
        return keys.size();
    }
}
