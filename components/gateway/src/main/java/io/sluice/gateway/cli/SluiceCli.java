package io.sluice.gateway.cli;

import io.sluice.gateway.logging.Logging;
import io.sluice.runtime.config.LoggingConfig;
import io.sluice.spi.cli.CliExtension;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code sluice} command line. */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = SluiceCli.Version.class,
        description = "Sluice edge gateway: industrial and simulator sources, a durable local stream store, AWS destinations.",
        footer = {"", "Exit codes: 0 done (for run: stopped cleanly by SIGTERM/SIGINT), 1 failed, 2 invalid config or usage."},
        subcommands = {InitCommand.class, RunCommand.class, ValidateCommand.class, StatusCommand.class, StreamsCommand.class,
                DestinationsCommand.class, ReloadCommand.class,
                BenchCommand.class, SchemaCommand.class, GreengrassCommand.class, CommandLine.HelpCommand.class})
public final class SluiceCli {

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Log at debug level and print the stack trace of a failure (normally one line).")
    boolean debug;

    // read by Logging.configure before parsing (the first logger must already log as asked); declared here for help and checks
    @Option(names = "--log-format", scope = ScopeType.INHERIT, paramLabel = "text|json",
            description = "Log as text lines or as JSON lines (one object per line); overrides logging.format.")
    LoggingConfig.Format logFormat;

    @Option(names = "--log-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Log to this rolling file instead of stderr (not under Greengrass); overrides logging.file.")
    java.nio.file.Path logFile;

    /**
     * Idle HTTP connections the JDK's client keeps per endpoint (its default is 5). The SiteWise destination's SDK
     * client uses it with up to 64 calls in flight; with 5, most answers closed their connection and the next call
     * paid a new one (a TLS handshake and round trips against the service). Read once, when the JDK first keeps a
     * connection, so it is set before anything else runs; an operator's {@code -Dhttp.maxConnections} wins.
     */
    static final String IDLE_HTTP_CONNECTIONS = "64";

    public static void main(String[] args) {
        if (System.getProperty("http.maxConnections") == null) System.setProperty("http.maxConnections", IDLE_HTTP_CONNECTIONS);
        Logging.configure(args);
        System.exit(newCommandLine().execute(args));
    }

    /** The command line with every subcommand, including those contributed by connector and destination modules. */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new SluiceCli());
        for (CliExtension extension : ServiceLoader.load(CliExtension.class)) {
            if (cli.getSubcommands().containsKey(extension.name())) {
                throw new IllegalStateException("two CLI extensions named " + extension.name());
            }
            cli.addSubcommand(extension.name(), extension.command());
        }
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(new ExitCodes());
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SluiceCli.class.getPackage().getImplementationVersion();
            return new String[] {"sluice " + (v == null ? "development build" : v)};
        }
    }
}
