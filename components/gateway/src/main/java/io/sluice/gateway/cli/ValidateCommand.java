package io.sluice.gateway.cli;

import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Checks a config file without starting anything, including that every file it names (certificates, "
                + "keys, layout files) exists and is readable. Exit code 0: valid, 2: invalid.")
final class ValidateCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "The YAML config file.")
    Path config;

    @Override
    public Integer call() {
        try {
            GatewayConfig c = ConfigLoader.standard().checkingFiles().loadFile(config);
            System.out.printf("%s: valid (%d connectors, %d streams, %d destinations)%n", config,
                    c.connectors().size(), c.streams().size(), c.destinations().size());
            return ExitCodes.OK;
        } catch (ConfigException e) {
            ExitCodes.printProblems(e.problems(), System.err);
            return ExitCodes.CONFIG;
        }
    }
}
