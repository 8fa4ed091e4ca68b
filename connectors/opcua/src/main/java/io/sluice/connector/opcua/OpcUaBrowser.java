package io.sluice.connector.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import io.sluice.spi.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.eclipse.milo.opcua.sdk.client.BrowseHelper;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseDirection;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseResultMask;
import org.eclipse.milo.opcua.stack.core.types.enumerated.NodeClass;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.ReferenceDescription;

/** Browsing for browse-path resolution, folder discovery and the {@code sluice opcua browse} tree. */
final class OpcUaBrowser {

    /** A variable found below a folder: its path relative to the folder ({@code A/B/Speed}) and its node id. */
    record Found(String relativePath, NodeId nodeId, String browseName) {
    }

    /** A child in the address space. */
    record Child(NodeId nodeId, String namespaceUri, String browseName, NodeClass nodeClass, NodeId typeDefinition) {
    }

    private final OpcUaClient client;
    private final Duration timeout;
    private final Map<NodeId, List<Child>> cache = new HashMap<>();

    OpcUaBrowser(OpcUaClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /** Hierarchical children (Objects and Variables; no properties) of a node, cached. */
    List<Child> children(NodeId node) {
        List<Child> cached = cache.get(node);
        if (cached != null) return cached;
        BrowseDescription description = new BrowseDescription(node, BrowseDirection.Forward, NodeIds.HierarchicalReferences,
                true, uint(NodeClass.Object.getValue() | NodeClass.Variable.getValue()),
                uint(BrowseResultMask.All.getValue()));
        List<ReferenceDescription> refs = Durations.await(BrowseHelper.browse(client, description, uint(0)), timeout);
        List<Child> children = new ArrayList<>(refs.size());
        for (ReferenceDescription r : refs) {
            if (NodeIds.HasProperty.equals(r.getReferenceTypeId())) continue;
            r.getNodeId().toNodeId(client.getNamespaceTable()).ifPresent(id -> children.add(new Child(id,
                    client.getNamespaceTable().get(r.getBrowseName().getNamespaceIndex()),
                    r.getBrowseName().name(), r.getNodeClass(),
                    r.getTypeDefinition() == null ? null : r.getTypeDefinition().toNodeId(client.getNamespaceTable()).orElse(null))));
        }
        cache.put(node, children);
        return children;
    }

    /** Resolves a browse path from the Objects folder; throws IllegalArgumentException naming the missing segment. */
    NodeId resolve(List<NodeAddress.Segment> path) {
        NodeId current = NodeIds.ObjectsFolder;
        StringBuilder walked = new StringBuilder();
        for (NodeAddress.Segment segment : path) {
            List<Child> matches = children(current).stream()
                    .filter(c -> segment.matches(c.namespaceUri(), c.browseName())).toList();
            if (matches.isEmpty()) {
                throw new IllegalArgumentException("no node '" + segment + "' below " + (walked.length() == 0 ? "/Objects" : walked));
            }
            if (matches.size() > 1 && matches.stream().map(Child::nodeId).distinct().count() > 1) {
                throw new IllegalArgumentException("'" + segment + "' below " + (walked.length() == 0 ? "/Objects" : walked)
                        + " is ambiguous (several namespaces); write it as [<namespace URI>]" + segment.name());
            }
            current = matches.get(0).nodeId();
            walked.append('/').append(segment.name());
        }
        return current;
    }

    /** The variables below a folder, breadth first, up to {@code maxDepth} levels and {@code maxNodes} variables. */
    List<Found> discover(NodeId root, int maxDepth, int maxNodes, Predicate<String> accept, boolean[] truncated) {
        List<Found> found = new ArrayList<>();
        record Pending(NodeId node, String path, int depth) {
        }
        List<Pending> level = List.of(new Pending(root, "", 0));
        java.util.Set<NodeId> visited = new java.util.HashSet<>();
        visited.add(root);
        while (!level.isEmpty()) {
            List<Pending> next = new ArrayList<>();
            for (Pending p : level) {
                for (Child c : children(p.node())) {
                    String path = p.path().isEmpty() ? c.browseName() : p.path() + "/" + c.browseName();
                    if (c.nodeClass() == NodeClass.Variable) {
                        if (accept.test(path)) {
                            if (found.size() >= maxNodes) {
                                truncated[0] = true;
                                return found;
                            }
                            found.add(new Found(path, c.nodeId(), c.browseName()));
                        }
                    } else if (p.depth() + 1 < maxDepth && visited.add(c.nodeId())) {
                        next.add(new Pending(c.nodeId(), path, p.depth() + 1));
                    }
                }
            }
            level = next;
        }
        return found;
    }
}
