package io.sluice.rigs.greengrass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deployComponent}: the component lifecycle of a {@code Lifecycle.Startup} recipe with processes that never
 * report RUNNING (reporting is shown with the real client in the gateway's GreengrassDeploymentIT).
 */
@Timeout(60)
class ComponentRunIT {

    @TempDir
    Path dir;

    private GreengrassIpcStandIn nucleus() throws Exception {
        return GreengrassIpcStandIn.builder().socketPath(dir.resolve("ipc.sock"))
                .configuration(Map.of("streams", Map.of("telemetry", Map.of("priority", 5)))).start();
    }

    @Test
    void exitBeforeRunningFailsTheDeploymentAndRollsBack() throws Exception {
        try (GreengrassIpcStandIn nucleus = nucleus()) {
            ComponentRun run = nucleus.deployComponent(Map.of("streams", Map.of("telemetry", Map.of("priority", 99))),
                    new ProcessBuilder("sh", "-c", "test -n \"$SVCUID\" && exit 2"), Duration.ofSeconds(30),
                    FailureHandlingPolicy.ROLLBACK, Duration.ofSeconds(5));
            assertEquals("FAILED", run.deployment().status());
            assertFalse(run.deployment().applied());
            assertTrue(run.deployment().message().contains("exited with code 2 before reporting RUNNING"),
                    run.deployment().message());
            assertEquals(List.of(ComponentState.NEW, ComponentState.STARTING, ComponentState.ERRORED), run.states());
            assertEquals(5, ((Map<?, ?>) ((Map<?, ?>) nucleus.configuration().get("streams")).get("telemetry")).get("priority"),
                    "rolled back to the previous configuration");
            assertEquals(List.of(run.deployment()), nucleus.deployments());
        }
    }

    @Test
    void noReportWithinTheStartupTimeoutFailsAndTheProcessIsStopped() throws Exception {
        try (GreengrassIpcStandIn nucleus = nucleus()) {
            ComponentRun run = nucleus.deployComponent(Map.of(), new ProcessBuilder("sleep", "60"),
                    Duration.ofMillis(500), FailureHandlingPolicy.ROLLBACK, Duration.ofSeconds(5));
            assertEquals("FAILED", run.deployment().status());
            assertTrue(run.deployment().message().contains("did not report RUNNING"), run.deployment().message());
            assertFalse(run.process().isAlive(), "rollback stopped the process");
        }
    }

    @Test
    void doNothingLeavesTheFailedComponentAndItsConfiguration() throws Exception {
        try (GreengrassIpcStandIn nucleus = nucleus()) {
            ComponentRun run = nucleus.deployComponent(Map.of("x", 1), new ProcessBuilder("sh", "-c", "exit 1"),
                    Duration.ofSeconds(30), FailureHandlingPolicy.DO_NOTHING, Duration.ofSeconds(5));
            assertEquals("FAILED", run.deployment().status());
            assertEquals(ComponentState.ERRORED, run.state());
            assertEquals(Map.of("x", 1), nucleus.configuration());
        }
    }
}
