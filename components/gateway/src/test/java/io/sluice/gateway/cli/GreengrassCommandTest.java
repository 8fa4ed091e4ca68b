package io.sluice.gateway.cli;

import static io.sluice.gateway.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.gateway.cli.InProcessCli.Result;
import io.sluice.gateway.greengrass.ComponentConfiguration;
import io.sluice.runtime.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice greengrass deployment}: the merge is the config, the access control follows its topics. */
@Timeout(60)
class GreengrassCommandTest {

    @TempDir
    Path dir;

    @Test
    void deploymentMergesTheConfigAndAllowsExactlyItsTopicPrefixes() throws Exception {
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                jvmOptions: "-Xmx256m"
                accessControl: {stale: {}}
                connectors:
                  press:
                    type: simulator
                    stream: telemetry
                    asset: {site: hamburg}
                    tags: [{name: t, kind: sine}]
                streams:
                  telemetry:
                    export: [{destination: cloud}, {destination: cloud-raw}, {destination: bus}, {destination: files}]
                destinations:
                  cloud:
                    type: iotcore
                    transport: greengrass-ipc
                    topic: "plant/{site}/{stream}"
                  cloud-raw:
                    type: iotcore
                    transport: greengrass-ipc
                    topic: "plant/raw"
                  bus:
                    type: greengrass-pubsub
                  files:
                    type: file
                    directory: ./export
                """);
        Result r = run("greengrass", "deployment", "--config", config.toString(), "--component-version", "1.2.0",
                "--target-arn", "arn:aws:iot:eu-central-1:123456789012:thinggroup/press-shop");
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals("arn:aws:iot:eu-central-1:123456789012:thinggroup/press-shop", doc.path("targetArn").asText());
        JsonNode component = doc.path("components").path("io.sluice.Gateway");
        assertEquals("1.2.0", component.path("componentVersion").asText());
        assertTrue(component.path("configurationUpdate").path("reset").toString().contains("/accessControl"), r.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> merge = new ObjectMapper().readValue(component.path("configurationUpdate").path("merge").asText(), Map.class);
        assertEquals("-Xmx256m", merge.get("jvmOptions"));
        JsonNode access = new ObjectMapper().valueToTree(merge.get("accessControl"));
        assertEquals(2, access.size(), "only the two IPC services: " + access);
        JsonNode iot = access.path("aws.greengrass.ipc.mqttproxy").path("io.sluice.Gateway:mqttproxy:1");
        assertEquals(List.of("aws.greengrass#PublishToIoTCore"), List.of(iot.path("operations").get(0).asText()));
        assertEquals("[\"plant/#\",\"plant/raw\"]", iot.path("resources").toString());
        JsonNode bus = access.path("aws.greengrass.ipc.pubsub").path("io.sluice.Gateway:pubsub:1");
        assertEquals("[\"sluice/*\"]", bus.path("resources").toString(), "the default topic sluice/{stream}");

        GatewayConfig parsed = ComponentConfiguration.parse(merge, "merge");
        assertEquals(4, parsed.destinations().size(), "the merge is a configuration the component accepts");
    }

    @Test
    void anInvalidConfigIsNotTurnedIntoADeployment() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "streams:\n  telemetry: {priority: 11}\n");
        Result r = run("greengrass", "deployment", "--config", config.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains(config + ":2:25: streams.telemetry.priority: expected a value between 1 and 10, got 11"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void withoutAVersionToFallBackOnTheComponentVersionIsRequired() throws Exception {
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, "streams:\n  telemetry: {}\n");
        Result r = run("greengrass", "deployment", "--config", config.toString());
        assertEquals(2, r.exit(), "classes on the test class path carry no Implementation-Version");
        r.assertOneLine("--component-version is required");
    }
}
