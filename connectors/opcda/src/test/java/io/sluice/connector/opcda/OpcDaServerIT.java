package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.connector.opcda.OpcDaConnectorConfig.Acquisition;
import io.sluice.connector.opcda.dcom.JiSessionFactory;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.config.Secret;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real OPC DA server over DCOM. Runs only when these are set (otherwise every test is skipped and says why):
 *
 * <pre>
 * SLUICE_OPCDA_HOST      host of the OPC server, e.g. 192.168.56.10
 * SLUICE_OPCDA_USER      Windows user with DCOM rights
 * SLUICE_OPCDA_PASSWORD  its password
 * SLUICE_OPCDA_PROGID    e.g. Matrikon.OPC.Simulation.1
 * SLUICE_OPCDA_DOMAIN    optional, default empty
 * SLUICE_OPCDA_SESSION_SECURITY  optional, true to sign and seal DCOM traffic
 * SLUICE_OPCDA_ITEMS     optional, comma-separated changing items (default: Matrikon's Random.Real8,Random.Int4,Saw-toothed Waves.Real8)
 * SLUICE_OPCDA_RESTART_COMMAND  optional shell command that restarts the OPC server process (enables the restart test),
 *                        e.g. ssh admin@host "taskkill /F /IM <server process>.exe"  (DCOM relaunches it on the next connect)
 * </pre>
 *
 * {@code SLUICE_OPCDA_HOST=... SLUICE_OPCDA_USER=... SLUICE_OPCDA_PASSWORD=... SLUICE_OPCDA_PROGID=Matrikon.OPC.Simulation.1
 * mvn -B verify -pl connectors/opcda}
 */
class OpcDaServerIT {

    @TempDir
    Path state;

    static final String HOST = System.getenv("SLUICE_OPCDA_HOST");
    static final String USER = System.getenv("SLUICE_OPCDA_USER");
    static final String PASSWORD = System.getenv("SLUICE_OPCDA_PASSWORD");
    static final String PROGID = System.getenv("SLUICE_OPCDA_PROGID");
    static final boolean SESSION_SECURITY = Boolean.parseBoolean(System.getenv("SLUICE_OPCDA_SESSION_SECURITY"));
    static final String DOMAIN = System.getenv().getOrDefault("SLUICE_OPCDA_DOMAIN", "");
    static final List<String> ITEMS = Arrays.stream(System.getenv().getOrDefault("SLUICE_OPCDA_ITEMS",
            "Random.Real8,Random.Int4,Saw-toothed Waves.Real8").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();

    ScheduledExecutorService scheduler;
    OpcDaConnector connector;

    @org.junit.jupiter.api.BeforeAll
    static void sayWhetherThisRuns() {
        if (blank(HOST) || blank(USER) || blank(PASSWORD) || blank(PROGID)) {
            System.err.println("OpcDaServerIT: no OPC DA server configured (SLUICE_OPCDA_HOST, SLUICE_OPCDA_USER,"
                    + " SLUICE_OPCDA_PASSWORD, SLUICE_OPCDA_PROGID); the real-server tests are skipped");
        } else {
            System.err.println("OpcDaServerIT: testing " + PROGID + " on " + HOST + " as " + (DOMAIN.isEmpty() ? "" : DOMAIN + "\\") + USER);
        }
    }

    @BeforeEach
    void requireServer() {
        List<String> missing = new ArrayList<>();
        if (blank(HOST)) missing.add("SLUICE_OPCDA_HOST");
        if (blank(USER)) missing.add("SLUICE_OPCDA_USER");
        if (blank(PASSWORD)) missing.add("SLUICE_OPCDA_PASSWORD");
        if (blank(PROGID)) missing.add("SLUICE_OPCDA_PROGID");
        assumeTrue(missing.isEmpty(), "OPC DA server tests skipped: no DCOM peer can run on this machine and "
                + String.join(", ", missing) + " not set (see connectors/opcda/README.md, 'Testing against a real server')");
        scheduler = Executors.newScheduledThreadPool(2);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (connector != null) connector.stop();
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    static OpcDaConnectorConfig config(Acquisition acquisition) {
        List<OpcDaConnectorConfig.Item> items = ITEMS.stream().map(Configs::item).toList();
        return new OpcDaConnectorConfig(HOST, DOMAIN, USER, new Secret(PASSWORD), Optional.of(PROGID), Optional.empty(),
                OpcDaConnectorConfig.ProgIdResolution.OPCENUM, Duration.ofSeconds(10), SESSION_SECURITY, acquisition, Duration.ofSeconds(15),
                OpcDaConnectorConfig.PollSource.CACHE, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(10),
                Duration.ofMinutes(5), true, 0, Optional.empty(),
                List.of(new OpcDaConnectorConfig.Group("sluice-it", Duration.ofMillis(500), 0, true, items, List.of())));
    }

    static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        org.awaitility.Awaitility.await(what).atMost(limit).pollInterval(Duration.ofMillis(50)).until(condition::getAsBoolean);
    }

    @Test
    void connectsReadsStatusAndBrowses() {
        var settings = new OpcDaSessionFactory.ConnectionSettings(HOST, DOMAIN, USER, new Secret(PASSWORD), ServerId.parse(PROGID),
                OpcDaConnectorConfig.ProgIdResolution.OPCENUM, Duration.ofSeconds(10), SESSION_SECURITY, "sluice-it", 0, java.time.ZoneId.systemDefault());
        try (OpcDaServerSession session = new JiSessionFactory().open(settings)) {
            var status = session.status();
            assertEquals(OpcDaServerSession.ServerState.RUNNING, status.state(), status.toString());
            List<String> found = new ArrayList<>();
            AddressSpaceWalker.walk(session.browser(), List.of(), OpcDaConnectorConfig.BrowseMode.AUTO, "", 3, new AddressSpaceWalker.Visitor() {
                @Override public boolean branch(List<String> path, String name) { return true; }
                @Override public boolean leaf(List<String> path, String name, String itemId) { found.add(itemId); return found.size() < 500; }
            });
            assertFalse(found.isEmpty(), "the server's address space is empty");
            assertTrue(found.containsAll(ITEMS), "browse did not find " + ITEMS + " in " + found);
        }
    }

    @Test
    void subscriptionDeliversChangingValues() throws Exception {
        FakeConnectorContext ctx = new FakeConnectorContext("test-opcda", state, scheduler);
        connector = new OpcDaConnector("it", config(Acquisition.SUBSCRIPTION), new JiSessionFactory());
        connector.start(ctx);
        await("CONNECTED", Duration.ofSeconds(60), () -> ctx.healthState() == HealthState.CONNECTED);
        await("two distinct values of " + ITEMS.get(0), Duration.ofSeconds(60), () -> distinct(ctx.samplesOf(ITEMS.get(0))) >= 2);
        assertTrue(ctx.samples().stream().allMatch(s -> s.sourceTimeNanos() > 0));
    }

    @Test
    void pollingDeliversChangingValues() throws Exception {
        FakeConnectorContext ctx = new FakeConnectorContext("test-opcda", state, scheduler);
        connector = new OpcDaConnector("it", config(Acquisition.POLLING), new JiSessionFactory());
        connector.start(ctx);
        await("CONNECTED", Duration.ofSeconds(60), () -> ctx.healthState() == HealthState.CONNECTED);
        await("two distinct values of " + ITEMS.get(0), Duration.ofSeconds(60), () -> distinct(ctx.samplesOf(ITEMS.get(0))) >= 2);
    }

    @Test
    void survivesAServerRestart() throws Exception {
        String restart = System.getenv("SLUICE_OPCDA_RESTART_COMMAND");
        assumeTrue(!blank(restart), "restart test skipped: SLUICE_OPCDA_RESTART_COMMAND not set");
        FakeConnectorContext ctx = new FakeConnectorContext("test-opcda", state, scheduler);
        connector = new OpcDaConnector("it", config(Acquisition.AUTO), new JiSessionFactory());
        connector.start(ctx);
        await("CONNECTED", Duration.ofSeconds(60), () -> ctx.healthState() == HealthState.CONNECTED);
        await("first values", Duration.ofSeconds(60), () -> !ctx.samplesOf(ITEMS.get(0)).isEmpty());

        Process p = new ProcessBuilder("sh", "-c", restart).inheritIO().start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "restart command did not finish");
        await("reconnect", Duration.ofMinutes(3), () -> ctx.counter("opcda.reconnects") >= 1 && ctx.healthState() == HealthState.CONNECTED);
        int before = ctx.samplesOf(ITEMS.get(0)).size();
        await("values after the restart", Duration.ofSeconds(60), () -> ctx.samplesOf(ITEMS.get(0)).size() >= before + 2);
    }

    private static int distinct(List<Sample> samples) {
        Set<Value> values = new HashSet<>();
        samples.forEach(s -> values.add(s.value()));
        return values.size();
    }
}
