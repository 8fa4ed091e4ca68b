package io.sluice.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A mistake in the {@code logging:} section is reported like any other config error: file, line, key, what is expected. */
@Timeout(60)
class LoggingConfigTest {

    @TempDir
    Path dir;

    @Test
    void eachLoggingMistakeNamesFileLineAndKeyAndNothingStarts() throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.yaml"), """
                streams:
                  telemetry: {}
                logging:
                  format: xml
                  max-age: 12h
                  levels:
                    org.eclipse.milo: loud
                """);
        InProcessCli.Result r = InProcessCli.run("run", "--config", config.toString(), "--data", dir.resolve("data").toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        List<String> lines = r.errLines();
        assertFalse(r.err().contains("\tat "), r.err());
        assertTrue(lines.stream().anyMatch(l -> l.contains(config + ":4:") && l.contains("logging.format")
                && l.contains("[text, json]") && l.contains("'xml'")), r.err());
        assertTrue(lines.stream().anyMatch(l -> l.contains(config + ":7:") && l.contains("logging.levels.org.eclipse.milo")
                && l.contains("'loud'")), r.err());
        assertFalse(Files.exists(dir.resolve("data").resolve("streams.db")), "nothing started");
    }

    @Test
    void rollingLimitsThatCannotWorkAreRefused() throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.yaml"), """
                streams:
                  telemetry: {}
                logging:
                  file: %s
                  max-file-size: 50MB
                  total-size-cap: 10MB
                  max-age: 12h
                """.formatted(dir.resolve("gateway.log")));
        InProcessCli.Result r = InProcessCli.run("validate", "--config", config.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        String all = r.out() + r.err();
        assertTrue(all.contains(config + ":6:") && all.contains("logging.total-size-cap") && all.contains("at least `max-file-size` (50MB)"), all);
        assertTrue(all.contains(config + ":7:") && all.contains("logging.max-age") && all.contains("at least 1d"), all);
        assertFalse(Files.exists(dir.resolve("gateway.log")), "validate writes no log file");
    }

    @Test
    void aValidLoggingSectionValidates() throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.yaml"), """
                streams:
                  telemetry: {}
                logging:
                  level: debug
                  format: json
                  file: %s
                  max-file-size: 5MB
                  max-age: 14d
                  total-size-cap: 200MB
                  levels:
                    io.sluice.connector.opcua: trace
                    org.eclipse.milo: info
                """.formatted(dir.resolve("logs/gateway.log")));
        InProcessCli.Result r = InProcessCli.run("validate", "--config", config.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
    }
}
