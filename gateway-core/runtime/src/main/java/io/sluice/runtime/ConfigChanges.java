package io.sluice.runtime;

import io.sluice.runtime.config.GatewayConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * What applying one configuration over another changes, in the words of the log: {@code connectors added [b];
 * streams telemetry priority 5 -> 2}. The same test {@link Gateway#reconfigure} uses to decide what restarts
 * ({@code sameAs}); shared by Greengrass configuration updates and standalone reloads.
 */
public final class ConfigChanges {

    private ConfigChanges() {}

    /** The changes, one entry each; empty when applying {@code after} would change nothing. */
    public static List<String> between(GatewayConfig before, GatewayConfig after) {
        List<String> parts = new ArrayList<>();
        changes(parts, "connectors", before.connectors(), after.connectors(), (a, b) -> a.sameAs(b));
        changes(parts, "destinations", before.destinations(), after.destinations(), (a, b) -> a.sameAs(b));
        changes(parts, "streams", before.streams(), after.streams(), Object::equals);
        after.streams().forEach((name, stream) -> {
            var old = before.streams().get(name);
            if (old != null && old.priority() != stream.priority()) {
                parts.add("stream " + name + " priority " + old.priority() + " -> " + stream.priority());
            }
        });
        if (!before.routes().equals(after.routes())) parts.add("routes changed");
        if (!before.assets().equals(after.assets())) parts.add("asset rules changed");
        if (!before.store().equals(after.store())) {
            parts.add("store settings changed (the data directory and file settings apply at the next start)");
        }
        if (!java.util.Objects.equals(before.admin(), after.admin())) {
            parts.add("admin endpoint settings changed (they apply at the next start)");
        }
        if (!java.util.Objects.equals(before.logging(), after.logging())) {
            parts.add("logging settings changed (they apply at the next start)");
        }
        return parts;
    }

    /** {@link #between} on one line, or {@code no effective change}. */
    public static String describe(GatewayConfig before, GatewayConfig after) {
        List<String> parts = between(before, after);
        return parts.isEmpty() ? "no effective change" : String.join("; ", parts);
    }

    private static <T> void changes(List<String> parts, String what, Map<String, T> before, Map<String, T> after, BiPredicate<T, T> same) {
        List<String> added = after.keySet().stream().filter(k -> !before.containsKey(k)).sorted().toList();
        List<String> removed = before.keySet().stream().filter(k -> !after.containsKey(k)).sorted().toList();
        List<String> changed = after.keySet().stream()
                .filter(k -> before.containsKey(k) && !same.test(before.get(k), after.get(k))).sorted().toList();
        if (!added.isEmpty()) parts.add(what + " added " + added);
        if (!removed.isEmpty()) parts.add(what + " removed " + removed);
        if (!changed.isEmpty()) parts.add(what + " changed " + changed);
    }
}
