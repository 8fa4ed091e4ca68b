package io.sluice.gateway.cli;

import io.sluice.runtime.Plugins;
import io.sluice.runtime.config.ConfigReference;
import io.sluice.runtime.config.ConfigSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "schema", mixinStandardHelpOptions = true,
        description = "Prints the JSON Schema of the config file (all connector and destination types on the class path).")
final class SchemaCommand implements Callable<Integer> {

    @Option(names = {"-o", "--output"}, description = "Write to this file instead of stdout.")
    Path output;

    @Option(names = "--reference", description = "Print the Markdown configuration reference instead of the JSON Schema.")
    boolean reference;

    @Override
    public Integer call() throws Exception {
        String schema = reference ? ConfigReference.generate(Plugins.discover()) : ConfigSchema.generate(Plugins.discover());
        if (output == null) {
            System.out.print(schema);
        } else {
            Files.writeString(output, schema, StandardCharsets.UTF_8);
            System.out.println("wrote " + output);
        }
        return 0;
    }
}
