package io.sluice.gateway.greengrass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.GatewayConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GreengrassModeTest {

    private static Map<String, Object> config(int priority, Map<String, Object> connectors) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("connectors", connectors);
        c.put("streams", Map.of("telemetry", Map.of("priority", priority, "export", List.of(Map.of("destination", "local")))));
        c.put("destinations", Map.of("local", Map.of("type", "greengrass-pubsub")));
        return c;
    }

    private static Map<String, Object> sim(String interval) {
        return Map.of("type", "simulator", "stream", "telemetry", "interval", interval,
                "tags", List.of(Map.of("name", "t", "kind", "counter")));
    }

    private static GatewayConfig parse(Map<String, Object> c) {
        return ComponentConfiguration.parse(c, "test");
    }

    @Test
    void describesWhatAnUpdateChanges() {
        GatewayConfig before = parse(config(5, Map.of("a", sim("1s"), "b", sim("1s"))));
        GatewayConfig after = parse(config(2, Map.of("a", sim("1s"), "b", sim("2s"), "c", sim("1s"))));
        String changes = GreengrassMode.describeChanges(before, after);
        assertTrue(changes.contains("connectors added [c]"), changes);
        assertTrue(changes.contains("connectors changed [b]"), changes);
        assertFalse(changes.contains("[a]"), changes);
        assertTrue(changes.contains("stream telemetry priority 5 -> 2"), changes);
        assertTrue(GreengrassMode.describeChanges(after, before).contains("connectors removed [c]"));
    }

    @Test
    void nothingChanged() {
        GatewayConfig config = parse(config(5, Map.of("a", sim("1s"))));
        assertEquals("no effective change", GreengrassMode.describeChanges(config, parse(config(5, Map.of("a", sim("1s"))))));
    }

    @Test
    void detection() {
        assertTrue(GreengrassMode.detected(Map.of("SVCUID", "t", "AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT", "/s")));
        assertFalse(GreengrassMode.detected(Map.of("SVCUID", " ", "AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT", "/s")));
        assertFalse(GreengrassMode.detected(Map.of("AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT", "/s")));
    }
}
