package io.sluice.gateway.cli;

import io.sluice.admin.RunningGateway;
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
                "Exit code 0: stopped cleanly, 1: failed (e.g. data directory in use, store cannot open), 2: invalid config."})
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, description = "The YAML config file (standalone mode).")
    Path config;

    @Option(names = {"-d", "--data"}, description = "Data directory (overrides store.directory).")
    Path data;

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
        GatewayConfig c = ConfigLoader.load(config); // a ConfigException is printed by ExitCodes, exit 2
        try (StopSignals signals = StopSignals.install()) {
            RunningGateway gateway = RunningGateway.start(c, data);
            // other ways the JVM may end (SIGHUP, an exit elsewhere) still close the gateway
            Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "sluice-shutdown"));
            String signal = signals.await();
            log.info("shutdown requested ({})", signal);
            gateway.close();
        }
        return ExitCodes.OK;
    }
}
