package io.sluice.gateway.logging;

import io.sluice.runtime.config.LoggingConfig;
import io.sluice.runtime.config.LoggingConfig.Format;
import io.sluice.runtime.config.LoggingConfig.Level;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * The gateway's logging, set up in-process (logback, no quote-sensitive {@code -D} options): first from the command
 * line and environment before anything logs ({@link #configure}), then with the config file's {@code logging:} section
 * once it is loaded ({@link #apply}). What wins, highest first: {@code --debug}, {@code --log-format},
 * {@code --log-file}; {@code SLUICE_LOG_LEVEL}; the {@code logging:} keys; the defaults (info for {@code run}, warn
 * for the operator commands, whose output is their answer). Standalone the log goes to stderr, or to a rolling file;
 * under Greengrass always to stdout, which the nucleus collects.
 */
public final class Logging {

    /**
     * Milo loggers whose WARN/ERROR output is a connection error the OPC UA connector already reports: the client's
     * secure channel layer (Hello/Acknowledge, OpenSecureChannel, message decoding) and its session state machine
     * (keep-alive failures, activation), whose failures all reach the connector as a failed connect or a lost session.
     */
    static final List<String> MILO_CONNECTION_LOGGERS = List.of("org.eclipse.milo.opcua.stack.transport.client.uasc",
            "org.eclipse.milo.opcua.sdk.client.SessionFsm");

    /** Libraries that are chatty at info; they log at warn unless the gateway logs at debug. */
    static final List<String> CHATTY_LIBRARIES = List.of("io.netty", "org.eclipse.milo", "software.amazon.awssdk.eventstreamrpc");

    /**
     * What the command line and the environment ask for, read before picocli parses (the first logger must already
     * log as asked).
     */
    record Switches(Optional<Level> level, Optional<Format> format, Optional<Path> file, boolean greengrass, boolean quiet,
                    Optional<String> badEnvironmentLevel) {

        static Switches parse(String[] args, Map<String, String> env) {
            boolean debug = false;
            boolean greengrass = env.get("SVCUID") != null || env.get("AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT") != null;
            Optional<Format> format = Optional.empty();
            Optional<Path> file = Optional.empty();
            String command = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String value = null;
                if (a.equals("--log-format") || a.equals("--log-file")) {
                    value = i + 1 < args.length ? args[++i] : null;
                } else if (a.startsWith("--log-format=") || a.startsWith("--log-file=")) {
                    value = a.substring(a.indexOf('=') + 1);
                    a = a.substring(0, a.indexOf('='));
                }
                if (a.equals("--debug")) debug = true;
                else if (a.equals("--greengrass")) greengrass = true;
                else if (a.equals("--log-format") && value != null) format = parseEnum(Format.class, value);
                else if (a.equals("--log-file") && value != null && !value.isBlank()) file = Optional.of(Path.of(value));
                else if (command == null && !a.startsWith("-")) command = a;
            }
            Optional<Level> level = debug ? Optional.of(Level.DEBUG) : Optional.empty();
            Optional<String> bad = Optional.empty();
            String fromEnv = env.get("SLUICE_LOG_LEVEL");
            if (level.isEmpty() && fromEnv != null && !fromEnv.isBlank()) {
                level = parseEnum(Level.class, fromEnv);
                if (level.isEmpty()) bad = Optional.of(fromEnv);
            }
            return new Switches(level, format, file, greengrass, command != null && !command.equals("run"), bad);
        }

        static Switches none() {
            return parse(new String[0], System.getenv());
        }
    }

    /** Where log events go. */
    enum Target { STDERR, STDOUT, FILE }

    /** The effective setup: what {@link Logback#install} builds. */
    record Settings(Format format, Target target, Optional<Path> file, LoggingConfig rolling, Level root,
                    Map<String, Level> levels) {}

    private static volatile Switches switches;

    private Logging() {}

    /** From the command line and environment, before the first logger exists; {@code sluice}'s {@code main} calls it. */
    public static void configure(String[] args) {
        switches = Switches.parse(args, System.getenv());
        Settings settings = settings(LoggingConfig.defaults(), switches(), false, false);
        install(settings);
        switches().badEnvironmentLevel().ifPresent(bad -> LoggerFactory.getLogger(Logging.class).warn(
                "SLUICE_LOG_LEVEL={} is not a level (trace, debug, info, warn, error, off); logging at {}", bad,
                settings.root().name().toLowerCase(Locale.ROOT)));
    }

    /**
     * Applies the config file's {@code logging:} section (with the command line's switches over it). Under Greengrass
     * ({@code greengrass}) the log stays on the console (stdout in a component process) and {@code file} is not used.
     *
     * @throws io.sluice.spi.SluiceException when the log file cannot be written (the previous setup stays)
     */
    public static void apply(LoggingConfig config, boolean greengrass) {
        Settings settings = settings(config, switches(), greengrass, true);
        install(settings);
        if (greengrass && (config.file().isPresent() || switches().file().isPresent())) {
            LoggerFactory.getLogger(Logging.class).info("the log file setting is not used under Greengrass: the nucleus "
                    + "collects the component's stdout into its own log");
        }
    }

    static Switches switches() {
        Switches s = switches;
        return s != null ? s : Switches.none();
    }

    /** The setup before any config file: defaults, command line and environment (the logback configurator's). */
    static Settings initialSettings() {
        return settings(LoggingConfig.defaults(), switches(), false, false);
    }

    /**
     * The effective setup. {@code fromConfig}: {@code config} came from a config file ({@code run}), so its level
     * counts and the quiet default of the operator commands does not.
     */
    static Settings settings(LoggingConfig config, Switches s, boolean greengrass, boolean fromConfig) {
        Level root = s.level().orElse(fromConfig ? config.level() : s.quiet() ? Level.WARN : Level.INFO);
        Format format = s.format().orElse(config.format());
        Optional<Path> file = s.file().or(() -> config.file().map(Path::of));
        // a component's stdout is what the nucleus collects; the process knew it was one from its start (environment,
        // --greengrass). Greengrass mode run in another process (a test, an embedding program) keeps its console.
        Target target = s.greengrass() ? Target.STDOUT : greengrass ? Target.STDERR : file.isPresent() ? Target.FILE : Target.STDERR;
        Map<String, Level> levels = new LinkedHashMap<>();
        if (root.compareTo(Level.DEBUG) > 0) {
            Level quieter = root.compareTo(Level.WARN) > 0 ? root : Level.WARN;
            for (String library : CHATTY_LIBRARIES) levels.put(library, quieter);
            // The OPC UA connector reports connection and certificate errors itself, once per episode; these Milo
            // loggers log the same errors with a stack trace at ERROR on every attempt. The connector's DEBUG lines
            // carry the exception, and debug shows Milo's lines too.
            for (String logger : MILO_CONNECTION_LOGGERS) levels.put(logger, Level.OFF);
        }
        levels.putAll(config.levels());
        return new Settings(format, target, target == Target.FILE ? file : Optional.empty(), config, root, Map.copyOf(levels));
    }

    private static void install(Settings settings) {
        if (Logback.ownConfigurationFile()) return;
        Logback.install(settings);
    }

    private static <E extends Enum<E>> Optional<E> parseEnum(Class<E> type, String text) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text.trim())) return Optional.of(e);
        }
        return Optional.empty();
    }
}
