package io.sluice.runtime.config;

import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

@Doc("The gateway's own log (docs/operations.md#logging). Standalone it goes to standard error, or to a rolling file "
        + "when `file` is set; under Greengrass always to standard output, which the nucleus collects. The command line "
        + "wins over these keys: `--debug`, `--log-format`, `--log-file`, and the `SLUICE_LOG_LEVEL` environment variable.")
public record LoggingConfig(
        @Doc("Level of every logger not named under `levels`.")
        @DefaultValue("info") Level level,
        @Doc("`text`: one line per event (`2026-12-07T01:05:55.123+00:00 [main] INFO RunCommand - ...`); `json`: one JSON "
                + "object per line with `timestamp`, `level`, `logger`, `thread`, `message` and, for a failure, `exception`.")
        @DefaultValue("text") Format format,
        @Doc("Write the log to this file (standalone only), rolled over when it reaches `max-file-size` and every day: "
                + "`<file>.<yyyy-MM-dd>.<n>.gz`. Its directory is created.")
        Optional<String> file,
        @Doc("Size at which the log file is rolled over.")
        @DefaultValue("10MB") DataSize maxFileSize,
        @Doc("Rolled-over files older than this (whole days, at least `1d`) are deleted.")
        @DefaultValue("7d") Duration maxAge,
        @Doc("Rolled-over files together take at most this much; the oldest are deleted first.")
        @DefaultValue("100MB") DataSize totalSizeCap,
        @Doc("Levels of single loggers and their children, by name, e.g. `io.sluice.connector.opcua: debug` or "
                + "`org.eclipse.milo: info` (Milo, Netty and the Greengrass IPC client log at `warn` by default, Milo's "
                + "connection loggers not at all below `debug`: the OPC UA connector reports those errors itself).")
        Map<String, Level> levels) {

    public enum Level { TRACE, DEBUG, INFO, WARN, ERROR, OFF }

    public enum Format { TEXT, JSON }

    public LoggingConfig {
        levels = levels == null ? Map.of() : Map.copyOf(levels);
    }

    public static LoggingConfig defaults() {
        return new LoggingConfig(Level.INFO, Format.TEXT, Optional.empty(), DataSize.ofMegabytes(10), Duration.ofDays(7),
                DataSize.ofMegabytes(100), Map.of());
    }
}
