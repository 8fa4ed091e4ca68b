package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcda.OpcDaConnectorConfig.Acquisition;
import io.sluice.spi.Value;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connector's own scheduling (connect, status checks, backoff, stop) with a real scheduler and the in-memory server. */
class OpcDaConnectorTest {

    InMemoryOpcDaServer server;
    ScheduledExecutorService scheduler;
    FakeConnectorContext ctx;
    @TempDir
    Path state;
    OpcDaConnector connector;

    @BeforeEach
    void setUp() {
        server = new InMemoryOpcDaServer();
        server.define("Random.Real8", Value.of(1.0), 0xC0, Instant.EPOCH);
        server.define("Random.Int4", Value.of(1L), 0xC0, Instant.EPOCH);
        scheduler = Executors.newScheduledThreadPool(2);
        ctx = new FakeConnectorContext("test-opcda", state, scheduler);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (connector != null) connector.stop();
        scheduler.shutdownNow();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }

    OpcDaConnectorConfig fastConfig(List<OpcDaConnectorConfig.Item> items) {
        var c = Configs.config(Acquisition.AUTO, List.of(new OpcDaConnectorConfig.Group("g", Duration.ofMillis(20), 0, true, items, List.of())));
        return new OpcDaConnectorConfig(c.host(), c.domain(), c.user(), c.password(), c.progId(), c.clsid(), c.progIdResolution(),
                c.socketTimeout(), false, c.acquisition(), c.callbackTimeout(), c.pollSource(), Duration.ofMillis(20),
                Duration.ofMillis(5), Duration.ofMillis(40), c.itemRetryInterval(), true, 0, java.util.Optional.empty(), c.groups());
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                .until(condition::getAsBoolean);
    }

    @Test
    void connectsSurvivesAServerRestartAndStopsCleanly() throws Exception {
        connector = new OpcDaConnector("line1", fastConfig(List.of(Configs.item("Random.Real8"), Configs.item("Random.Int4"))), server);
        connector.start(ctx);
        await("connected", () -> ctx.healthState() == HealthState.CONNECTED);
        await("initial values", () -> ctx.sampleCount() >= 2);

        server.restart();
        await("reconnect", () -> ctx.counter("opcda.reconnects") >= 1 && ctx.healthState() == HealthState.CONNECTED
                && server.liveGroups().size() == 1);
        assertTrue(ctx.healthLog().stream().anyMatch(h -> h.startsWith("DISCONNECTED")), ctx.healthLog().toString());

        server.set("Random.Real8", Value.of(42.0), 0xC0, Instant.EPOCH.plusSeconds(1));
        await("value after restart", () -> ctx.samplesOf("Random.Real8").stream().anyMatch(s -> s.value().equals(Value.of(42.0))));

        connector.stop();
        assertEquals(HealthState.STOPPED, ctx.healthState());
        assertEquals(0, server.liveGroups().size(), "groups removed on stop");
        connector = null;
    }

    @Test
    void keepsRetryingWhileTheServerIsDownThenConnects() throws Exception {
        server.down = true;
        connector = new OpcDaConnector("line1", fastConfig(List.of(Configs.item("Random.Real8"))), server);
        connector.start(ctx);
        await("several attempts", () -> server.settingsSeen.size() >= 3);
        assertEquals(HealthState.DISCONNECTED, ctx.healthState());
        assertTrue(ctx.lastHealthReport().toString().contains("retrying in"), ctx.healthLog().toString());

        server.down = false;
        await("connected", () -> ctx.healthState() == HealthState.CONNECTED);
    }

    @Test
    void stopBreaksOffAHungConnect() throws Exception {
        server.hangInAddGroup = true;
        connector = new OpcDaConnector("line1", fastConfig(List.of(Configs.item("Random.Real8"))), server);
        connector.start(ctx);
        await("the connect to hang", () -> server.hanging);
        connector.stop();
        assertTrue(server.hangEndedByClose, "stop closed the session instead of waiting for the call to time out");
        assertEquals(HealthState.STOPPED, ctx.healthState());
        connector = null;
    }

    @Test
    void aRejectedItemMakesTheConnectorDegradedNotDown() throws Exception {
        connector = new OpcDaConnector("line1", fastConfig(List.of(Configs.item("Random.Real8"), Configs.item("Nope"))), server);
        connector.start(ctx);
        await("degraded", () -> ctx.healthState() == HealthState.DEGRADED);
        assertTrue(ctx.lastHealthReport().toString().contains("1 items rejected"), ctx.healthLog().toString());
        await("values of the good item", () -> !ctx.samplesOf("Random.Real8").isEmpty());
    }
}
