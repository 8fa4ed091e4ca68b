package io.sluice.gateway.cli;

import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.ConfigProblem;
import io.sluice.runtime.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs the gateway until stopped (Ctrl-C or SIGTERM stop it cleanly: connectors, flush, publisher, store).")
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
            System.err.println("--config is required outside Greengrass");
            return ValidateCommand.INVALID;
        }
        GatewayConfig c;
        try {
            c = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println(config + ": " + e.problems().size() + " problem(s)");
            for (ConfigProblem p : e.problems()) System.err.println("  " + p);
            return ValidateCommand.INVALID;
        }
        Gateway gateway = Gateway.start(c, data);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutdown requested");
            gateway.close();
            stopped.countDown();
        }, "sluice-shutdown"));
        stopped.await();
        return 0;
    }
}
