package io.sluice.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.ConfigProblem;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.spi.SluiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standalone hot reload of a running {@link Gateway}: the configuration file it was started from is read again and
 * applied with {@link Gateway#reconfigure}, which restarts only what changed (the same path Greengrass configuration
 * updates take). An invalid file is rejected with one log line naming file, line and key of each problem, and the
 * running configuration stays. Every reload is counted ({@code sluice.config.reloads{result=applied|unchanged|rejected}})
 * and the last one is shown in status.
 */
public final class ConfigReloads {

    private static final Logger log = LoggerFactory.getLogger(ConfigReloads.class);

    /** What happened to one reload. */
    public enum Outcome {
        /** The new configuration runs; only what changed was restarted. */
        APPLIED,
        /** The file holds nothing that changes the running gateway. */
        UNCHANGED,
        /** The file is invalid (or could not be applied); the running configuration stays. */
        REJECTED
    }

    /** One reload: its outcome and, in one line, what changed or what is wrong. */
    public record Result(Outcome outcome, String detail) {}

    /** Reloads since the gateway started, and the last one (null before the first). */
    public record Status(long applied, long unchanged, long rejected, Outcome lastOutcome, String lastDetail, long lastMillis) {}

    private final Counter applied;
    private final Counter unchanged;
    private final Counter rejected;
    private volatile Result last;
    private volatile long lastMillis;

    ConfigReloads(MeterRegistry registry) {
        this.applied = counter(registry, "applied");
        this.unchanged = counter(registry, "unchanged");
        this.rejected = counter(registry, "rejected");
    }

    private static Counter counter(MeterRegistry registry, String result) {
        return Counter.builder("sluice.config.reloads").description("Standalone configuration reloads by result")
                .tag("result", result).register(registry);
    }

    Status status() {
        Result r = last;
        return new Status((long) applied.count(), (long) unchanged.count(), (long) rejected.count(),
                r == null ? null : r.outcome(), r == null ? "" : r.detail(), lastMillis);
    }

    /** The file a configuration was loaded from, or a one-line failure when it did not come from a file. */
    static Path fileOf(GatewayConfig config) {
        String source = config.source();
        Path file = source == null ? null : Path.of(source);
        if (file == null || source.contains(":") && !Files.exists(file)) {
            throw new SluiceException("the configuration comes from " + source + ", not from a file; it cannot be reloaded", false);
        }
        return file;
    }

    Result reload(Gateway gateway, String trigger) {
        synchronized (gateway) {
            Path file = fileOf(gateway.config());
            GatewayConfig next;
            try {
                next = ConfigLoader.load(file);
            } catch (ConfigException e) {
                return done(rejected, Outcome.REJECTED, describe(e.problems()),
                        "configuration reload ({}) REJECTED, the running configuration stays: {}", trigger);
            }
            GatewayConfig previous = gateway.config();
            List<String> changes = ConfigChanges.between(previous, next);
            if (changes.isEmpty()) {
                return done(unchanged, Outcome.UNCHANGED, "no effective change in " + file, "configuration reload ({}): {}", trigger);
            }
            try {
                gateway.reconfigure(next);
            } catch (RuntimeException e) {
                log.debug("reconfigure failed", e);
                return done(rejected, Outcome.REJECTED, file + ": could not be applied: " + e.getMessage(),
                        "configuration reload ({}) REJECTED, the running configuration stays: {}", trigger);
            }
            return done(applied, Outcome.APPLIED, String.join("; ", changes), "configuration reloaded ({}): {}", trigger);
        }
    }

    private Result done(Counter counter, Outcome outcome, String detail, String logLine, String trigger) {
        counter.increment();
        Result result = new Result(outcome, detail);
        last = result;
        lastMillis = System.currentTimeMillis();
        if (outcome == Outcome.REJECTED) log.error(logLine, trigger, detail);
        else log.info(logLine, trigger, detail);
        return result;
    }

    /** Every problem on one line: {@code file:line:column: key: message; ...}. */
    static String describe(List<ConfigProblem> problems) {
        return problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("; "));
    }
}
