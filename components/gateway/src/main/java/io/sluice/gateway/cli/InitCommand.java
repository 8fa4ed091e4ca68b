package io.sluice.gateway.cli;

import io.sluice.gateway.cli.ConfigSamples.Kind;
import io.sluice.gateway.cli.ConfigSamples.Sample;
import io.sluice.runtime.Plugins;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a commented starting config from the samples the chosen connector and destination modules ship
 * ({@link ConfigSamples}): their entries as written, one {@code telemetry} stream exported to every destination.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Writes a commented starting config for the chosen connectors and destinations; it validates as "
                + "written (set the environment variables it names for secrets first).",
                "Each part comes from the sample.yaml its module ships."},
        footer = {"", "Examples:", "  sluice init --connector opcua --destination kinesis -o gateway.yaml",
                "  sluice init --connector opcua,lorawan --destination iotcore --greengrass -o component.yaml"})
final class InitCommand implements Callable<Integer> {

    /** The one stream of a starting config; every sample's connectors write to it. */
    static final String STREAM = "telemetry";

    @Option(names = "--connector", split = ",", paramLabel = "TYPE", completionCandidates = ConnectorTypes.class,
            description = "A connector to include (repeatable): ${COMPLETION-CANDIDATES}. Default: simulator.")
    List<String> connectors = new ArrayList<>();

    @Option(names = "--destination", split = ",", paramLabel = "TYPE", completionCandidates = DestinationTypes.class,
            description = "A destination to include (repeatable): ${COMPLETION-CANDIDATES}. Default: file.")
    List<String> destinations = new ArrayList<>();

    @Option(names = "--greengrass", description = "Write a Greengrass component configuration (jvmOptions, accessControl "
            + "derived from the destinations, IoT Core through the nucleus) instead of a standalone config file.")
    boolean greengrass;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to this file instead of standard output.")
    Path output;

    @Option(names = "--force", description = "Overwrite an existing output file.")
    boolean force;

    /** A mistake on the command line, reported on one line (exit code 2). */
    private static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() throws Exception {
        try {
            return write();
        } catch (UsageError e) {
            System.err.println("sluice init: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
    }

    private int write() throws Exception {
        List<Sample> connectorSamples = samples(Kind.CONNECTOR, connectors.isEmpty() ? List.of("simulator") : connectors, "--connector");
        List<Sample> destinationSamples = samples(Kind.DESTINATION, destinations.isEmpty() ? List.of("file") : destinations, "--destination");
        String text = compose(connectorSamples, destinationSamples, greengrass, commandText());
        if (output == null) {
            System.out.print(text);
        } else {
            if (Files.exists(output) && !force) {
                throw new UsageError(output + " exists (--force overwrites it)");
            }
            Files.writeString(output, text, StandardCharsets.UTF_8);
            System.out.println("wrote " + output + "; check it with `sluice validate " + (greengrass ? "--greengrass " : "--config ")
                    + output + "`");
        }
        Set<String> variables = environmentVariables(text);
        if (!variables.isEmpty()) {
            System.err.println("set " + String.join(", ", variables) + " in the gateway's environment before `validate` and `run`");
        }
        return ExitCodes.OK;
    }

    private String commandText() {
        StringBuilder sb = new StringBuilder("sluice init");
        connectors.forEach(c -> sb.append(" --connector ").append(c));
        destinations.forEach(d -> sb.append(" --destination ").append(d));
        if (greengrass) sb.append(" --greengrass");
        return sb.toString();
    }

    private List<Sample> samples(Kind kind, List<String> types, String option) {
        List<Sample> out = new ArrayList<>();
        for (String type : new LinkedHashSet<>(types)) {
            out.add(ConfigSamples.find(kind, type).orElseThrow(() -> new UsageError(
                    option + ": no sample for type '" + type + "'; expected one of " + typesWithSamples(kind))));
        }
        return out;
    }

    /** The config text: the chosen samples' entries, one stream exported to every destination. */
    static String compose(List<Sample> connectors, List<Sample> destinations, boolean greengrass, String command) {
        List<String> out = new ArrayList<>();
        out.add("# Sluice " + (greengrass ? "component configuration" : "gateway config") + ", written by `" + command + "`.");
        if (greengrass) {
            out.add("# Check it with `sluice validate --greengrass FILE`; `sluice greengrass deployment --config FILE` turns it");
            out.add("# into a deployment document. jvmOptions and accessControl are read by the recipe, not the gateway.");
        } else {
            out.add("# Check it with `sluice validate --config FILE`, run it with `sluice run --config FILE`.");
        }
        out.add("# Every key: docs/configuration-reference.md; editors can use docs/config.schema.json.");
        out.add("");
        if (!greengrass) {
            out.add("store:");
            out.add("  directory: ./data              # the stream store, status and certificates (`--data` overrides it)");
            out.add("");
        }
        out.add("connectors:");
        appendEntries(out, connectors, greengrass);
        out.add("");
        out.add("streams:");
        out.add("  " + STREAM + ":");
        out.add("    priority: 5                    # 1 is drained first, 10 last");
        out.add("    max-size: 512MB                # held while a destination is unreachable");
        out.add("    ttl: 7d");
        out.add("    when-full: drop-oldest");
        out.add("    export:");
        for (Sample d : destinations) {
            for (String name : d.instanceNames()) out.add("      - destination: " + name);
        }
        out.add("");
        out.add("destinations:");
        appendEntries(out, destinations, greengrass);
        if (greengrass) {
            out.add("");
            out.add("jvmOptions: \"-Xms64m -Xmx512m\"   # read by the recipe's Lifecycle.Startup (changing it restarts the component)");
            out.add(GreengrassDeployment.accessControlYaml(GreengrassDeployment.accessControl(
                    GreengrassDeployment.publishTopics(String.join("\n", out)))));
        }
        return String.join("\n", out).stripTrailing() + "\n";
    }

    private static void appendEntries(List<String> out, List<Sample> samples, boolean greengrass) {
        boolean first = true;
        for (Sample s : samples) {
            if (!first) out.add("");
            first = false;
            for (String line : s.header()) out.add("  " + line);
            List<String> body = s.sectionBody();
            if (greengrass && s.kind() == Kind.DESTINATION && s.type().equals("iotcore")) body = throughNucleus(body);
            out.addAll(body);
        }
    }

    /** Keys of a mutual-TLS IoT Core destination that have no meaning when the nucleus publishes. */
    private static final Pattern MQTT_ONLY = Pattern.compile("^ {4}(endpoint|client-id|certificate|private-key|ca-certificate|keep-alive|connect-timeout):.*");
    private static final Pattern TRANSPORT = Pattern.compile("^( {4}transport: )mqtt\\b.*");

    /** An IoT Core sample's lines, rewritten to publish through the Greengrass nucleus. */
    static List<String> throughNucleus(List<String> body) {
        List<String> out = new ArrayList<>();
        for (String line : body) {
            if (MQTT_ONLY.matcher(line).matches()) continue;
            Matcher m = TRANSPORT.matcher(line);
            out.add(m.matches() ? m.group(1) + "greengrass-ipc        # PublishToIoTCore through the nucleus, its credentials" : line);
        }
        return out;
    }

    private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?}");

    /** The environment variables a config names without a default. */
    static Set<String> environmentVariables(String text) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : text.lines().toList()) {
            String code = line.strip().startsWith("#") ? "" : line;
            Matcher m = ENV.matcher(code);
            while (m.find()) if (!m.group().contains(":-")) out.add(m.group(1));
        }
        return out;
    }

    /** The types of a kind whose module ships a sample, sorted. */
    static Set<String> typesWithSamples(Kind kind) {
        Plugins plugins = Plugins.discover();
        Set<String> all = new TreeSet<>(kind == Kind.CONNECTOR ? plugins.connectors().keySet() : plugins.destinations().keySet());
        all.removeIf(type -> ConfigSamples.find(kind, type).isEmpty());
        return all;
    }

    static final class ConnectorTypes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return typesWithSamples(Kind.CONNECTOR).iterator();
        }
    }

    static final class DestinationTypes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return typesWithSamples(Kind.DESTINATION).iterator();
        }
    }

}
