package io.sluice.gateway.cli;

import io.sluice.admin.RunningGateway;
import io.sluice.gateway.logging.Logging;
import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the gateway until stopped (Ctrl-C or SIGTERM stop it cleanly: connectors, flush, publisher, store).",
                "Edits of the config file are applied while it runs (also on SIGHUP or `sluice reload`): only what changed restarts; an invalid edit is rejected and the running configuration stays.",
                "Exit code 0: stopped cleanly, 1: failed (e.g. data directory in use, store cannot open), 2: invalid config."})
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, description = "The YAML config file (standalone mode).")
    Path config;

    @Option(names = {"-d", "--data"}, description = "Data directory (overrides store.directory).")
    Path data;

    @Option(names = "--no-watch", description = "Do not watch the config file: apply its edits only on SIGHUP or `sluice reload`.")
    boolean noWatch;

    /** An editor's or a copy's writes within this time make one reload. */
    static final java.time.Duration WATCH_QUIET = java.time.Duration.ofMillis(500);

    @Option(names = "--greengrass", description = "Run as a Greengrass component even if the nucleus environment is not detected.")
    boolean greengrass;

    @Override
    public Integer call() throws Exception {
        if (greengrass || GreengrassLauncher.detected()) {
            return GreengrassLauncher.run(data);
        }
        if (config == null) {
            System.err.println("sluice run: --config is required outside Greengrass");
            return ExitCodes.CONFIG;
        }
        ConfigLoader.Report report = ConfigLoader.standard().checkFile(config);
        if (!report.problems().isEmpty()) throw new ConfigException(report.problems()); // printed by ExitCodes, exit 2
        GatewayConfig c = report.config();
        Logging.apply(c.logging(), false);
        try (StopSignals signals = StopSignals.install()) {
            RunningGateway gateway = RunningGateway.start(c, data);
            signals.onHangup(() -> gateway.gateway().reload("SIGHUP"));
            io.sluice.runtime.ConfigFileWatcher watcher = !noWatch ? io.sluice.runtime.ConfigFileWatcher.start(config, WATCH_QUIET,
                    () -> gateway.gateway().reload("file changed")) : null;
            // other ways the JVM may end (an exit elsewhere) still close the gateway
            Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "sluice-shutdown"));
            String signal = signals.await();
            log.info("shutdown requested ({})", signal);
            if (watcher != null) watcher.close();
            gateway.close();
        }
        return ExitCodes.OK;
    }
}
