package io.sluice.rigs.greengrass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationTreeTest {

    private final Map<String, Object> base = Map.of(
            "streams", Map.of("telemetry", Map.of("priority", 5, "export", List.of(Map.of("destination", "cloud")))),
            "log-level", "info");

    @Test
    void lookupAndLeafWrapping() {
        assertEquals(Map.of("priority", 5), ConfigurationTree.valueFor(base, List.of("streams", "telemetry", "priority")).orElseThrow());
        assertEquals(base, ConfigurationTree.valueFor(base, List.of()).orElseThrow());
        assertTrue(ConfigurationTree.valueFor(base, List.of("streams", "nope")).isEmpty());
        assertTrue(ConfigurationTree.lookup(base, List.of("log-level", "deeper")).isEmpty());
    }

    @Test
    void changedPathsNamesEveryChangedLeaf() {
        Map<String, Object> after = Map.of(
                "streams", Map.of("telemetry", Map.of("priority", 5.0, "export", List.of(Map.of("destination", "cloud"))),
                        "alarms", Map.of("priority", 1, "ttl", "7d")),
                "log-level", "debug");
        // Map.of has no order, so compare as sets
        assertEquals(java.util.Set.of(List.of("streams", "alarms", "priority"), List.of("streams", "alarms", "ttl"), List.of("log-level")),
                java.util.Set.copyOf(ConfigurationTree.changedPaths(base, after)));
        assertEquals(3, ConfigurationTree.changedPaths(base, after).size());
        assertEquals(List.of(List.of("log-level")), ConfigurationTree.changedPaths(base, Map.of("streams", base.get("streams"))));
        assertTrue(ConfigurationTree.changedPaths(base, base).isEmpty());
    }

    @Test
    void mergeIsRecursiveAndReplacesLeavesAndLists() {
        Map<String, Object> merged = ConfigurationTree.merge(base, Map.of(
                "streams", Map.of("telemetry", Map.of("export", List.of()))));
        assertEquals(Map.of("priority", 5, "export", List.of()),
                ConfigurationTree.lookup(merged, List.of("streams", "telemetry")).orElseThrow());
        assertEquals("info", merged.get("log-level"));
    }

    @Test
    void removeDropsOnePath() {
        Map<String, Object> removed = ConfigurationTree.remove(base, List.of("streams", "telemetry", "priority"));
        assertFalse(((Map<?, ?>) ((Map<?, ?>) removed.get("streams")).get("telemetry")).containsKey("priority"));
        assertEquals(5, ConfigurationTree.lookup(base, List.of("streams", "telemetry", "priority")).orElseThrow());
    }

    @Test
    void topicFilters() {
        assertTrue(TopicPolicies.matches("plant/#", "plant/a/b"));
        assertTrue(TopicPolicies.matches("plant/#", "plant"));
        assertFalse(TopicPolicies.matches("plant/#", "plantx/a"));
        assertTrue(TopicPolicies.matches("plant/+/b", "plant/a/b"));
        assertFalse(TopicPolicies.matches("plant/+", "plant/a/b"));
        assertFalse(TopicPolicies.matches("plant/a", "plant/b"));
        assertTrue(TopicPolicies.matches("*", "anything/at/all"));
        assertTrue(TopicPolicies.matches("sluice/*", "sluice/a/b"));
        assertTrue(TopicPolicies.matches("sluice/*/samples", "sluice/x/y/samples"));
        assertFalse(TopicPolicies.matches("sluice/*/samples", "sluice/x/other"));
        assertTrue(TopicPolicies.matches("a.b/c", "a.b/c"));
        assertFalse(TopicPolicies.matches("a.b/c", "axb/c"));
    }
}
