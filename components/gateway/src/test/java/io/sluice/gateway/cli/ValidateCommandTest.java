package io.sluice.gateway.cli;

import static io.sluice.gateway.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.gateway.cli.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice validate}: warnings that do not fail it, component configurations, every problem in one run. */
@Timeout(60)
class ValidateCommandTest {

    @TempDir
    Path dir;

    @Test
    void warnsAboutAStreamExportedNowhereAnUnusedDestinationAndRoutesThatMatchNothingButPasses() throws Exception {
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                connectors:
                  press:
                    type: simulator
                    stream: telemetry
                    tags: [{name: t, kind: sine}]
                streams:
                  telemetry:
                    export: [{destination: files}]
                  alarms:
                    priority: 1
                destinations:
                  files:
                    type: file
                    directory: %s
                  spare:
                    type: file
                    directory: %s
                routes:
                  - {connector: pres, tags: "alarm.*", stream: alarms}
                  - {connector: press, stream: telemetry}
                  - {connector: press, tags: "alarm.*", stream: alarms}
                """.formatted(dir.resolve("out"), dir.resolve("spare")));
        Result r = run("validate", "--config", config.toString());
        assertEquals(0, r.exit(), "warnings do not fail validate: " + r.err());
        assertTrue(r.out().contains("valid (1 connectors, 4 streams, 2 destinations, 4 warnings)"), r.out());
        assertTrue(r.out().contains("warning: " + config + ":9:3: streams.alarms: exported nowhere"), r.out());
        assertTrue(r.out().contains("warning: " + config + ":15:3: destinations.spare: unused: no stream exports to it"), r.out());
        assertTrue(r.out().contains("warning: " + config + ":19:5: routes[0]: matches nothing: connector 'pres' names no connector"), r.out());
        assertTrue(r.out().contains("warning: " + config + ":21:5: routes[2]: matches nothing: routes[1] takes every tag of connector 'press' first"), r.out());
        assertFalse(r.out().contains("dead-letter"), "dead-letter streams are exported nowhere on purpose: " + r.out());
    }

    @Test
    void acceptsAComponentConfigurationWithTheRecipeKeys() throws Exception {
        Path component = dir.resolve("component.json");
        Files.writeString(component, """
                {"jvmOptions": "-Xms64m -Xmx512m",
                 "accessControl": {"aws.greengrass.ipc.mqttproxy": {"io.sluice.Gateway:mqttproxy:1": {
                     "operations": ["aws.greengrass#PublishToIoTCore"], "resources": ["sluice/#"]}}},
                 "connectors": {"press": {"type": "simulator", "stream": "telemetry", "tags": [{"name": "t", "kind": "sine"}]}},
                 "streams": {"telemetry": {"export": [{"destination": "cloud"}]}},
                 "destinations": {"cloud": {"type": "iotcore", "transport": "greengrass-ipc"}}}
                """);
        Result r = run("validate", "--greengrass", component.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("valid (1 connectors"), r.out());

        Result asPlainConfig = run("validate", "--config", component.toString());
        assertEquals(2, asPlainConfig.exit(), "a gateway config file has no recipe keys");
        assertTrue(asPlainConfig.err().contains("unknown key 'jvmOptions'"), asPlainConfig.err());
    }

    @Test
    void listsSemanticProblemsEvenWhenTheSameSectionHasStructuralOnes() throws Exception {
        Path config = dir.resolve("lorawan.yaml");
        Files.writeString(config, """
                connectors:
                  site:
                    type: lorawan
                    stream: telemetry
                    port: seventeen-hundred
                    dedup-window: 20s
                    gateways:
                      allow: [not-an-eui]
                streams:
                  telemetry: {}
                """);
        Result r = run("validate", "--config", config.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(config + ":5:11: connectors.site.port: expected an integer, got 'seventeen-hundred'"), r.err());
        assertTrue(r.err().contains(config + ":6:19: connectors.site.dedup-window: expected 0s..10s, got 20s"), r.err());
        assertTrue(r.err().contains("connectors.site.gateways.allow[0]: expected a gateway EUI"), r.err());
        assertTrue(r.err().contains("connectors.site.devices: no devices configured"), r.err());
        assertTrue(r.err().startsWith("4 config problems:"), "nothing made up from the broken key: " + r.err());
    }

    @Test
    void theOldEndpointKeyOfKinesisIsAcceptedWithAWarningNamingFileAndLine() throws Exception {
        String yaml = """
                connectors:
                  press: {type: simulator, stream: telemetry, tags: [{name: t, kind: sine}]}
                streams:
                  telemetry:
                    export: [{destination: cloud}]
                destinations:
                  cloud:
                    type: kinesis
                    stream-name: plant
                    region: eu-central-1
                    endpoint: http://127.0.0.1:4568
                """;
        Path config = dir.resolve("kinesis.yaml");
        Files.writeString(config, yaml);
        Result r = run("validate", "--config", config.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("warning: " + config + ":11:5: destinations.cloud.endpoint: 'endpoint' is deprecated; "
                + "write 'endpoint-override' (the old name is still accepted)"), r.out());

        Files.writeString(config, yaml + "    endpoint-override: http://127.0.0.1:4569\n");
        Result both = run("validate", "--config", config.toString());
        assertEquals(2, both.exit(), both.out());
        assertTrue(both.err().contains(config + ":11:5: destinations.cloud.endpoint: 'endpoint' is the old name of "
                + "'endpoint-override'; write only 'endpoint-override'"), both.err());
    }

    @Test
    void durationsInProblemsReadAsConfigFilesWriteThem() throws Exception {
        Path config = dir.resolve("durations.yaml");
        Files.writeString(config, """
                connectors:
                  plc:
                    type: opcua
                    stream: telemetry
                    endpoint: opc.tcp://127.0.0.1:4840
                    session-timeout: 5s
                    groups: [{name: fast, publishing-interval: 5ms, nodes: [{node-id: "ns=2;s=A"}]}]
                  press: {type: simulator, stream: telemetry, interval: 500us, tags: [{name: t, kind: sine}]}
                streams:
                  telemetry:
                    export: [{destination: cloud}]
                destinations:
                  cloud:
                    type: iotcore
                    transport: greengrass-ipc
                    reconnect-min-delay: 2m
                    reconnect-max-delay: 90s
                """);
        Result r = run("validate", "--config", config.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("connectors.plc.session-timeout: must be at least 10s, got 5s"), r.err());
        assertTrue(r.err().contains("connectors.plc.groups[0].publishing-interval: must be at least 10ms, got 5ms"), r.err());
        assertTrue(r.err().contains("connectors.press.interval: expected at least 1ms, got 500us"), r.err());
        assertTrue(r.err().contains("destinations.cloud.reconnect-min-delay: must not be longer than reconnect-max-delay (90s)"), r.err());
        assertFalse(r.err().contains("PT"), r.err());
    }
}
