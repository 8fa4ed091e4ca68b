package io.sluice.gateway.greengrass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.GatewayConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComponentConfigurationTest {

    /** What GetConfiguration hands out: JSON numbers as doubles, the recipe's own keys next to the gateway's. */
    private static Map<String, Object> fromIpc() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("accessControl", Map.of("aws.greengrass.ipc.pubsub", Map.of("io.sluice.Gateway:pubsub:1",
                Map.of("operations", List.of("aws.greengrass#PublishToTopic"), "resources", List.of("sluice/*")))));
        config.put("jvmOptions", "-Xmx256m");
        config.put("streams", Map.of("telemetry", Map.of("priority", 3.0,
                "export", List.of(Map.of("destination", "local", "batch-max-samples", 50.0)))));
        config.put("destinations", Map.of("local", Map.of("type", "greengrass-pubsub", "topic", "sluice/{stream}",
                "max-samples-per-message", 20.0)));
        return config;
    }

    @Test
    void recipeKeysAreLeftOutAndWholeNumbersBecomeIntegers() {
        Map<String, Object> gateway = ComponentConfiguration.gatewayPart(fromIpc());
        assertFalse(gateway.containsKey("accessControl"));
        assertFalse(gateway.containsKey("jvmOptions"));
        Map<?, ?> telemetry = (Map<?, ?>) ((Map<?, ?>) gateway.get("streams")).get("telemetry");
        assertEquals(3L, telemetry.get("priority"));
        assertEquals(50L, ((Map<?, ?>) ((List<?>) telemetry.get("export")).get(0)).get("batch-max-samples"));
    }

    @Test
    void fractionsStayFractions() {
        Map<String, Object> gateway = ComponentConfiguration.gatewayPart(Map.of("x", 2.5, "y", List.of(1.0, 0.25)));
        assertEquals(2.5, gateway.get("x"));
        assertEquals(List.of(1L, 0.25), gateway.get("y"));
    }

    @Test
    void yamlTextIsWhatTheLoaderValidates() {
        String yaml = ComponentConfiguration.toYaml(fromIpc());
        assertTrue(yaml.contains("priority: 3\n"), yaml);
        assertFalse(yaml.contains("accessControl"), yaml);
        GatewayConfig config = ComponentConfiguration.parse(fromIpc(), "greengrass:io.sluice.Gateway");
        assertEquals(3, config.streams().get("telemetry").priority());
        assertEquals("greengrass-pubsub", config.destinations().get("local").type());
    }

    @Test
    void invalidConfigurationNamesKeyPaths() {
        Map<String, Object> bad = fromIpc();
        bad.put("streams", Map.of("telemetry", Map.of("priority", 11.0)));
        bad.put("destinatons", Map.of());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ComponentConfiguration.parse(bad, "greengrass:io.sluice.Gateway"));
        String all = e.getMessage();
        assertTrue(all.contains("streams.telemetry.priority"), all);
        assertTrue(all.contains("destinatons"), all);
        assertTrue(all.contains("greengrass:io.sluice.Gateway"), all);
    }

    @Test
    void emptyConfigurationIsAnEmptyDocument() {
        assertEquals("{}\n", ComponentConfiguration.toYaml(Map.of("accessControl", Map.of())));
    }
}
