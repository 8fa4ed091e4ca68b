package io.sluice.gateway.greengrass;

import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Turns the component configuration the nucleus hands out ({@code GetConfiguration}, a JSON tree) into the text of a
 * gateway config file and validates it with the same {@link ConfigLoader} as {@code sluice validate}: the component
 * configuration has exactly the schema of the YAML file.
 *
 * <p>Two things are adjusted on the way:
 * <ul>
 *   <li>keys that belong to the recipe rather than to the gateway are left out: {@code accessControl} (the IPC
 *       authorization policies) and {@code jvmOptions} (read by the recipe's {@code Lifecycle.Startup});</li>
 *   <li>numbers come back from the IPC JSON as floating point ({@code 5} arrives as {@code 5.0}); whole numbers are
 *       turned back into integers so integer keys bind.</li>
 * </ul>
 */
public final class ComponentConfiguration {

    /** Top-level keys of the component configuration that are not gateway configuration. */
    public static final Set<String> RECIPE_KEYS = Set.of("accessControl", "jvmOptions");

    private ComponentConfiguration() {}

    /** The gateway part of a component configuration, with whole numbers as integers. */
    public static Map<String, Object> gatewayPart(Map<String, ?> componentConfiguration) {
        Map<String, Object> out = new LinkedHashMap<>();
        componentConfiguration.forEach((k, v) -> {
            if (!RECIPE_KEYS.contains(k)) {
                out.put(k, normalise(v));
            }
        });
        return out;
    }

    /** The gateway part as YAML text, as it would be written in a config file. */
    public static String toYaml(Map<String, ?> componentConfiguration) {
        Map<String, Object> gateway = gatewayPart(componentConfiguration);
        if (gateway.isEmpty()) {
            return "{}\n";
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setWidth(160);
        return new Yaml(options).dump(gateway);
    }

    /**
     * Validates and binds; throws {@link io.sluice.runtime.config.ConfigException} listing every problem with its key
     * path. {@code source} names the origin in messages, e.g. {@code greengrass:io.sluice.Gateway}.
     */
    public static GatewayConfig parse(Map<String, ?> componentConfiguration, String source) {
        return ConfigLoader.parse(toYaml(componentConfiguration), source);
    }

    /** As {@link #parse(Map, String)} with a given loader (its plugins discovered once, when it was made). */
    public static GatewayConfig parse(ConfigLoader loader, Map<String, ?> componentConfiguration, String source) {
        return loader.parseText(toYaml(componentConfiguration), source);
    }

    private static Object normalise(Object value) {
        if (value instanceof Double d && Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 9.0e15) {
            return d.longValue();
        }
        if (value instanceof Float f && Float.isFinite(f) && f == Math.rint(f) && Math.abs(f) < 1.0e7f) {
            return f.longValue();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), normalise(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(normalise(v)));
            return out;
        }
        return value;
    }
}
