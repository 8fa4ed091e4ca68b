package io.sluice.gateway.cli;

import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.ConfigProblem;
import io.sluice.runtime.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Checks a config file without starting anything. Exit code 0: valid, 2: invalid.")
final class ValidateCommand implements Callable<Integer> {

    static final int INVALID = 2;

    @Option(names = {"-c", "--config"}, required = true, description = "The YAML config file.")
    Path config;

    @Override
    public Integer call() {
        try {
            GatewayConfig c = ConfigLoader.load(config);
            System.out.printf("%s: valid (%d connectors, %d streams, %d destinations)%n", config,
                    c.connectors().size(), c.streams().size(), c.destinations().size());
            return 0;
        } catch (ConfigException e) {
            System.err.println(config + ": " + e.problems().size() + " problem" + (e.problems().size() == 1 ? "" : "s"));
            for (ConfigProblem p : e.problems()) System.err.println("  " + p);
            return INVALID;
        }
    }
}
