package io.sluice.gateway.logging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.gateway.logging.Logging.Settings;
import io.sluice.gateway.logging.Logging.Switches;
import io.sluice.gateway.logging.Logging.Target;
import io.sluice.runtime.config.LoggingConfig;
import io.sluice.runtime.config.LoggingConfig.Format;
import io.sluice.runtime.config.LoggingConfig.Level;
import io.sluice.spi.SluiceException;
import io.sluice.spi.config.DataSize;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/** How switches, environment and the {@code logging:} section combine, and what logback then writes (own context). */
@Timeout(60)
class LoggingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final LoggerContext context = new LoggerContext();

    {
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    }

    @AfterEach
    void stopContext() {
        context.stop();
    }

    private static Switches switches(Map<String, String> env, String... args) {
        return Switches.parse(args, env);
    }

    private static LoggingConfig config(Level level, Format format, Optional<String> file, Map<String, Level> levels) {
        return new LoggingConfig(level, format, file, DataSize.ofMegabytes(10), Duration.ofDays(7), DataSize.ofMegabytes(100), levels);
    }

    @Test
    void theCommandLineWinsOverTheEnvironmentWhichWinsOverTheConfigFile() {
        LoggingConfig fromFile = config(Level.WARN, Format.TEXT, Optional.of("/var/log/sluice/gateway.log"), Map.of());
        Settings plain = Logging.settings(fromFile, switches(Map.of(), "run", "-c", "g.yaml"), false, true);
        assertEquals(Level.WARN, plain.root());
        assertEquals(Target.FILE, plain.target());
        assertEquals(Optional.of(Path.of("/var/log/sluice/gateway.log")), plain.file());

        Settings env = Logging.settings(fromFile, switches(Map.of("SLUICE_LOG_LEVEL", "error"), "run"), false, true);
        assertEquals(Level.ERROR, env.root());
        Settings debug = Logging.settings(fromFile, switches(Map.of("SLUICE_LOG_LEVEL", "error"), "--debug", "run"), false, true);
        assertEquals(Level.DEBUG, debug.root());

        Settings cli = Logging.settings(fromFile, switches(Map.of(), "run", "--log-format=json", "--log-file", "/tmp/x.log"), false, true);
        assertEquals(Format.JSON, cli.format());
        assertEquals(Optional.of(Path.of("/tmp/x.log")), cli.file());
        assertEquals(Format.JSON, Logging.settings(fromFile, switches(Map.of(), "--log-format", "JSON", "run"), false, true).format());
    }

    @Test
    void operatorCommandsLogOnlyWarningsAndStandaloneLogsToStderr() {
        Settings status = Logging.settings(LoggingConfig.defaults(), switches(Map.of(), "--log-format", "json", "status", "-d", "x"), false, false);
        assertEquals(Level.WARN, status.root());
        Settings run = Logging.settings(LoggingConfig.defaults(), switches(Map.of(), "--log-format", "json", "run"), false, false);
        assertEquals(Level.INFO, run.root());
        assertEquals(Target.STDERR, run.target());
        assertEquals(Level.INFO, Logging.settings(LoggingConfig.defaults(), switches(Map.of("SLUICE_LOG_LEVEL", "loud"), "run"), false, false).root());
        assertEquals(Optional.of("loud"), switches(Map.of("SLUICE_LOG_LEVEL", "loud"), "run").badEnvironmentLevel());
    }

    @Test
    void underGreengrassTheLogGoesToStdoutEvenWithAFile() {
        LoggingConfig withFile = config(Level.INFO, Format.JSON, Optional.of(dir.resolve("g.log").toString()), Map.of());
        Map<String, String> nucleus = Map.of("SVCUID", "x", "AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT", "/x/ipc.socket");
        Settings component = Logging.settings(withFile, switches(nucleus, "run"), true, true);
        assertEquals(Target.STDOUT, component.target());
        assertEquals(Optional.empty(), component.file());
        assertEquals(Format.JSON, component.format());
        Settings detected = Logging.settings(LoggingConfig.defaults(), switches(nucleus, "run"), false, false);
        assertEquals(Target.STDOUT, detected.target(), "from the first line on");
        assertEquals(Target.STDOUT, Logging.settings(withFile, switches(Map.of(), "run", "--greengrass"), true, true).target());
        Settings embedded = Logging.settings(withFile, switches(Map.of(), "run"), true, true);
        assertEquals(Target.STDERR, embedded.target(), "Greengrass mode in a process not started as a component keeps its console");
        assertEquals(Optional.empty(), embedded.file());
    }

    @Test
    void miloConnectionLoggersAreOffAndLibrariesAtWarnBelowDebugUnlessConfigured() {
        Settings info = Logging.settings(LoggingConfig.defaults(), switches(Map.of(), "run"), false, true);
        assertEquals(Level.OFF, info.levels().get("org.eclipse.milo.opcua.sdk.client.SessionFsm"));
        assertEquals(Level.OFF, info.levels().get("org.eclipse.milo.opcua.stack.transport.client.uasc"));
        assertEquals(Level.WARN, info.levels().get("org.eclipse.milo"));
        assertEquals(Level.WARN, info.levels().get("io.netty"));

        Settings debug = Logging.settings(LoggingConfig.defaults(), switches(Map.of(), "--debug", "run"), false, true);
        assertEquals(Map.of(), debug.levels(), "at debug Milo's lines show too");

        Settings error = Logging.settings(config(Level.ERROR, Format.TEXT, Optional.empty(), Map.of()), switches(Map.of(), "run"), false, true);
        assertEquals(Level.ERROR, error.levels().get("org.eclipse.milo"), "a library is never louder than the gateway");

        Settings configured = Logging.settings(config(Level.INFO, Format.TEXT, Optional.empty(),
                Map.of("org.eclipse.milo", Level.INFO, "org.eclipse.milo.opcua.sdk.client.SessionFsm", Level.DEBUG)), switches(Map.of(), "run"), false, true);
        assertEquals(Level.INFO, configured.levels().get("org.eclipse.milo"));
        assertEquals(Level.DEBUG, configured.levels().get("org.eclipse.milo.opcua.sdk.client.SessionFsm"));
    }

    private Settings fileSettings(Path file, Format format, Level root, Map<String, Level> levels, DataSize maxFileSize, DataSize cap) {
        LoggingConfig rolling = new LoggingConfig(root, format, Optional.of(file.toString()), maxFileSize, Duration.ofDays(7), cap, levels);
        return new Settings(format, Target.FILE, Optional.of(file), rolling, root, levels);
    }

    @Test
    void jsonLinesHaveTimestampLevelLoggerMessageAndTheFailureOnOneLine() throws Exception {
        Path file = dir.resolve("json").resolve("gateway.log");
        Logback.install(context, fileSettings(file, Format.JSON, Level.INFO, Map.of("quiet.logger", Level.ERROR),
                DataSize.ofMegabytes(10), DataSize.ofMegabytes(100)));
        Logger log = context.getLogger("io.sluice.test.Json");
        log.info("plain {} with \"quotes\" and\na second line", 42);
        log.debug("not at info");
        context.getLogger("quiet.logger").warn("below its level");
        log.warn("failed", new IllegalStateException("boom"));
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(2, lines.size(), lines.toString());
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals("INFO", first.get("level").asText());
        assertEquals("io.sluice.test.Json", first.get("logger").asText());
        assertEquals("plain 42 with \"quotes\" and\na second line", first.get("message").asText());
        assertTrue(first.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)"), lines.get(0));
        assertEquals(Thread.currentThread().getName(), first.get("thread").asText());
        assertFalse(first.has("exception"));
        JsonNode second = JSON.readTree(lines.get(1));
        assertEquals("WARN", second.get("level").asText());
        assertTrue(second.get("exception").asText().startsWith("java.lang.IllegalStateException: boom"), lines.get(1));
        assertTrue(second.get("exception").asText().contains("\tat io.sluice.gateway.logging.LoggingTest"), lines.get(1));
    }

    @Test
    void textLinesKeepTheFormatOperatorsKnow() throws Exception {
        Path file = dir.resolve("gateway.log");
        Logback.install(context, fileSettings(file, Format.TEXT, Level.INFO, Map.of(), DataSize.ofMegabytes(10), DataSize.ofMegabytes(100)));
        context.getLogger("io.sluice.runtime.Gateway").warn("gateway {} ready", "is");
        String line = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) \\["
                + java.util.regex.Pattern.quote(Thread.currentThread().getName()) + "] WARN Gateway - gateway is ready\\R"), line);
    }

    @Test
    void theFileRollsOverAtMaxFileSizeAndOldFilesAreCappedByTotalSize() throws Exception {
        Path file = dir.resolve("roll").resolve("gateway.log");
        DataSize cap = DataSize.ofKilobytes(4);
        Logback.install(context, fileSettings(file, Format.TEXT, Level.INFO, Map.of(), DataSize.ofKilobytes(1), cap));
        Logger log = context.getLogger("io.sluice.test.Roll");
        String filler = "x".repeat(100);
        // write until the cap has removed old files: the highest archive index is beyond the number of archives kept
        int[] written = {0};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            for (int i = 0; i < 50; i++) log.info("line {} {}", written[0]++, filler);
            List<Path> archives = archives(file);
            long total = archives.stream().mapToLong(LoggingTest::size).sum();
            int highest = archives.stream().mapToInt(LoggingTest::index).max().orElse(-1);
            assertTrue(archives.size() >= 2 && highest + 1 > archives.size() && total <= cap.bytes(),
                    () -> "no rollover with capped archives after " + written[0] + " lines: " + archives);
        });
        assertTrue(size(file) < 1024 + 1024, "the live file stays near max-file-size: " + size(file));
    }

    private static List<Path> archives(Path file) throws IOException {
        try (Stream<Path> files = Files.list(file.getParent())) {
            return files.filter(p -> p.getFileName().toString().matches(java.util.regex.Pattern.quote(file.getFileName().toString())
                    + "\\.\\d{4}-\\d\\d-\\d\\d\\.\\d+\\.gz")).toList();
        }
    }

    private static int index(Path archive) {
        Matcher m = java.util.regex.Pattern.compile("\\.(\\d+)\\.gz$").matcher(archive.getFileName().toString());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0; // removed meanwhile
        }
    }

    @Test
    void aLogFileThatCannotBeWrittenIsOneLineAndThePreviousSetupStays() throws Exception {
        Path good = dir.resolve("good.log");
        Logback.install(context, fileSettings(good, Format.TEXT, Level.INFO, Map.of(), DataSize.ofMegabytes(10), DataSize.ofMegabytes(100)));
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Path bad = notADirectory.resolve("gateway.log");
        SluiceException e = assertThrows(SluiceException.class, () -> Logback.install(context,
                fileSettings(bad, Format.TEXT, Level.INFO, Map.of(), DataSize.ofMegabytes(10), DataSize.ofMegabytes(100))));
        assertTrue(e.getMessage().startsWith("cannot write the log file " + bad + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        context.getLogger("io.sluice.test.After").info("still logging");
        assertTrue(Files.readString(good).contains("still logging"));
    }
}
