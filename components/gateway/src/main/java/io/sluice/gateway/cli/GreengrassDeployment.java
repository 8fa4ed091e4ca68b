package io.sluice.gateway.cli;

import io.sluice.runtime.Plugins;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.destination.DestinationFactory;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.Yaml;

/**
 * What a Greengrass deployment of a gateway config needs: the IPC {@code accessControl} the nucleus checks before
 * {@code PublishToIoTCore} / {@code PublishToTopic}, derived from the topics the config's destinations publish to, and
 * the deployment document that merges the config into the {@code io.sluice.Gateway} component.
 *
 * <p>A topic template becomes one resource: its levels up to the first placeholder, then a wildcard ({@code #} for IoT
 * Core, {@code *} for the local bus, as the recipe writes them); a template without placeholders is allowed exactly.
 */
final class GreengrassDeployment {

    static final String COMPONENT = "io.sluice.Gateway";
    static final String IOT_CORE = "aws.greengrass#PublishToIoTCore";
    static final String LOCAL_BUS = "aws.greengrass#PublishToTopic";

    private GreengrassDeployment() {}

    /** IPC operation -> the topic resources it needs, from the destinations of a config (YAML or JSON text). */
    static Map<String, Set<String>> publishTopics(String configText) {
        Object doc = new Yaml().load(configText);
        Map<String, Set<String>> out = new LinkedHashMap<>();
        if (!(doc instanceof Map<?, ?> root) || !(root.get("destinations") instanceof Map<?, ?> destinations)) return out;
        Plugins plugins = Plugins.discover();
        for (Object value : destinations.values()) {
            if (!(value instanceof Map<?, ?> d) || Boolean.FALSE.equals(d.get("enabled"))) continue;
            String type = String.valueOf(d.get("type"));
            DestinationFactory<?> factory = plugins.destinations().get(type);
            if (factory == null) continue;
            if (type.equals("iotcore") && "greengrass-ipc".equals(valueOrDefault(d, "transport", factory.configType()))) {
                out.computeIfAbsent(IOT_CORE, k -> new TreeSet<>()).add(resource(valueOrDefault(d, "topic", factory.configType()), "#"));
            } else if (type.equals("greengrass-pubsub")) {
                out.computeIfAbsent(LOCAL_BUS, k -> new TreeSet<>()).add(resource(valueOrDefault(d, "topic", factory.configType()), "*"));
            }
        }
        return out;
    }

    /** The key's value as written, or the {@link DefaultValue} of the config record's component. */
    private static String valueOrDefault(Map<?, ?> destination, String key, Class<? extends Record> configType) {
        Object written = destination.get(key);
        if (written != null) return String.valueOf(written);
        for (RecordComponent c : configType.getRecordComponents()) {
            DefaultValue dv = c.getAnnotation(DefaultValue.class);
            if (dv != null && kebab(c.getName()).equals(key)) {
                return dv.value();
            }
        }
        return null;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** The levels of a topic template before its first placeholder, then {@code wildcard}. */
    static String resource(String template, String wildcard) {
        if (template == null) return wildcard;
        if (!template.contains("{")) return template;
        List<String> levels = new ArrayList<>();
        for (String level : template.split("/", -1)) {
            if (level.contains("{")) break;
            levels.add(level);
        }
        levels.add(wildcard);
        return String.join("/", levels);
    }

    /** The component configuration's {@code accessControl} for these operations and topics. */
    static Map<String, Object> accessControl(Map<String, Set<String>> topics) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (topics.containsKey(IOT_CORE)) {
            out.put("aws.greengrass.ipc.mqttproxy", Map.of(COMPONENT + ":mqttproxy:1", policy(
                    "Lets Sluice publish samples to AWS IoT Core through the nucleus.", IOT_CORE, topics.get(IOT_CORE))));
        }
        if (topics.containsKey(LOCAL_BUS)) {
            out.put("aws.greengrass.ipc.pubsub", Map.of(COMPONENT + ":pubsub:1", policy(
                    "Lets Sluice publish samples on the local publish/subscribe bus.", LOCAL_BUS, topics.get(LOCAL_BUS))));
        }
        return out;
    }

    private static Map<String, Object> policy(String description, String operation, Set<String> resources) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("policyDescription", description);
        p.put("operations", List.of(operation));
        p.put("resources", List.copyOf(resources));
        return p;
    }

    /** {@code accessControl:} as YAML lines for a component configuration file (empty when nothing is published). */
    static String accessControlYaml(Map<String, Object> accessControl) {
        if (accessControl.isEmpty()) return "";
        StringBuilder sb = new StringBuilder("accessControl:                    # IPC authorization, derived from the destinations' topics\n");
        accessControl.forEach((service, policies) -> {
            sb.append("  ").append(service).append(":\n");
            ((Map<?, ?>) policies).forEach((id, p) -> {
                Map<?, ?> policy = (Map<?, ?>) p;
                sb.append("    \"").append(id).append("\":\n");
                sb.append("      policyDescription: ").append(policy.get("policyDescription")).append("\n");
                sb.append("      operations: [\"").append(((List<?>) policy.get("operations")).get(0)).append("\"]\n");
                sb.append("      resources:\n");
                for (Object r : (List<?>) policy.get("resources")) sb.append("        - \"").append(r).append("\"\n");
            });
        });
        return sb.toString();
    }
}
