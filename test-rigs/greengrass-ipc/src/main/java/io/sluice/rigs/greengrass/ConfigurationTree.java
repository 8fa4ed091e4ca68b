package io.sluice.rigs.greengrass;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A component's configuration as the nucleus keeps it: a tree of maps with scalar or list leaves, addressed by key
 * paths ({@code ["streams", "telemetry", "priority"]}). Holds the helpers the stand-in needs to answer
 * {@code GetConfiguration} and to tell subscribers which key paths a deployment changed.
 */
public final class ConfigurationTree {

    private ConfigurationTree() {}

    /** The node at {@code keyPath} ({@code []} is the root), or empty when a key on the way is missing. */
    public static Optional<Object> lookup(Map<String, Object> root, List<String> keyPath) {
        Object node = root;
        for (String key : keyPath) {
            if (!(node instanceof Map<?, ?> map) || !map.containsKey(key)) {
                return Optional.empty();
            }
            node = map.get(key);
        }
        return Optional.ofNullable(node);
    }

    /**
     * What {@code GetConfiguration} answers for {@code keyPath}: the map itself for a map node, or
     * {@code {lastKey: value}} for a leaf, as the nucleus does.
     */
    @SuppressWarnings("unchecked")
    public static Optional<Map<String, Object>> valueFor(Map<String, Object> root, List<String> keyPath) {
        return lookup(root, keyPath).map(node -> {
            if (node instanceof Map<?, ?> map) {
                return (Map<String, Object>) deepCopy(map);
            }
            Map<String, Object> wrapped = new LinkedHashMap<>();
            wrapped.put(keyPath.get(keyPath.size() - 1), deepCopyValue(node));
            return wrapped;
        });
    }

    /**
     * The key paths of every leaf that differs between {@code before} and {@code after} (added, removed or changed),
     * in document order. A node that turns from a map into a leaf (or back) is reported at its own path.
     */
    public static List<List<String>> changedPaths(Map<String, Object> before, Map<String, Object> after) {
        List<List<String>> out = new ArrayList<>();
        diff(before, after, new ArrayList<>(), out);
        return out;
    }

    private static void diff(Object before, Object after, List<String> path, List<List<String>> out) {
        if (before instanceof Map<?, ?> b && after instanceof Map<?, ?> a) {
            for (Map.Entry<?, ?> e : b.entrySet()) {
                String key = String.valueOf(e.getKey());
                path.add(key);
                if (a.containsKey(key)) {
                    diff(e.getValue(), a.get(key), path, out);
                } else {
                    leaves(e.getValue(), path, out);
                }
                path.remove(path.size() - 1);
            }
            for (Map.Entry<?, ?> e : a.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (!b.containsKey(key)) {
                    path.add(key);
                    leaves(e.getValue(), path, out);
                    path.remove(path.size() - 1);
                }
            }
        } else if (before instanceof Map<?, ?> || after instanceof Map<?, ?>) {
            out.add(List.copyOf(path));
        } else if (!Objects.equals(normalise(before), normalise(after))) {
            out.add(List.copyOf(path));
        }
    }

    private static void leaves(Object node, List<String> path, List<List<String>> out) {
        if (node instanceof Map<?, ?> map && !map.isEmpty()) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                path.add(String.valueOf(e.getKey()));
                leaves(e.getValue(), path, out);
                path.remove(path.size() - 1);
            }
        } else {
            out.add(List.copyOf(path));
        }
    }

    /** Numbers compare by value, so {@code 5} and {@code 5.0} (JSON round trips) are the same leaf. */
    private static Object normalise(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ConfigurationTree::normalise).toList();
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> m = new LinkedHashMap<>();
            map.forEach((k, v) -> m.put(k, normalise(v)));
            return m;
        }
        return value;
    }

    /**
     * A Greengrass merge update: maps merge key by key, recursively; any other value in {@code update} replaces the
     * one in {@code base}. Neither argument is modified.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> update) {
        Map<String, Object> result = deepCopy(base);
        for (Map.Entry<String, Object> e : update.entrySet()) {
            Object existing = result.get(e.getKey());
            if (existing instanceof Map<?, ?> em && e.getValue() instanceof Map<?, ?> um) {
                result.put(e.getKey(), merge((Map<String, Object>) em, (Map<String, Object>) um));
            } else {
                result.put(e.getKey(), deepCopyValue(e.getValue()));
            }
        }
        return result;
    }

    /** A copy of {@code base} without the node at {@code keyPath} (a Greengrass reset of that path to nothing). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> remove(Map<String, Object> base, List<String> keyPath) {
        Map<String, Object> result = deepCopy(base);
        if (keyPath.isEmpty()) {
            return new LinkedHashMap<>();
        }
        Object node = result;
        for (int i = 0; i < keyPath.size() - 1; i++) {
            if (!(node instanceof Map<?, ?> map)) {
                return result;
            }
            node = map.get(keyPath.get(i));
        }
        if (node instanceof Map<?, ?> map) {
            ((Map<String, Object>) map).remove(keyPath.get(keyPath.size() - 1));
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> deepCopy(Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(String.valueOf(k), deepCopyValue(v)));
        return copy;
    }

    private static Object deepCopyValue(Object value) {
        if (value instanceof Map<?, ?> m) {
            return deepCopy(m);
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>(l.size());
            l.forEach(v -> copy.add(deepCopyValue(v)));
            return copy;
        }
        return value;
    }
}
