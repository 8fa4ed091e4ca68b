package io.sluice.gateway.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.RunningGateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice status} asks a running gateway through its admin endpoint (with the token when it needs one), prints
 * the endpoint's document with {@code --json}, and exits 0 healthy, 1 degraded, 3 stopped.
 */
@Timeout(120)
class StatusCommandIT {

    @TempDir
    Path dir;

    private GatewayConfig config(String fileDirectory) {
        return ConfigLoader.parse("""
                connectors:
                  sim:
                    type: simulator
                    stream: telemetry
                    interval: 5ms
                    tags: [{name: c, kind: counter, count: 5}]
                streams:
                  telemetry:
                    export: [{destination: out}]
                destinations:
                  out: {type: file, directory: "%s", max-backoff: 500ms}
                admin:
                  listen: 127.0.0.1:0
                  auth: token
                  ready-failing-after: 1s
                """.formatted(fileDirectory), "test.yaml");
    }

    private static InProcessCli.Result awaitStatus(Path data, Predicate<InProcessCli.Result> until) throws InterruptedException {
        InProcessCli.Result[] r = {null};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            r[0] = InProcessCli.run("status", "--json", "--data", data.toString());
            assertTrue(until.test(r[0]), () -> "status never matched: exit " + r[0].exit() + "\n" + r[0].out() + r[0].err());
        });
        return r[0];
    }

    @Test
    void statusAsksTheEndpointAndItsExitCodeFollowsHealth() throws Exception {
        Path data = dir.resolve("data");
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "a file where the destination wants a directory");
        try (RunningGateway running = RunningGateway.start(config(blocker.resolve("out").toString()), data)) {
            InProcessCli.Result degraded = awaitStatus(data, r -> r.exit() == 1);
            JsonNode doc = new ObjectMapper().readTree(degraded.out());
            assertEquals("degraded", doc.path("health").path("status").asText(), degraded.out());
            assertTrue(doc.path("streams").get(0).has("drainRatePerSecond"), "the endpoint's document, not status.json");
            assertFalse(doc.path("destinations").get(0).path("failingSince").isNull(), degraded.out());

            Files.delete(blocker);
            InProcessCli.Result healthy = awaitStatus(data, r -> r.exit() == 0);
            assertEquals("healthy", new ObjectMapper().readTree(healthy.out()).path("health").path("status").asText());

            InProcessCli.Result text = InProcessCli.run("status", "--data", data.toString());
            assertEquals(0, text.exit(), text.err());
            assertTrue(text.out().contains("status from the running gateway (gateway running), healthy"), text.out());
            assertTrue(text.out().contains("streams:") && text.out().contains("backlog"), text.out());
        }
        InProcessCli.Result stopped = InProcessCli.run("status", "--data", data.toString());
        assertEquals(3, stopped.exit(), stopped.out() + stopped.err());
        assertTrue(stopped.out().contains("gateway stopped"), stopped.out());
    }
}
