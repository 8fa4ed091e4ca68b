package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.path;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcua.OpcUaConnectorConfig.AcquisitionMode;
import io.sluice.connector.opcua.OpcUaConnectorConfig.DeadbandType;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.rigs.opcua.RigMain;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rig server runs in its own JVM and is frozen for 10 s (SIGSTOP, then SIGCONT), as a server stalled by its host
 * would be. The connector notices the dead session, marks the outage in the data, and afterwards continues the
 * subscription the server still has: every change of the ramp (its value is the rig's step counter) arrives once and
 * in order, including the ones the server queued, and the reported gap runs from the last value to the first after.
 */
class OpcUaServerFreezeIT {

    private static final Pattern ENDPOINT = Pattern.compile("(opc\\.tcp://\\S+)");

    @Test
    @Timeout(120)
    void aFrozenServersSubscriptionIsContinuedWithNothingLostAndTheOutageMarked(@TempDir Path dir) throws Exception {
        Process rig = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RigMain.class.getName(),
                "--bind", "127.0.0.1", "--port", "0", "--scalars-per-type", "0", "--change-interval", "50",
                "--security-dir", dir.resolve("rig").toString())
                .redirectErrorStream(true).start();
        OpcUaConnector connector = null;
        try (FakeConnectorContext ctx = new FakeConnectorContext("test-opcua", dir.resolve("state"))) {
            String endpoint = endpointOf(rig);
            NodeGroup g = ConfigFixtures.group("g", AcquisitionMode.SUBSCRIPTION, Duration.ofMillis(100), 2000,
                    DeadbandType.NONE, 0, Optional.empty(), List.of(path("/Rig/Dynamic/Ramp")), List.of());
            // a user identity: a server transfers a subscription only to a session that proves it is the same client
            OpcUaConnectorConfig config = new OpcUaConnectorConfig(endpoint, "none", Optional.empty(),
                    Optional.of("operator"), Optional.of(new io.sluice.spi.config.Secret("operator-secret")),
                    Optional.empty(), Optional.empty(), Optional.empty(), true, Optional.empty(),
                    Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMinutes(2), Duration.ofSeconds(1),
                    Duration.ofMillis(200), Duration.ofSeconds(1), 1000, List.of(g));
            connector = (OpcUaConnector) new OpcUaConnectorFactory().create("freeze", config);
            connector.start(ctx);
            await("connected").atMost(Duration.ofSeconds(30)).until(() -> ctx.healthState() == HealthState.CONNECTED);
            await("values").atMost(Duration.ofSeconds(10)).until(() -> ctx.samplesOf("Ramp").size() >= 10);

            signal(rig, "STOP");
            long frozenAt = System.nanoTime();
            await("the frozen server noticed").atMost(Duration.ofSeconds(20)).until(() -> ctx.healthState() == HealthState.DISCONNECTED);
            while (System.nanoTime() - frozenAt < TimeUnit.SECONDS.toNanos(10)) Thread.sleep(100); // the freeze itself
            int before = good(ctx).size();
            signal(rig, "CONT");
            await("values after the freeze").atMost(Duration.ofSeconds(30)).until(() -> good(ctx).size() > before + 50
                    && ctx.healthState() == HealthState.CONNECTED);

            List<Sample> ramp = ctx.samplesOf("Ramp");
            List<Long> steps = new ArrayList<>();
            for (Sample s : ramp) if (s.quality() == Quality.GOOD) steps.add((long) ((Value.FloatValue) s.value()).value());
            for (int i = 1; i < steps.size(); i++) {
                assertEquals(steps.get(i - 1) + 1, steps.get(i), "step " + i + " of " + steps.size()
                        + ": not exactly once and in order around " + steps.subList(Math.max(0, i - 3), Math.min(steps.size(), i + 3)));
            }
            List<Sample> bad = ramp.stream().filter(s -> s.quality() == Quality.BAD).toList();
            assertEquals(1, bad.size(), "one outage marker: " + bad);
            assertEquals(StatusCodes.Bad_NoCommunication, bad.get(0).statusCode());
            int marker = ramp.indexOf(bad.get(0));
            assertTrue(marker > 0 && marker < ramp.size() - 1, "the marker lies between values");
            assertEquals(Quality.GOOD, ramp.get(marker + 1).quality(), "GOOD resumes with the next value");

            assertEquals(0, ctx.counter("opcua.notifications.lost"));
            List<Double> gaps = ctx.metrics().recorded("opcua.gap.seconds");
            assertEquals(1, gaps.size(), gaps.toString());
            assertTrue(gaps.get(0) >= 10, "the gap runs from the last value before the freeze: " + gaps);
            String detail = ctx.lastHealthReport().detail();
            assertTrue(detail.contains("recovered after a gap of"), detail);
        } finally {
            if (connector != null) connector.stop();
            signal(rig, "CONT");
            rig.destroy();
            if (!rig.waitFor(10, TimeUnit.SECONDS)) rig.destroyForcibly();
        }
    }

    private static List<Sample> good(FakeConnectorContext ctx) {
        return ctx.samplesOf("Ramp").stream().filter(s -> s.quality() == Quality.GOOD).toList();
    }

    /** Reads the rig's output until it prints its endpoint; keeps draining it afterwards. */
    private static String endpointOf(Process rig) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(rig.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> endpoint = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = ENDPOINT.matcher(line);
                    if (line.startsWith("OPC UA rig server:") && m.find()) endpoint.complete(m.group(1));
                }
            } catch (Exception e) {
                endpoint.completeExceptionally(e);
            }
            endpoint.completeExceptionally(new IllegalStateException("the rig server exited"));
        }, "rig-output");
        reader.setDaemon(true);
        reader.start();
        return endpoint.get(60, TimeUnit.SECONDS);
    }

    private static void signal(Process p, String signal) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }
}
