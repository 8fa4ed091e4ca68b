package io.sluice.connector.opcua;

import io.sluice.connector.opcua.OpcUaConnectorConfig.DeadbandType;
import io.sluice.connector.opcua.OpcUaConnectorConfig.EuRange;
import io.sluice.connector.opcua.OpcUaConnectorConfig.FolderSpec;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeSpec;
import io.sluice.spi.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExpandedNodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;

/**
 * Turns a group's node specs and folders into concrete nodes on the connected server. Runs after every (re)connect,
 * because namespace indexes and even node ids may change when a server restarts. A node that cannot be resolved is
 * reported and left out; it never stops the others.
 */
final class NodeResolver {

    /** A node ready to be monitored or polled. */
    record ResolvedNode(NodeId nodeId, String tag, double samplingMillis, int queueSize, DeadbandType deadbandType,
                        double deadband, EuRange euRange, String unit, String origin) {
    }

    /** A node that could not be resolved, with the config key path it came from. */
    record Problem(String origin, String message) {
    }

    record Result(List<ResolvedNode> nodes, List<Problem> problems) {
    }

    /** How many problems a health detail lists; the rest are counted. */
    static final int PROBLEMS_SHOWN = 5;

    /** {@code "6 node(s) skipped: groups[0].nodes[3]: ...; ...; and 1 more"}: every problem, up to {@code max}. */
    static String summary(List<Problem> problems, int max) {
        StringBuilder b = new StringBuilder(problems.size() + " node(s) skipped: ");
        for (int i = 0; i < Math.min(max, problems.size()); i++) {
            if (i > 0) b.append("; ");
            b.append(problems.get(i).origin()).append(": ").append(problems.get(i).message());
        }
        if (problems.size() > max) b.append("; and ").append(problems.size() - max).append(" more");
        return b.toString();
    }

    private final OpcUaClient client;
    private final OpcUaBrowser browser;
    private final Duration timeout;

    NodeResolver(OpcUaClient client, Duration timeout) {
        this.client = client;
        this.browser = new OpcUaBrowser(client, timeout);
        this.timeout = timeout;
    }

    Result resolve(NodeGroup group, String groupPath, Set<String> usedTags) {
        List<ResolvedNode> nodes = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        double groupSampling = group.samplingInterval().orElse(group.mode() == OpcUaConnectorConfig.AcquisitionMode.POLLING
                ? group.pollInterval() : group.publishingInterval()).toNanos() / 1e6;

        List<Integer> needNames = new ArrayList<>();
        List<NodeId> ids = new ArrayList<>();
        List<NodeSpec> specs = group.nodes();
        for (int i = 0; i < specs.size(); i++) {
            NodeSpec spec = specs.get(i);
            String origin = groupPath + ".nodes[" + i + "]";
            try {
                NodeId id;
                String browseName = null;
                if (spec.nodeId().isPresent()) {
                    ExpandedNodeId x = NodeAddress.parseNodeId(spec.nodeId().get());
                    id = x.toNodeId(client.getNamespaceTable()).orElseThrow(() -> new IllegalArgumentException(
                            "the server has no namespace " + x.getNamespaceUri()));
                } else {
                    List<NodeAddress.Segment> path = NodeAddress.parseBrowsePath(spec.browsePath().orElseThrow());
                    id = browser.resolve(path);
                    browseName = path.get(path.size() - 1).name();
                }
                double sampling = spec.samplingInterval().map(d -> d.toNanos() / 1e6).orElse(groupSampling);
                DeadbandType type = spec.deadbandType().orElse(group.deadbandType());
                double deadband = spec.deadband().orElse(group.deadband());
                EuRange range = spec.euRange().orElse(group.euRange().orElse(null));
                String tag = spec.tag().map(t -> group.tagPrefix() + t).orElse(browseName == null ? null : group.tagPrefix() + browseName);
                nodes.add(new ResolvedNode(id, tag, sampling, spec.queueSize().orElse(group.queueSize()), type, deadband,
                        range, spec.unit().orElse(null), origin));
                if (tag == null) {
                    needNames.add(nodes.size() - 1);
                    ids.add(id);
                }
            } catch (RuntimeException e) {
                problems.add(new Problem(origin, e.getMessage()));
            }
        }
        if (!needNames.isEmpty()) {
            List<ReadValueId> reads = ids.stream()
                    .map(id -> new ReadValueId(id, AttributeId.BrowseName.uid(), null, QualifiedName.NULL_VALUE)).toList();
            List<DataValue> names = readAll(reads);
            List<Integer> drop = new ArrayList<>();
            for (int k = 0; k < needNames.size(); k++) {
                int idx = needNames.get(k);
                ResolvedNode n = nodes.get(idx);
                DataValue dv = names.get(k);
                if (dv.statusCode() != null && dv.statusCode().isBad()) {
                    problems.add(new Problem(n.origin(), "node " + n.nodeId().toParseableString() + ": "
                            + OpcUaClients.statusName(dv.statusCode().value())));
                    drop.add(idx);
                } else {
                    Object v = dv.value() == null ? null : dv.value().value();
                    String name = v instanceof QualifiedName q ? q.name() : n.nodeId().getIdentifier().toString();
                    nodes.set(idx, new ResolvedNode(n.nodeId(), group.tagPrefix() + name, n.samplingMillis(), n.queueSize(),
                            n.deadbandType(), n.deadband(), n.euRange(), n.unit(), n.origin()));
                }
            }
            for (int k = drop.size() - 1; k >= 0; k--) nodes.remove((int) drop.get(k));
        }

        for (int f = 0; f < group.folders().size(); f++) {
            FolderSpec folder = group.folders().get(f);
            String origin = groupPath + ".folders[" + f + "]";
            try {
                NodeId root;
                if (NodeAddress.looksLikeNodeId(folder.root())) {
                    ExpandedNodeId x = NodeAddress.parseNodeId(folder.root());
                    root = x.toNodeId(client.getNamespaceTable()).orElseThrow(() -> new IllegalArgumentException(
                            "the server has no namespace " + x.getNamespaceUri()));
                } else {
                    root = browser.resolve(NodeAddress.parseBrowsePath(folder.root()));
                }
                List<Pattern> include = folder.include().stream().map(NodeAddress::glob).toList();
                List<Pattern> exclude = folder.exclude().stream().map(NodeAddress::glob).toList();
                boolean[] truncated = {false};
                List<OpcUaBrowser.Found> found = browser.discover(root, folder.maxDepth(), folder.maxNodes(),
                        p -> (include.isEmpty() || include.stream().anyMatch(r -> r.matcher(p).matches()))
                                && exclude.stream().noneMatch(r -> r.matcher(p).matches()), truncated);
                if (truncated[0]) {
                    problems.add(new Problem(origin + ".max-nodes", "more than " + folder.maxNodes()
                            + " variables below " + folder.root() + "; the rest are left out"));
                }
                if (found.isEmpty()) problems.add(new Problem(origin, "no variables found below " + folder.root()));
                for (OpcUaBrowser.Found v : found) {
                    nodes.add(new ResolvedNode(v.nodeId(), group.tagPrefix() + v.relativePath().replace('/', '.'),
                            groupSampling, group.queueSize(), group.deadbandType(), group.deadband(),
                            group.euRange().orElse(null), null, origin));
                }
            } catch (RuntimeException e) {
                problems.add(new Problem(origin, e.getMessage()));
            }
        }

        // one tag per node: a duplicate (e.g. the same variable picked twice) is reported and left out
        List<ResolvedNode> unique = new ArrayList<>(nodes.size());
        Set<NodeId> seenIds = new HashSet<>();
        for (ResolvedNode n : nodes) {
            if (!usedTags.add(n.tag())) {
                problems.add(new Problem(n.origin(), "tag '" + n.tag() + "' is produced twice; node " + n.nodeId().toParseableString() + " left out"));
            } else if (!seenIds.add(n.nodeId())) {
                problems.add(new Problem(n.origin(), "node " + n.nodeId().toParseableString() + " is selected twice in the group"));
            } else {
                unique.add(n);
            }
        }
        return new Result(unique, problems);
    }

    List<DataValue> readAll(List<ReadValueId> reads) {
        List<DataValue> out = new ArrayList<>(reads.size());
        int chunk = 1000;
        for (int i = 0; i < reads.size(); i += chunk) {
            List<ReadValueId> part = reads.subList(i, Math.min(reads.size(), i + chunk));
            var response = Durations.await(client.readAsync(0.0, TimestampsToReturn.Neither, part), timeout);
            DataValue[] results = response.getResults();
            out.addAll(List.of(results));
        }
        return out;
    }
}
