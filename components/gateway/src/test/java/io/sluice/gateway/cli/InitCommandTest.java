package io.sluice.gateway.cli;

import static io.sluice.gateway.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.gateway.cli.ConfigSamples.Kind;
import io.sluice.gateway.cli.ConfigSamples.Sample;
import io.sluice.gateway.cli.InProcessCli.Result;
import io.sluice.runtime.Plugins;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice init} and the samples it is made of: every connector and destination type ships a sample in its own
 * folder, the sample validates on its own, and what {@code init} writes from any of them validates as written.
 */
@Timeout(60)
class InitCommandTest {

    /** Where each type's sample.yaml lives in the source tree (the module folder), relative to the repository. */
    static final Map<String, String> CONNECTOR_FOLDERS = Map.of("opcua", "connectors/opcua", "opcda", "connectors/opcda",
            "lorawan", "connectors/lorawan", "simmem", "connectors/simmem", "simulator", "connectors/simulator");
    static final Map<String, String> DESTINATION_FOLDERS = Map.of("kinesis", "gateway-core/destinations/kinesis",
            "sitewise", "gateway-core/destinations/sitewise", "iotcore", "gateway-core/destinations/iotcore",
            "file", "gateway-core/runtime", "greengrass-pubsub", "components/gateway");
    /** Destinations for tests and benchmarks, without a sample. */
    static final Set<String> NO_SAMPLE = Set.of("stdout", "discard");

    /** Every variable a sample names, set to a value each key accepts (a 16-byte key in hex). */
    static final ConfigLoader LOADER = new ConfigLoader(Plugins.discover(), name -> "00112233445566778899aabbccddeeff");

    @TempDir
    Path dir;

    static Path repository() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.exists(p.resolve("connectors")) || !Files.exists(p.resolve("gateway-core"))) p = p.getParent();
        return p;
    }

    @Test
    void everyTypeShipsItsFoldersSampleAndItValidatesOnItsOwn() throws Exception {
        Plugins plugins = Plugins.discover();
        assertEquals(new TreeSet<>(CONNECTOR_FOLDERS.keySet()), new TreeSet<>(plugins.connectors().keySet()),
                "a new connector type needs a sample.yaml in its folder (and a row here)");
        Set<String> destinations = new TreeSet<>(plugins.destinations().keySet());
        destinations.removeAll(NO_SAMPLE);
        assertEquals(new TreeSet<>(DESTINATION_FOLDERS.keySet()), destinations,
                "a new destination type needs a sample.yaml in its folder (and a row here)");
        check(Kind.CONNECTOR, CONNECTOR_FOLDERS);
        check(Kind.DESTINATION, DESTINATION_FOLDERS);
    }

    private void check(Kind kind, Map<String, String> folders) throws Exception {
        for (var e : folders.entrySet()) {
            Path source = repository().resolve(e.getValue()).resolve("sample.yaml");
            Sample sample = ConfigSamples.find(kind, e.getKey()).orElseThrow(() -> new AssertionError("no sample in the jar for " + e));
            assertEquals(Files.readString(source), sample.text(), source + " is the source of the jar's sample");
            GatewayConfig config = LOADER.parseText(sample.text(), source.toString());
            assertFalse(sample.instanceNames().isEmpty(), source + " has entries under " + kind.section);
            for (String name : sample.instanceNames()) {
                if (kind == Kind.CONNECTOR) {
                    assertEquals(e.getKey(), config.connectors().get(name).type(), source + ": " + name);
                    assertEquals(InitCommand.STREAM, config.connectors().get(name).stream(), source + ": init puts every connector on one stream");
                } else {
                    assertEquals(e.getKey(), config.destinations().get(name).type(), source + ": " + name);
                }
            }
            assertFalse(sample.header().isEmpty(), source + " starts with comments saying what it is");
        }
    }

    @Test
    void everyConnectorWithEveryDestinationValidatesAsWritten() throws Exception {
        List<String> args = new ArrayList<>(List.of("init"));
        CONNECTOR_FOLDERS.keySet().forEach(c -> args.addAll(List.of("--connector", c)));
        DESTINATION_FOLDERS.keySet().forEach(d -> args.addAll(List.of("--destination", d)));
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        ConfigLoader.Report report = LOADER.check(r.out(), "init.yaml");
        assertEquals(List.of(), report.problems(), r.out());
        assertEquals(List.of(), report.warnings(), r.out());
        GatewayConfig config = report.config();
        assertEquals(CONNECTOR_FOLDERS.size(), config.connectors().size());
        assertEquals(DESTINATION_FOLDERS.size(), config.destinations().size());
        assertEquals(DESTINATION_FOLDERS.size(), config.streams().get(InitCommand.STREAM).export().size());
        assertTrue(r.out().contains("# OPC UA sample"), "the samples' comments are kept: " + r.out());
        assertTrue(r.err().contains("OPCDA_PASSWORD") && r.err().contains("BOILER1_NWKSKEY"),
                "names the environment variables to set: " + r.err());
    }

    @Test
    void aConfigWrittenToAFileValidatesWithSluiceValidate() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Result r = run("init", "--connector", "opcua", "--connector", "simulator", "--destination", "file", "-o", file.toString());
        assertEquals(0, r.exit(), r.err());
        Result v = run("validate", "--config", file.toString());
        assertEquals(0, v.exit(), v.err());
        assertFalse(v.out().contains("warning"), v.out());
        assertTrue(v.out().contains("valid (2 connectors"), v.out());

        Result again = run("init", "-o", file.toString());
        assertEquals(2, again.exit(), "does not overwrite without --force");
        again.assertOneLine("exists", "--force");
    }

    @Test
    void greengrassComponentConfigurationPublishesThroughTheNucleusAndValidates() throws Exception {
        Path file = dir.resolve("component.yaml");
        Result r = run("init", "--connector", "simulator", "--destination", "iotcore,greengrass-pubsub", "--greengrass",
                "-o", file.toString());
        assertEquals(0, r.exit(), r.err());
        String text = Files.readString(file);
        assertTrue(text.contains("transport: greengrass-ipc"), text);
        assertFalse(text.contains("certificate:"), "no device certificate through the nucleus: " + text);
        assertTrue(text.contains("jvmOptions:") && text.contains("aws.greengrass#PublishToIoTCore")
                && text.contains("\"sluice/#\"") && text.contains("aws.greengrass#PublishToTopic") && text.contains("\"sluice/*\""), text);
        Result v = run("validate", "--greengrass", file.toString());
        assertEquals(0, v.exit(), v.err() + text);
    }

    @Test
    void anUnknownTypeIsAUsageErrorListingTheTypesWithSamples() {
        Result r = run("init", "--connector", "modbus");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--connector: no sample for type 'modbus'; expected one of [lorawan, opcda, opcua, simmem, simulator]"), r.err());
    }
}
