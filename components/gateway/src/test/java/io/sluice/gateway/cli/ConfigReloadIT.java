package io.sluice.gateway.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standalone hot reload of {@code sluice run}: an edit of the watched config file restarts only the connector it
 * changed; an invalid edit is rejected with file:line:key and the old configuration keeps running; {@code sluice
 * reload} (admin endpoint) and SIGHUP apply the file the same way.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConfigReloadIT {

    @TempDir
    Path dir;

    private static String config(String bInterval, String priority, String admin) {
        return """
                admin: {listen: %s}
                connectors:
                  a: {type: simulator, stream: telemetry, interval: 20ms, tags: [{name: x, kind: counter}]}
                  b: {type: simulator, stream: telemetry, interval: %s, tags: [{name: y, kind: counter}]}
                streams:
                  telemetry:
                    priority: %s
                """.formatted(admin, bInterval, priority);
    }

    /** Replaces the file the way many editors save: a new file renamed over the old one. */
    private static void save(Path file, String text) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".swp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void anEditRestartsOnlyTheChangedConnectorAndAnInvalidEditIsRejectedWhileTheOldConfigRunsOn() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, config("20ms", "5", "\"127.0.0.1:0\""));
        String data = dir.resolve("data").toString();
        try (SluiceProcess gateway = new SluiceProcess("run", "--config", file.toString(), "--data", data)) {
            gateway.awaitLogged("gateway started", 1);
            gateway.awaitLogged("watching " + file.toAbsolutePath(), 1);

            save(file, config("50ms", "5", "\"127.0.0.1:0\""));
            gateway.awaitLogged("configuration reloaded (file changed): connectors changed [b]", 1);
            assertEquals(1, gateway.count("connector b stopped"), gateway.output());
            assertEquals(2, gateway.count("connector b (simulator) started"), gateway.output());
            assertEquals(0, gateway.count("connector a stopped"), "a kept running:\n" + gateway.output());
            assertEquals(1, gateway.count("connector a (simulator) started"), gateway.output());

            Files.writeString(file, config("50ms", "11", "\"127.0.0.1:0\""));
            gateway.awaitLogged("configuration reload (file changed) REJECTED, the running configuration stays: "
                    + file + ":7:", 1);
            assertTrue(gateway.output().contains("streams.telemetry.priority: expected a value between 1 and 10, got 11"), gateway.output());
            InProcessCli.Result reload = InProcessCli.run("reload", "--data", data);
            assertEquals(2, reload.exit(), reload.out() + reload.err());
            assertTrue(reload.err().contains(file + ":7:") && reload.err().contains("the running configuration stays"), reload.err());
            Path statusFile = dir.resolve("data").resolve(io.sluice.runtime.Gateway.STATUS_FILE);
            String[] seen = {""};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> (seen[0] = new String(io.sluice.runtime.StatusFile.read(statusFile).orElse(new byte[0])))
                            .replaceAll("\\s", "").contains("\"rejected\":2,\"lastOutcome\":\"REJECTED\""));
            String status = seen[0];
            assertTrue(status.replaceAll("\\s", "").contains("\"rejected\":2,\"lastOutcome\":\"REJECTED\""), "status shows it:\n" + status);
            assertEquals(0, gateway.count("connector a stopped"), "the old configuration runs on:\n" + gateway.output());

            Files.writeString(file, config("50ms", "2", "\"127.0.0.1:0\""));
            gateway.awaitLogged("configuration reloaded (file changed): streams changed [telemetry]", 1);
            assertEquals(1, gateway.count("connector b stopped"), "a stream's priority restarts no connector:\n" + gateway.output());
            assertEquals(0, gateway.stop(), gateway.output());
        }
    }

    @Test
    void sighupAppliesTheFileWhenItIsNotWatchedAndSluiceReloadSendsItWithoutAnAdminEndpoint() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, config("20ms", "5", "\"off\""));
        String data = dir.resolve("data").toString();
        try (SluiceProcess gateway = new SluiceProcess("run", "--config", file.toString(), "--data", data, "--no-watch")) {
            gateway.awaitLogged("gateway started", 1);
            Files.writeString(file, config("50ms", "5", "\"off\""));
            InProcessCli.Result reload = InProcessCli.run("reload", "--data", data);
            assertEquals(0, reload.exit(), reload.err());
            assertTrue(reload.out().contains("sent SIGHUP to the gateway (process " + gateway.process.pid() + ")"), reload.out());
            gateway.awaitLogged("configuration reloaded (SIGHUP): connectors changed [b]", 1);
            assertEquals(0, gateway.count("connector a stopped"), gateway.output());
            assertEquals(0, gateway.stop(), gateway.output());
        }
    }

    /** nohup leaves SIGHUP ignored, and the JVM then keeps it ignored: said once at start instead of lost silently. */
    @Test
    void aHangupIgnoredByTheStartingProcessIsNamedOnce() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, config("20ms", "5", "\"off\""));
        String data = dir.resolve("data").toString();
        try (SluiceProcess gateway = SluiceProcess.underNohup("run", "--config", file.toString(), "--data", data)) {
            gateway.awaitLogged("gateway started", 1);
            gateway.awaitLogged("SIGHUP is ignored by the process that started sluice", 1);
            assertEquals(0, gateway.count("SIGTERM is ignored"), gateway.output());
            assertEquals(0, gateway.stop(), gateway.output());
            assertEquals(1, gateway.count("SIGHUP is ignored"), gateway.output());
        }
    }
}
