package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcda.OpcDaAcquisition.Binding;
import io.sluice.connector.opcda.OpcDaAcquisition.Mode;
import io.sluice.connector.opcda.OpcDaConnectorConfig.Acquisition;
import io.sluice.connector.opcda.OpcDaConnectorConfig.BrowseMode;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.testkit.FakeConnectorContext;
import io.sluice.testkit.MovableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Groups, items, reconciliation after reconnect and polling fallback against the in-memory server. */
class OpcDaAcquisitionTest {

    static final Instant T0 = Instant.parse("2026-01-01T08:00:00Z");
    InMemoryOpcDaServer server;
    FakeConnectorContext ctx;
    final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    @TempDir
    Path state;

    @BeforeEach
    void setUp() {
        server = new InMemoryOpcDaServer();
        server.define("Random.Real8", Value.of(1.5), 0xC0, T0);
        server.define("Random.Int4", Value.of(7L), 0xC0, T0);
        server.define("Saw-toothed Waves.Real4", Value.of(0.25), 0x40, T0);
        server.define("Bucket Brigade.String", Value.of("hello"), 0xC0, T0);
        ctx = new FakeConnectorContext("test-opcda", state).withClock(clock);
    }

    OpcDaAcquisition acquisition(OpcDaConnectorConfig config) {
        return new OpcDaAcquisition("line1", config, server, ctx.sink(), clock, ctx.metrics(), LoggerFactory.getLogger("test"));
    }

    @Test
    void connectCreatesGroupsSubscribesAndMapsInitialCallbackToTags() {
        var acq = acquisition(Configs.config(Acquisition.AUTO, List.of(
                Configs.group("fast", List.of(Configs.item("Random.Real8", "boiler.temp"), Configs.item("Random.Int4")), List.of()))));

        assertTrue(acq.connect());

        assertEquals(1, server.liveGroups().size());
        assertEquals("fast", server.liveGroups().get(0).spec.name());
        assertEquals(Mode.SUBSCRIBED, acq.group("fast").mode());
        Sample temp = ctx.samplesOf("boiler.temp").get(0);
        assertEquals(Value.of(1.5), temp.value());
        assertEquals(Quality.GOOD, temp.quality());
        assertEquals(0xC0, temp.statusCode());
        assertEquals(T0, temp.sourceTime());
        assertEquals("degC", temp.unit());
        assertEquals(Value.of(7L), ctx.samplesOf("Random.Int4").get(0).value());
        assertEquals("Matrikon.OPC.Simulation.1", server.settingsSeen.get(0).server().toString());
    }

    @Test
    void badItemIdIsReportedAndSkippedWhileTheRestWorks() {
        var acq = acquisition(Configs.config(Acquisition.AUTO, List.of(
                Configs.group("g", List.of(Configs.item("Random.Real8"), Configs.item("No.Such.Item")), List.of()))));

        assertTrue(acq.connect());

        assertEquals(Map.of("No.Such.Item", HResults.OPC_E_UNKNOWNITEMID), acq.group("g").failed());
        assertEquals(1, acq.group("g").bindings().size());
        assertEquals(1, acq.failedItemCount());
        server.set("Random.Real8", Value.of(2.5), 0xC0, T0.plusSeconds(1));
        assertEquals(Value.of(2.5), last(ctx.samplesOf("Random.Real8")).value());
        assertTrue(ctx.samplesOf("No.Such.Item").isEmpty());
    }

    @Test
    void afterServerRestartGroupsAndItemsAreRecreatedWithNewServerHandlesAndSameTags() {
        var acq = acquisition(Configs.config(Acquisition.AUTO, List.of(
                Configs.group("g1", List.of(Configs.item("Random.Real8", "temp"), Configs.item("Random.Int4")), List.of()),
                Configs.group("g2", List.of(Configs.item("Bucket Brigade.String")), List.of()))));
        assertTrue(acq.connect());
        Map<Integer, Binding> before = acq.group("g1").bindings();
        Set<Integer> serverHandlesBefore = before.values().stream().map(Binding::serverHandle).collect(Collectors.toSet());

        server.restart();
        assertFalse(acq.checkHealth(), "a stale session must be detected");
        acq.disconnect("test restart");

        // bad-on-disconnect: the last value of every item once more, BAD / comm failure
        Sample badTemp = last(ctx.samplesOf("temp"));
        assertEquals(Quality.BAD, badTemp.quality());
        assertEquals(OpcQuality.BAD_COMM_FAILURE, badTemp.statusCode());
        assertEquals(Value.of(1.5), badTemp.value());

        assertTrue(acq.connect());
        assertEquals(2, server.liveGroups().size(), "exactly the configured groups, no leftovers");
        Map<Integer, Binding> after = acq.group("g1").bindings();
        assertEquals(before.keySet(), after.keySet(), "client handles are stable across reconnects");
        Set<Integer> serverHandlesAfter = after.values().stream().map(Binding::serverHandle).collect(Collectors.toSet());
        assertTrue(java.util.Collections.disjoint(serverHandlesBefore, serverHandlesAfter), "server handles are new");

        server.set("Random.Real8", Value.of(99.0), 0xC0, T0.plusSeconds(5));
        Sample s = last(ctx.samplesOf("temp"));
        assertEquals(Value.of(99.0), s.value());
        assertEquals(Quality.GOOD, s.quality());
        server.set("Bucket Brigade.String", Value.of("after"), 0xC0, T0.plusSeconds(5));
        assertEquals(Value.of("after"), last(ctx.samplesOf("Bucket Brigade.String")).value());
        assertEquals(0, ctx.counter("opcda.values.unknown-handle"));
    }

    @Test
    void itemThatFailedBeforeIsBoundWhenTheServerKnowsItAfterRestart() {
        var acq = acquisition(Configs.config(Acquisition.AUTO, List.of(
                Configs.group("g", List.of(Configs.item("Random.Real8"), Configs.item("Later.Item")), List.of()))));
        assertTrue(acq.connect());
        assertEquals(Set.of("Later.Item"), acq.group("g").failed().keySet());

        server.restart();
        server.define("Later.Item", Value.of(true), 0xC0, T0);
        acq.disconnect("restart");
        assertTrue(acq.connect());

        assertTrue(acq.group("g").failed().isEmpty());
        assertEquals(2, acq.group("g").bindings().size());
        assertEquals(Value.of(true), last(ctx.samplesOf("Later.Item")).value());
    }

    @Test
    void periodicRefreshRetriesFailedItemsWithoutReconnecting() {
        var acq = acquisition(Configs.config(Acquisition.AUTO, List.of(
                Configs.group("g", List.of(Configs.item("Random.Real8"), Configs.item("Later.Item")), List.of()))));
        assertTrue(acq.connect());
        int sessions = server.sessionsOpened;
        server.define("Later.Item", Value.of(3L), 0xC0, T0);

        clock.advance(Duration.ofMinutes(5));
        assertTrue(acq.checkHealth());

        assertEquals(sessions, server.sessionsOpened);
        assertTrue(acq.group("g").failed().isEmpty());
        server.set("Later.Item", Value.of(4L), 0xC0, T0.plusSeconds(1));
        assertEquals(Value.of(4L), last(ctx.samplesOf("Later.Item")).value());
    }

    @Test
    void browseRulesAreReevaluatedAddingNewItemsAndRemovingVanishedOnes() {
        var acq = acquisition(Configs.config(Acquisition.AUTO, List.of(Configs.group("b", List.of(),
                List.of(Configs.browse(List.of("Random"), BrowseMode.AUTO, ".*", ".*Int4")))))); 
        assertTrue(acq.connect());
        assertEquals(Set.of("Random.Real8"), tags(acq.group("b").bindings()));

        server.define("Random.Real4", Value.of(0.5), 0xC0, T0);
        server.remove("Random.Real8");
        acq.refreshItems();

        assertEquals(Set.of("Random.Real4"), tags(acq.group("b").bindings()));
        var live = server.liveGroups().get(0);
        assertEquals(Set.of("Random.Real4"), live.items.values().stream().map(i -> i.itemId()).collect(Collectors.toSet()),
                "the vanished item was removed from the server group");
    }

    @Test
    void firstValuesOfItemsAddedToASubscribedGroupAreNotLost() {
        var acq = acquisition(Configs.config(Acquisition.AUTO, List.of(Configs.group("b", List.of(),
                List.of(Configs.browse(List.of("Random"), BrowseMode.AUTO, ".*", null))))));
        assertTrue(acq.connect());
        server.define("Random.Fresh", Value.of(5L), 0xC0, T0);
        server.callbackDuringAddItems = true;
        acq.refreshItems();
        assertEquals(Value.of(5L), last(ctx.samplesOf("Random.Fresh")).value());
        assertEquals(0, ctx.counter("opcda.values.unknown-handle"));
    }

    @Test
    void failingBrowseKeepsTheItemsOfTheLastSuccessfulBrowse() {
        var acq = acquisition(Configs.config(Acquisition.AUTO, List.of(Configs.group("b", List.of(),
                List.of(Configs.browse(List.of(), BrowseMode.FLAT, "Random\\..*", null))))));
        assertTrue(acq.connect());
        assertEquals(Set.of("Random.Real8", "Random.Int4"), tags(acq.group("b").bindings()));

        server.browseFails = true;
        acq.refreshItems();

        assertEquals(Set.of("Random.Real8", "Random.Int4"), tags(acq.group("b").bindings()));
    }

    @Test
    void autoModeFallsBackToPollingWhenNoCallbackArrives() {
        server.callbacksBlocked = true;
        var acq = acquisition(Configs.config(Acquisition.AUTO, List.of(
                Configs.group("g", List.of(Configs.item("Random.Real8"), Configs.item("Random.Int4")), List.of()))));
        assertTrue(acq.connect());
        assertEquals(Mode.SUBSCRIBED, acq.group("g").mode());
        assertTrue(ctx.samples().isEmpty());

        clock.advance(Duration.ofSeconds(14));
        assertTrue(acq.checkHealth());
        assertEquals(Mode.SUBSCRIBED, acq.group("g").mode(), "still within callback-timeout");

        clock.advance(Duration.ofSeconds(1));
        assertTrue(acq.checkHealth());
        assertEquals(Mode.POLLING, acq.group("g").mode());
        assertEquals(1, ctx.counter("opcda.callback.fallbacks"));

        assertTrue(acq.poll("g"));
        assertEquals(2, ctx.sampleCount());
        assertTrue(acq.poll("g"));
        assertEquals(2, ctx.sampleCount(), "unchanged values are not published again");
        server.set("Random.Real8", Value.of(8.5), 0xC0, T0.plusSeconds(2));
        assertTrue(acq.poll("g"));
        assertEquals(Value.of(8.5), last(ctx.samplesOf("Random.Real8")).value());
        assertEquals(3, ctx.sampleCount());
    }

    @Test
    void failedAdviseFallsBackToPollingInAutoModeAndFailsTheConnectInSubscriptionMode() {
        server.adviseFails = true;
        var auto = acquisition(Configs.config(Acquisition.AUTO, List.of(Configs.group("g", List.of(Configs.item("Random.Real8")), List.of()))));
        assertTrue(auto.connect());
        assertEquals(Mode.POLLING, auto.group("g").mode());

        var strict = acquisition(Configs.config(Acquisition.SUBSCRIPTION, List.of(Configs.group("g", List.of(Configs.item("Random.Real8")), List.of()))));
        assertFalse(strict.connect());
        assertTrue(strict.lastError().contains("Advise failed"), strict.lastError());
    }

    @Test
    void pollingModeReadsAndDetectsLostServer() {
        var acq = acquisition(Configs.config(Acquisition.POLLING, List.of(Configs.group("g", List.of(Configs.item("Saw-toothed Waves.Real4")), List.of()))));
        assertTrue(acq.connect());
        assertTrue(ctx.samples().isEmpty(), "no subscription in polling mode");
        assertTrue(acq.poll("g"));
        Sample s = ctx.samples().get(0);
        assertEquals(Quality.UNCERTAIN, s.quality());
        assertEquals(0x40, s.statusCode());

        server.restart();
        assertFalse(acq.poll("g"));
    }

    @Test
    void unconvertibleValuesAreCountedAndSkipped() {
        var acq = acquisition(Configs.config(Acquisition.AUTO, List.of(Configs.group("g", List.of(Configs.item("Random.Real8")), List.of()))));
        assertTrue(acq.connect());
        int before = ctx.sampleCount();
        var g = acq.group("g");
        int client = g.bindings().keySet().iterator().next();
        acq.onCallback(g, List.of(new OpcDaServerSession.ItemState(client, null, 0x00, null, 0, "VT_EMPTY: the server sent no value"),
                new OpcDaServerSession.ItemState(4711, Value.of(1L), 0xC0, null, 0, null)));
        assertEquals(before, ctx.sampleCount());
        assertEquals(1, ctx.counter("opcda.values.unconvertible"));
        assertEquals(1, ctx.counter("opcda.values.unknown-handle"));
    }

    @Test
    void connectFailsCleanlyWhenTheServerIsDown() {
        server.down = true;
        var acq = acquisition(Configs.config(Acquisition.AUTO, List.of(Configs.group("g", List.of(Configs.item("Random.Real8")), List.of()))));
        assertFalse(acq.connect());
        assertTrue(acq.lastError().contains("server unreachable"));
        assertFalse(acq.connected());
    }

    @Test
    void repeatedStatusErrorsCountAsALostServer() {
        var acq = acquisition(Configs.config(Acquisition.AUTO, List.of(Configs.group("g", List.of(Configs.item("Random.Real8")), List.of()))));
        assertTrue(acq.connect());
        server.statusFails = true;
        assertTrue(acq.checkHealth());
        assertTrue(acq.checkHealth());
        assertFalse(acq.checkHealth(), "the third failure in a row reconnects");
        assertTrue(acq.lastError().contains("GetStatus failed"), acq.lastError());
    }

    @Test
    void aSingleStatusErrorDoesNotReconnect() {
        var acq = acquisition(Configs.config(Acquisition.AUTO, List.of(Configs.group("g", List.of(Configs.item("Random.Real8")), List.of()))));
        assertTrue(acq.connect());
        server.statusFails = true;
        assertTrue(acq.checkHealth());
        assertTrue(acq.checkHealth());
        server.statusFails = false;
        assertTrue(acq.checkHealth());
        server.statusFails = true;
        assertTrue(acq.checkHealth(), "the count starts over after a good status");
    }

    private static Set<String> tags(Map<Integer, Binding> bindings) {
        return bindings.values().stream().map(b -> b.item().tag()).collect(Collectors.toSet());
    }

    private static Sample last(List<Sample> samples) {
        assertNotEquals(0, samples.size(), "no samples");
        return samples.get(samples.size() - 1);
    }
}
