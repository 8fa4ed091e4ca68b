package io.sluice.gateway.cli;

import io.sluice.gateway.greengrass.ComponentConfiguration;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.ConfigProblem;
import io.sluice.runtime.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Checks a config file without starting anything, including that every file it names (certificates, "
                + "keys, layout files) exists and is readable, and lists every problem at once.",
                "Warnings (a stream exported nowhere, an unused destination, a route that matches nothing, a deprecated "
                        + "key) are printed but do not fail it.",
                "Exit code 0: valid (possibly with warnings), 2: invalid."},
        footer = {"", "Examples:", "  sluice validate --config gateway.yaml",
                "  sluice validate --greengrass component.yaml   (accessControl and jvmOptions are the recipe's, ignored)"})
final class ValidateCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The YAML config file.")
        Path config;

        @Option(names = "--greengrass", paramLabel = "FILE", description = "A Greengrass component configuration (YAML or "
                + "JSON): the config file's keys plus the recipe's own accessControl and jvmOptions.")
        Path component;
    }

    @Override
    public Integer call() {
        Path file = source.config != null ? source.config : source.component;
        ConfigLoader loader = ConfigLoader.standard().checkingFiles();
        if (source.component != null) loader = loader.ignoringTopLevelKeys(ComponentConfiguration.RECIPE_KEYS);
        ConfigLoader.Report report = loader.checkFile(file);
        if (!report.problems().isEmpty()) {
            ExitCodes.printProblems(report.problems(), System.err);
            printWarnings(report, System.err);
            return ExitCodes.CONFIG;
        }
        GatewayConfig c = report.config();
        System.out.printf("%s: valid (%d connectors, %d streams, %d destinations%s)%n", file, c.connectors().size(),
                c.streams().size(), c.destinations().size(), report.warnings().isEmpty() ? ""
                        : ", " + report.warnings().size() + " warning" + (report.warnings().size() == 1 ? "" : "s"));
        printWarnings(report, System.out);
        return ExitCodes.OK;
    }

    private static void printWarnings(ConfigLoader.Report report, java.io.PrintStream out) {
        for (ConfigProblem w : report.warnings()) out.println("warning: " + w);
    }
}
