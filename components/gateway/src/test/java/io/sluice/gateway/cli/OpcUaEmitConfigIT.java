package io.sluice.gateway.cli;

import static io.sluice.gateway.cli.InProcessCli.run;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.gateway.cli.InProcessCli.Result;
import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Browse to config against the OPC UA rig server: {@code sluice opcua browse --emit-config} → pasted into a config with
 * a file destination → {@code sluice validate} passes → the gateway delivers a sample of every browsed node.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OpcUaEmitConfigIT {

    @TempDir
    Path dir;

    @Test
    void browsedNodesPasteIntoAConfigThatValidatesAndDeliversEveryNode() throws Exception {
        try (RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig"))
                .withChangeInterval(Duration.ofMillis(200)))) {
            Path data = dir.resolve("data");
            Result browse = run("opcua", "browse", rig.endpointUrl(), "--path", "/Rig", "--depth", "2", "--emit-config",
                    "--connector", "rig", "--data", data.toString());
            assertEquals(0, browse.exit(), browse.err());
            String entry = browse.out();

            Map<String, String> tagToNodeId = new TreeMap<>();
            Matcher m = Pattern.compile("- node-id: \"([^\"]+)\".*\\n\\s+tag: \"([^\"]+)\"").matcher(entry);
            while (m.find()) tagToNodeId.put(m.group(2), m.group(1));
            assertTrue(tagToNodeId.size() > 10, "variables below /Rig: " + entry);
            assertTrue(tagToNodeId.values().stream().allMatch(id -> id.startsWith("nsu=" + RigServer.NAMESPACE_URI + ";")), entry);
            assertEquals("nsu=urn:sluice:rig;s=Rig/Dynamic/Ramp", tagToNodeId.get("Dynamic.Ramp"), entry);
            assertTrue(entry.contains("tag: \"Dynamic.Analog\"\n            unit: \"°C\""), "the unit from EngineeringUnits: " + entry);
            assertTrue(entry.contains("# Double, read/write"), "data type and access level: " + entry);

            Path config = dir.resolve("gateway.yaml");
            Files.writeString(config, "connectors:\n" + entry + """
                    streams:
                      telemetry:
                        export: [{destination: files}]
                    destinations:
                      files:
                        type: file
                        directory: %s
                    """.formatted(dir.resolve("export")));
            Result validate = run("validate", "--config", config.toString());
            assertEquals(0, validate.exit(), validate.err() + Files.readString(config));
            assertTrue(!validate.out().contains("warning"), validate.out());

            Set<String> delivered = new TreeSet<>();
            try (Gateway gateway = Gateway.start(ConfigLoader.load(config), data)) {
                Set<String>[] seen = new Set[] {delivered};
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> (seen[0] = exportedTags(dir.resolve("export"))).containsAll(tagToNodeId.keySet()));
                delivered = seen[0];
            }
            Set<String> missing = new TreeSet<>(tagToNodeId.keySet());
            missing.removeAll(delivered);
            assertEquals(Set.of(), missing, "every browsed node delivers; delivered: " + delivered);
        }
    }

    private static Set<String> exportedTags(Path folder) throws Exception {
        Set<String> tags = new TreeSet<>();
        if (!Files.isDirectory(folder)) return tags;
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (line.isBlank()) continue;
                    JsonNode n = json.readTree(line);
                    tags.add(n.path("tag").asText());
                }
            }
        }
        return tags;
    }
}
