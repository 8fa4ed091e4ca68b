package io.sluice.gateway.greengrass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.greengrass.ComponentRun;
import io.sluice.rigs.greengrass.ComponentState;
import io.sluice.rigs.greengrass.FailureHandlingPolicy;
import io.sluice.rigs.greengrass.GreengrassIpcStandIn;
import io.sluice.rigs.greengrass.StopResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deployments of the real jar the way the recipe starts it, {@code sh -c "exec java ... run --greengrass"} from
 * {@code Lifecycle.Startup}, against the IPC stand-in modelling the nucleus's component lifecycle: the deployment
 * succeeds only once Sluice reports RUNNING, fails (and rolls back) when the first configuration is invalid, and a
 * stop (SIGTERM) ends with the whole shutdown logged and exit 0.
 */
class GreengrassDeploymentIT {

    private static final Path JAR = Path.of("target", "sluice.jar");
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    /** The grace the stand-in grants before a forced kill; the real nucleus grants 5 s (see docs/greengrass.md). */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private GreengrassIpcStandIn nucleus;

    @AfterEach
    void stop() {
        if (nucleus != null) nucleus.close();
    }

    private Map<String, Object> configuration(int priority) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("jvmOptions", "-Xmx128m");
        config.put("admin", Map.of("listen", "127.0.0.1:0")); // another gateway on the machine may hold 9180
        config.put("connectors", Map.of("sim", Map.of("type", "simulator", "stream", "telemetry",
                "asset", Map.of("site", "it-site"), "interval", "100ms",
                "tags", List.of(Map.of("name", "counter", "kind", "counter")))));
        config.put("streams", Map.of("telemetry", Map.of("priority", priority,
                "export", List.of(Map.of("destination", "local")))));
        config.put("destinations", Map.of("local", Map.of("type", "greengrass-pubsub", "topic", "sluice/{stream}")));
        return config;
    }

    /** The recipe's Linux Startup line, with the stand-in's paths. */
    private ProcessBuilder startup(Path log) {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " must be built (package phase) before the ITs");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "exec \"" + java + "\" -Xmx128m -jar \"" + JAR.toAbsolutePath() + "\" run --greengrass --data \""
                + dir.resolve("data") + "\"";
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script);
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        return pb;
    }

    private static String text(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Test
    void invalidFirstConfigurationFailsTheDeploymentAndRollsBack() throws Exception {
        Map<String, Object> previous = Map.of("streams", Map.of());
        nucleus = GreengrassIpcStandIn.builder().socketPath(dir.resolve("ipc.sock")).configuration(previous)
                .allowPubSubTopics(List.of("sluice/*")).start();
        Path log = dir.resolve("invalid.log");

        ComponentRun run = nucleus.deployComponent(configuration(11), startup(log), STARTUP_TIMEOUT,
                FailureHandlingPolicy.ROLLBACK, STOP_GRACE);

        assertEquals("FAILED", run.deployment().status(), text(log));
        assertFalse(run.deployment().applied());
        assertFalse(run.states().contains(ComponentState.RUNNING), "never RUNNING: " + run.states());
        assertEquals(List.of("ERRORED"), nucleus.reportedStates());
        assertTrue(run.process().waitFor(30, TimeUnit.SECONDS));
        int exit = run.process().exitValue();
        if (run.states().contains(ComponentState.STOPPING)) {
            // the rollback stopped the component on its ERRORED report before it had exited by itself (a busy
            // machine): SIGTERM's status, unless its own exit was already under way
            assertTrue(exit == GreengrassMode.EXIT_INVALID_CONFIG || exit == 128 + 15, "exit 2, or SIGTERM's 143: " + exit + "\n" + text(log));
        } else {
            assertEquals(GreengrassMode.EXIT_INVALID_CONFIG, exit, "exit 2 reaches the nucleus\n" + text(log));
        }
        assertTrue(text(log).contains("streams.telemetry.priority"), "the log names the key:\n" + text(log));
        assertEquals(previous, nucleus.configuration(), "rolled back");
        assertEquals(List.of(run.deployment()), nucleus.deployments());
    }

    @Test
    void aStopWhileTheComponentStillWaitsForTheAnswerToRunningClosesItCleanly() throws Exception {
        nucleus = GreengrassIpcStandIn.builder().socketPath(dir.resolve("ipc.sock")).configuration(Map.of())
                .allowPubSubTopics(List.of("sluice/*")).start();
        // the nucleus records RUNNING at once and answers it later: the stop arrives while the component is starting
        nucleus.delayStateReports(Duration.ofSeconds(2));
        Path log = dir.resolve("early-stop.log");

        ComponentRun run = nucleus.deployComponent(configuration(5), startup(log), STARTUP_TIMEOUT,
                FailureHandlingPolicy.ROLLBACK, STOP_GRACE);
        assertEquals("SUCCEEDED", run.deployment().status(), run.reason() + "\n" + text(log));
        StopResult stopped = run.stop(STOP_GRACE);

        assertFalse(stopped.forced(), "stopped on SIGTERM, not killed\n" + text(log));
        assertEquals(0, stopped.exitCode(), text(log));
        String shutdown = text(log);
        assertTrue(shutdown.contains("shutdown requested"), shutdown);
        assertTrue(shutdown.contains("GreengrassMode - stopped"), "the close ran to its end before the JVM exited:\n" + shutdown);
    }

    @Test
    void validFirstConfigurationIsRunningOnceStartedAndStopsCleanly() throws Exception {
        nucleus = GreengrassIpcStandIn.builder().socketPath(dir.resolve("ipc.sock")).configuration(Map.of())
                .allowPubSubTopics(List.of("sluice/*")).start();
        Path log = dir.resolve("valid.log");

        ComponentRun run = nucleus.deployComponent(configuration(5), startup(log), STARTUP_TIMEOUT,
                FailureHandlingPolicy.ROLLBACK, STOP_GRACE);

        assertEquals("SUCCEEDED", run.deployment().status(), run.reason() + "\n" + text(log));
        assertEquals(List.of(ComponentState.NEW, ComponentState.STARTING, ComponentState.RUNNING), run.states());
        assertTrue(text(log).contains("gateway started from the component configuration"),
                "RUNNING came after the gateway had started:\n" + text(log));
        GreengrassIpcStandIn.await(nucleus::topicPublishes, l -> !l.isEmpty(), Duration.ofSeconds(30));

        StopResult stopped = run.stop(STOP_GRACE);
        System.out.printf("stop: SIGTERM to exit %d in %d ms%n", stopped.exitCode(), stopped.took().toMillis());
        assertFalse(stopped.forced(), "stopped on SIGTERM, not killed\n" + text(log));
        assertEquals(0, stopped.exitCode(), text(log));
        assertEquals(ComponentState.FINISHED, run.state());
        String shutdown = text(log);
        System.out.println("the component's log from SIGTERM on:\n"
                + shutdown.substring(shutdown.lastIndexOf('\n', Math.max(0, shutdown.indexOf("shutdown requested"))) + 1));
        assertTrue(shutdown.contains("shutdown requested"), "java itself got SIGTERM (exec):\n" + shutdown);
        assertTrue(shutdown.contains("GreengrassMode - stopped"), "the whole shutdown is logged:\n" + shutdown);
    }
}
