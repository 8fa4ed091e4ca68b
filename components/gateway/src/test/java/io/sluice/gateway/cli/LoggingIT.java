package io.sluice.gateway.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.rigs.greengrass.GreengrassIpcStandIn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run} in its own JVM, as a service manager or the Greengrass nucleus starts it: no SLF4J warning and no
 * stack trace at start, whatever {@code -D} options a shell mangled; the log's format and target follow the
 * {@code logging:} section and the command line.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoggingIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Process process;
    private Path stdout;
    private Path stderr;

    private GreengrassIpcStandIn nucleus;

    @AfterEach
    void kill() throws Exception {
        if (process != null && process.isAlive()) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        if (nucleus != null) nucleus.close();
    }

    private Path config(String logging) throws IOException {
        return Files.writeString(dir.resolve("gateway.yaml"), """
                connectors:
                  sim:
                    type: simulator
                    stream: telemetry
                    interval: 50ms
                    tags: [{name: c, kind: counter}]
                streams:
                  telemetry: {}
                admin:
                  listen: off
                """ + logging);
    }

    private void start(List<String> jvmOptions, String... args) throws IOException {
        start(Map.of(), jvmOptions, args);
    }

    private void start(Map<String, String> env, List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SluiceCli.class.getName()));
        command.addAll(List.of(args));
        stdout = dir.resolve("stdout.txt");
        stderr = dir.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        pb.environment().remove("SLUICE_LOG_LEVEL");
        pb.environment().putAll(env);
        process = pb.start();
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private String outputs() throws IOException {
        return "stdout:\n" + read(stdout) + "\nstderr:\n" + read(stderr);
    }

    private void awaitIn(Path file, String text) throws Exception {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .failFast(() -> {
                    if (!process.isAlive() && !read(file).contains(text)) {
                        fail("the gateway exited before logging '" + text + "':\n" + outputs());
                    }
                })
                .untilAsserted(() -> {
                    if (!read(file).contains(text)) fail("'" + text + "' not in " + file + ":\n" + outputs());
                });
    }

    /** SIGTERM, then the clean stop's exit code 0. */
    private void stop() throws Exception {
        Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exited:\n" + outputs());
        assertEquals(0, process.exitValue(), outputs());
    }

    private static void assertNoWarningOrStackTrace(String text, String all) {
        assertFalse(text.contains("SLF4J"), "an SLF4J warning:\n" + all);
        assertFalse(text.contains("\tat ") || text.contains("Exception"), "a stack trace:\n" + all);
    }

    @Test
    void startsWithoutSlf4jWarningsEvenWithTheDateFormatAShellStrippedOfItsQuotes() throws Exception {
        // what the Greengrass nucleus's `sh -c` made of -Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSXXX
        start(List.of("-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-ddTHH:mm:ss.SSSXXX", "-Dorg.slf4j.simpleLogger.showDateTime=true"),
                "run", "--config", config("").toString(), "--data", dir.resolve("data").toString());
        awaitIn(stderr, "gateway started");
        stop();
        String err = read(stderr);
        assertNoWarningOrStackTrace(err, outputs());
        assertNoWarningOrStackTrace(read(stdout), outputs());
        assertEquals("", read(stdout), "standalone, the log goes to stderr");
        List<String> lines = err.lines().toList();
        assertTrue(lines.size() >= 3, err);
        for (String line : lines) {
            assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) \\[[^]]+] (TRACE|DEBUG|INFO|WARN|ERROR) \\S+ - .*"),
                    "a text log line: " + line + "\n" + err);
        }
        assertTrue(err.contains(" INFO RunCommand - shutdown requested (SIGTERM)"), err);
    }

    @Test
    void jsonLinesToARollingFileFromTheConfigFile() throws Exception {
        Path logFile = dir.resolve("logs").resolve("gateway.log");
        start(List.of(), "run", "--config", config("""
                logging:
                  format: json
                  file: %s
                  max-file-size: 1MB
                  levels:
                    io.sluice.runtime.Gateway: warn
                """.formatted(logFile)).toString(), "--data", dir.resolve("data").toString());
        awaitIn(logFile, "connector sim (simulator) started");
        stop();
        assertFalse(read(stderr).contains("connector sim"), "the log goes to the file only:\n" + outputs());
        assertNoWarningOrStackTrace(read(stderr) + read(stdout), outputs());
        List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
        assertTrue(lines.size() >= 3, lines.toString());
        for (String line : lines) {
            JsonNode event = JSON.readTree(line);
            for (String field : List.of("timestamp", "level", "logger", "thread", "message")) {
                assertTrue(event.hasNonNull(field), field + " in " + line);
            }
            assertTrue(event.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)"), line);
            assertFalse(event.get("logger").asText().equals("io.sluice.runtime.Gateway") && event.get("level").asText().equals("INFO"),
                    "levels: io.sluice.runtime.Gateway: warn keeps its INFO lines out: " + line);
        }
        assertTrue(lines.stream().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).anyMatch(e -> e.get("logger").asText().equals(RunCommand.class.getName())
                && e.get("message").asText().equals("shutdown requested (SIGTERM)") && e.get("level").asText().equals("INFO")), lines.toString());
    }

    @Test
    void theCommandLineWinsOverTheConfigFile() throws Exception {
        start(List.of(), "run", "--log-format", "json", "--config", config("""
                logging:
                  format: text
                  file: %s
                """.formatted(dir.resolve("unused.log"))).toString(), "--log-file", dir.resolve("cli.log").toString(),
                "--data", dir.resolve("data").toString());
        awaitIn(dir.resolve("cli.log"), "gateway started");
        stop();
        assertFalse(Files.exists(dir.resolve("unused.log")), outputs());
        for (String line : Files.readAllLines(dir.resolve("cli.log"), StandardCharsets.UTF_8)) JSON.readTree(line);
    }

    @Test
    void underGreengrassTheLogIsOnStdoutInTheComponentConfigurationsFormatAndNoFileIsWritten() throws Exception {
        Path logFile = dir.resolve("component.log");
        nucleus = GreengrassIpcStandIn.builder().socketPath(dir.resolve("ipc.sock")).configuration(Map.of(
                "connectors", Map.of("sim", Map.of("type", "simulator", "stream", "telemetry", "interval", "50ms",
                        "tags", List.of(Map.of("name", "c", "kind", "counter")))),
                "streams", Map.of("telemetry", Map.of()),
                "admin", Map.of("listen", "off"),
                "logging", Map.of("format", "json", "file", logFile.toString()))).start();
        start(nucleus.componentEnvironment(), List.of("-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-ddTHH:mm:ss.SSSXXX"),
                "run", "--data", dir.resolve("data").toString());
        awaitIn(stdout, "reported state RUNNING to the nucleus");
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // the clean stop is GreengrassComponentIT's business
        assertFalse(Files.exists(logFile), "no log file under Greengrass:\n" + outputs());
        assertEquals("", read(stderr), "everything on stdout, java.util.logging of the IPC client included:\n" + outputs());
        List<String> lines = read(stdout).lines().toList();
        // before the component configuration is read the log is text on stdout; from then on JSON lines
        int first = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("{")) {
                first = i;
                break;
            }
        }
        assertTrue(first >= 0, outputs());
        for (String line : lines.subList(first, lines.size())) {
            JsonNode event = JSON.readTree(line);
            assertTrue(event.hasNonNull("timestamp") && event.hasNonNull("level") && event.hasNonNull("logger") && event.hasNonNull("message"), line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("the log file setting is not used under Greengrass")), outputs());
        assertFalse(read(stdout).contains("SLF4J"), outputs());
    }
}
