package io.sluice.gateway.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.FileSize;
import io.sluice.gateway.logging.Logging.Settings;
import io.sluice.gateway.logging.Logging.Target;
import io.sluice.runtime.config.LoggingConfig;
import io.sluice.spi.SluiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Builds the logback setup for {@link Settings}: one appender (console or rolling file) with a text or JSON encoder. */
final class Logback {

    /** The text line: {@code 2026-12-07T01:05:55.123Z [main] INFO RunCommand - message}, then a failure's stack trace. */
    static final String TEXT_PATTERN = "%d{\"yyyy-MM-dd'T'HH:mm:ss.SSSXXX\"} [%thread] %level %logger{0} - %msg%n";

    private static final String APPENDER = "sluice";

    private Logback() {}

    /** Whether the operator gave logback a configuration file of their own ({@code -Dlogback.configurationFile}): it wins. */
    static boolean ownConfigurationFile() {
        return System.getProperty("logback.configurationFile") != null;
    }

    /** Replaces the current setup of the process's logger context; nothing when another SLF4J provider is in use. */
    static void install(Settings settings) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) install(context, settings, true);
    }

    /**
     * Replaces the setup of {@code context}. A log file that cannot be written throws before anything changes, so the
     * previous setup keeps logging.
     */
    static void install(LoggerContext context, Settings settings) {
        install(context, settings, false);
    }

    /**
     * As {@link #install(LoggerContext, Settings)}; {@code bridgeJul}: java.util.logging records go through the same
     * setup too (the process's context), with its levels following logback's.
     */
    static void install(LoggerContext context, Settings settings, boolean bridgeJul) {
        if (settings.target() == Target.FILE) checkWritable(settings.file().orElseThrow());
        synchronized (context.getConfigurationLock()) {
            context.reset();
            if (bridgeJul) bridgeJul(context);
            OutputStreamAppender<ILoggingEvent> appender = appender(context, settings);
            Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            root.setLevel(level(settings.root()));
            for (Map.Entry<String, LoggingConfig.Level> e : settings.levels().entrySet()) {
                context.getLogger(e.getKey()).setLevel(level(e.getValue()));
            }
            root.addAppender(appender);
            if (!appender.isStarted()) {
                // cannot happen for the console; for a file, checkWritable has seen it writable a moment ago
                String why = context.getStatusManager().getCopyOfStatusList().stream().filter(s -> s.getLevel() == Status.ERROR)
                        .map(Status::getMessage).reduce((a, b) -> b).orElse("see the logback status");
                root.detachAppender(appender);
                ConsoleAppender<ILoggingEvent> fallback = console(context, "System.err", encoder(context, settings));
                root.addAppender(fallback);
                throw new SluiceException("cannot write the log to " + settings.file().map(Path::toString).orElse("?") + ": " + why, false);
            }
        }
    }

    private static void bridgeJul(LoggerContext context) {
        LevelChangePropagator propagator = new LevelChangePropagator();
        propagator.setContext(context);
        propagator.setResetJUL(true);
        propagator.start();
        context.addListener(propagator);
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    private static OutputStreamAppender<ILoggingEvent> appender(LoggerContext context, Settings settings) {
        Encoder<ILoggingEvent> encoder = encoder(context, settings);
        return switch (settings.target()) {
            case STDERR -> console(context, "System.err", encoder);
            case STDOUT -> console(context, "System.out", encoder);
            case FILE -> file(context, settings.file().orElseThrow(), settings.rolling(), encoder);
        };
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext context, Settings settings) {
        if (settings.format() == LoggingConfig.Format.JSON) {
            JsonLinesEncoder json = new JsonLinesEncoder();
            json.setContext(context);
            json.start();
            return json;
        }
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern(TEXT_PATTERN);
        text.start();
        return text;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String target, Encoder<ILoggingEvent> encoder) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(APPENDER);
        console.setTarget(target);
        console.setEncoder(encoder);
        console.start();
        return console;
    }

    private static RollingFileAppender<ILoggingEvent> file(LoggerContext context, Path file, LoggingConfig rolling,
                                                           Encoder<ILoggingEvent> encoder) {
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName(APPENDER);
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(appender);
        policy.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
        policy.setMaxFileSize(new FileSize(rolling.maxFileSize().bytes()));
        long days = Math.max(1, (rolling.maxAge().toHours() + 23) / 24);
        policy.setMaxHistory((int) Math.min(days, Integer.MAX_VALUE));
        policy.setTotalSizeCap(new FileSize(rolling.totalSizeCap().bytes()));
        policy.start();
        appender.setRollingPolicy(policy); // also its triggering policy
        appender.start();
        return appender;
    }

    /** Creates the log file's directory and opens the file for appending once, so a mistake is one clear line. */
    private static void checkWritable(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
        } catch (IOException | SecurityException e) {
            throw new SluiceException("cannot write the log file " + file + ": " + describe(e), false, e);
        }
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) return fs.getReason();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static ch.qos.logback.classic.Level level(LoggingConfig.Level level) {
        return ch.qos.logback.classic.Level.toLevel(level.name());
    }
}
