package io.sluice.runtime.config;

import io.sluice.runtime.route.Glob;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * What a config does that runs but is probably not meant. Read from the YAML nodes, not the bound records, so the
 * warnings are there even when other parts of the file have problems:
 * <ul>
 *   <li>a stream exported nowhere (its samples wait until {@code ttl} or {@code max-size} drops them), unless it is a
 *       destination's dead-letter stream;</li>
 *   <li>a destination no stream exports to (nor any destination names as its {@code fallback});</li>
 *   <li>a route that can match nothing: its connector glob names no connector, or an earlier route takes every tag
 *       of the same connectors (first match wins).</li>
 * </ul>
 */
final class ConfigWarnings {

    private ConfigWarnings() {}

    static void find(Node root, ConfigBinder binder, Map<String, StreamConfig> boundStreams, List<RouteConfig> routes,
                     Map<String, Node> connectorNodes, Map<String, Node> destinationNodes) {
        Node streamsNode = ConfigBinder.find(root, "streams");
        Map<String, Node> streamNodes = streamsNode instanceof MappingNode ? mapping(streamsNode) : Map.of();
        Map<String, Node> streamKeys = keys(streamsNode);
        Map<String, Node> destinationKeys = keys(ConfigBinder.find(root, "destinations"));
        Set<String> deadLetter = new HashSet<>();
        destinationNodes.forEach((name, node) -> {
            String explicit = scalar(mapping(node).get("dead-letter-stream"));
            deadLetter.add(explicit != null ? explicit : name + "-dead-letter");
        });
        Set<String> exported = new LinkedHashSet<>();
        streamNodes.forEach((name, node) -> {
            Node export = mapping(node).get("export");
            int count = 0;
            if (export instanceof SequenceNode seq) {
                for (Node item : seq.getValue()) {
                    String destination = scalar(mapping(item).get("destination"));
                    if (destination != null) exported.add(destination);
                    count++;
                }
            }
            if (count == 0 && !deadLetter.contains(name)) {
                binder.warning(streamKeys.get(name), "streams." + name, "exported nowhere: its samples stay in the store until ttl or "
                        + "max-size drops them (add `export:` entries, or ignore this for a local buffer)");
            }
        });
        destinationNodes.forEach((name, node) -> {
            String fallback = scalar(mapping(node).get("fallback"));
            if (fallback != null) exported.add(fallback); // its fallback stream exports to it
        });
        destinationNodes.forEach((name, node) -> {
            if (!exported.contains(name)) {
                binder.warning(destinationKeys.get(name), "destinations." + name, "unused: no stream exports to it (add it to a stream's `export:`)");
            }
        });
        if (routes == null) return;
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig route = routes.get(i);
            String path = "routes[" + i + "]";
            Node at = ConfigBinder.find(root, path);
            Glob connector;
            try {
                connector = Glob.compile(route.connector());
            } catch (IllegalArgumentException e) {
                continue; // reported as a problem
            }
            if (connectorNodes.keySet().stream().noneMatch(connector::matches)) {
                binder.warning(at, path, "matches nothing: connector '" + route.connector() + "' names no connector"
                        + (connectorNodes.isEmpty() ? "" : " (defined: " + connectorNodes.keySet() + ")"));
                continue;
            }
            for (int j = 0; j < i; j++) {
                RouteConfig earlier = routes.get(j);
                boolean sameConnectors = earlier.connector().equals("*") || earlier.connector().equals(route.connector());
                if (sameConnectors && earlier.tags().equals("*")) {
                    binder.warning(at, path, "matches nothing: routes[" + j + "] takes every tag of connector '"
                            + earlier.connector() + "' first (first match wins)");
                    break;
                }
            }
        }
    }

    private static Map<String, Node> mapping(Node node) {
        Map<String, Node> out = new java.util.LinkedHashMap<>();
        if (node instanceof MappingNode m) {
            m.getValue().forEach(t -> {
                if (t.getKeyNode() instanceof ScalarNode k) out.putIfAbsent(k.getValue(), t.getValueNode());
            });
        }
        return out;
    }

    /** The key nodes of a mapping (where a warning about an entry points). */
    private static Map<String, Node> keys(Node node) {
        Map<String, Node> out = new java.util.LinkedHashMap<>();
        if (node instanceof MappingNode m) {
            m.getValue().forEach(t -> {
                if (t.getKeyNode() instanceof ScalarNode k) out.putIfAbsent(k.getValue(), k);
            });
        }
        return out;
    }

    private static String scalar(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : null;
    }
}
