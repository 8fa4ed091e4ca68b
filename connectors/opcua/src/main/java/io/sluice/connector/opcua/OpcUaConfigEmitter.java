package io.sluice.connector.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import io.sluice.spi.Durations;
import io.sluice.spi.config.YamlText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.milo.opcua.sdk.client.BrowseHelper;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExtensionObject;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UByte;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseDirection;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseResultMask;
import org.eclipse.milo.opcua.stack.core.types.enumerated.NodeClass;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.EUInformation;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;
import org.eclipse.milo.opcua.stack.core.types.structured.ReferenceDescription;

/**
 * {@code sluice opcua browse --emit-config}: the variables below a node as a connector entry to paste under
 * {@code connectors:}, one group with a node per variable, addressed by {@code nsu=} node id (stable when the
 * server's namespace indexes change), with the engineering unit from the variable's {@code EngineeringUnits}
 * property and its data type and access level as comments. Variables that cannot be read are listed as comments.
 */
final class OpcUaConfigEmitter {

    /** A browsed variable, as the emitter needs it (no Milo types: the emitter is tested on its own). */
    record Variable(String path, String nodeId, String dataType, boolean array, boolean readable, String access,
                    Optional<String> unit) {}

    /** What the connector entry says about where and how to connect. */
    record Connection(String name, String stream, String endpoint, String securityPolicy, Optional<String> securityMode,
                      Optional<String> username, Optional<String> passwordEnv) {}

    private OpcUaConfigEmitter() {}

    /** The connector entry (indented by two, for {@code connectors:}), headed by comments saying how it was made. */
    static String emit(String command, Connection c, String groupName, List<Variable> variables) {
        StringBuilder sb = new StringBuilder();
        long readable = variables.stream().filter(Variable::readable).count();
        if (readable == 0) {
            throw new IllegalArgumentException("no readable variables found" + (variables.isEmpty() ? "" : " (" + variables.size()
                    + " not readable)") + "; try a larger --depth or another --path");
        }
        sb.append("# written by `").append(command).append("`: ").append(readable).append(" variable")
                .append(readable == 1 ? "" : "s").append(".\n");
        sb.append("# Paste under `connectors:`; stream '").append(c.stream()).append("' must be defined under `streams:`.\n");
        sb.append("  ").append(c.name()).append(":\n");
        sb.append("    type: opcua\n");
        sb.append("    stream: ").append(c.stream()).append('\n');
        sb.append("    endpoint: ").append(YamlText.quote(c.endpoint())).append('\n');
        if (!c.securityPolicy().equals("none")) sb.append("    security-policy: ").append(c.securityPolicy()).append('\n');
        c.securityMode().ifPresent(m -> sb.append("    security-mode: ").append(m).append('\n'));
        c.username().ifPresent(u -> sb.append("    username: ").append(YamlText.quote(u)).append('\n'));
        c.passwordEnv().ifPresent(e -> sb.append("    password: ${env:").append(e).append("}\n"));
        sb.append("    groups:\n");
        sb.append("      - name: ").append(YamlText.quote(groupName)).append('\n');
        sb.append("        nodes:\n");
        for (Variable v : variables) {
            String comment = "# " + v.dataType() + (v.array() ? "[]" : "") + ", " + v.access();
            if (!v.readable()) {
                sb.append("          ").append("# not readable, left out: ").append(v.nodeId()).append("  (").append(v.path())
                        .append(", ").append(v.access()).append(")\n");
                continue;
            }
            sb.append("          - node-id: ").append(YamlText.quote(v.nodeId())).append("   ").append(comment).append('\n');
            sb.append("            tag: ").append(YamlText.quote(tag(v.path()))).append('\n');
            v.unit().filter(u -> !u.isBlank()).ifPresent(u -> sb.append("            unit: ").append(YamlText.quote(u)).append('\n'));
        }
        return sb.toString();
    }

    /** A tag from a path below the browsed node: its browse names joined by dots ({@code Motor/Speed} → {@code Motor.Speed}). */
    static String tag(String path) {
        return path.replace('/', '.');
    }

    /** A group name from the browsed path: its last browse name in lower case, or {@code objects}. */
    static String groupName(String start) {
        String[] parts = start.split("/");
        String last = parts.length == 0 ? "" : parts[parts.length - 1];
        return YamlText.name(last, "objects");
    }


    /** Reads what the emitter needs about the variables below {@code root}, up to {@code depth} levels. */
    static List<Variable> collect(OpcUaClient client, Duration timeout, NodeId root, int depth, int maxNodes) {
        OpcUaBrowser browser = new OpcUaBrowser(client, timeout);
        OpcUaValues values = new OpcUaValues(client.getNamespaceTable(), client.getStaticEncodingContext());
        List<OpcUaBrowser.Found> found = browser.discover(root, depth, maxNodes, p -> true, new boolean[1]);
        NodeResolver reader = new NodeResolver(client, timeout);
        List<ReadValueId> reads = new ArrayList<>();
        for (OpcUaBrowser.Found f : found) {
            reads.add(new ReadValueId(f.nodeId(), AttributeId.DataType.uid(), null, QualifiedName.NULL_VALUE));
            reads.add(new ReadValueId(f.nodeId(), AttributeId.ValueRank.uid(), null, QualifiedName.NULL_VALUE));
            reads.add(new ReadValueId(f.nodeId(), AttributeId.AccessLevel.uid(), null, QualifiedName.NULL_VALUE));
        }
        List<DataValue> details = reads.isEmpty() ? List.of() : reader.readAll(reads);
        Map<NodeId, String> typeNames = typeNames(reader, values, details);
        Map<NodeId, String> units = units(client, timeout, reader, found);
        List<Variable> out = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            OpcUaBrowser.Found f = found.get(i);
            Object type = value(details.get(3 * i));
            Object rank = value(details.get(3 * i + 1));
            Object access = value(details.get(3 * i + 2));
            int bits = access instanceof UByte b ? b.intValue() : 0;
            out.add(new Variable(f.relativePath(), values.nodeIdText(f.nodeId()),
                    type instanceof NodeId t ? typeNames.getOrDefault(t, values.nodeIdText(t)) : "?",
                    rank instanceof Integer r && r >= 0, (bits & 1) != 0, accessText(bits),
                    Optional.ofNullable(units.get(f.nodeId()))));
        }
        return out;
    }

    private static Map<NodeId, String> typeNames(NodeResolver reader, OpcUaValues values, List<DataValue> details) {
        LinkedHashSet<NodeId> types = new LinkedHashSet<>();
        for (int i = 0; i < details.size(); i += 3) {
            if (value(details.get(i)) instanceof NodeId t) types.add(t);
        }
        List<NodeId> list = new ArrayList<>(types);
        List<ReadValueId> reads = list.stream()
                .map(t -> new ReadValueId(t, AttributeId.BrowseName.uid(), null, QualifiedName.NULL_VALUE)).toList();
        List<DataValue> names = reads.isEmpty() ? List.of() : reader.readAll(reads);
        Map<NodeId, String> out = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            out.put(list.get(i), value(names.get(i)) instanceof QualifiedName q ? q.name() : values.nodeIdText(list.get(i)));
        }
        return out;
    }

    /** The display name of each variable's EngineeringUnits property, where it has one. */
    private static Map<NodeId, String> units(OpcUaClient client, Duration timeout, NodeResolver reader, List<OpcUaBrowser.Found> found) {
        Map<NodeId, NodeId> propertyOf = new LinkedHashMap<>();
        for (OpcUaBrowser.Found f : found) {
            BrowseDescription d = new BrowseDescription(f.nodeId(), BrowseDirection.Forward, NodeIds.HasProperty, false,
                    uint(NodeClass.Variable.getValue()), uint(BrowseResultMask.All.getValue()));
            List<ReferenceDescription> refs = Durations.await(BrowseHelper.browse(client, d, uint(0)), timeout);
            for (ReferenceDescription r : refs) {
                if ("EngineeringUnits".equals(r.getBrowseName().name())) {
                    r.getNodeId().toNodeId(client.getNamespaceTable()).ifPresent(id -> propertyOf.put(f.nodeId(), id));
                }
            }
        }
        Map<NodeId, String> out = new LinkedHashMap<>();
        if (propertyOf.isEmpty()) return out;
        List<NodeId> variables = new ArrayList<>(propertyOf.keySet());
        List<DataValue> read = reader.readAll(variables.stream()
                .map(v -> new ReadValueId(propertyOf.get(v), AttributeId.Value.uid(), null, QualifiedName.NULL_VALUE)).toList());
        for (int i = 0; i < variables.size(); i++) {
            Object v = value(read.get(i));
            try {
                if (v instanceof ExtensionObject xo) v = xo.decode(client.getStaticEncodingContext());
            } catch (RuntimeException e) {
                continue; // an undecodable unit is left out, not guessed
            }
            if (v instanceof EUInformation eu && eu.getDisplayName() != null && eu.getDisplayName().text() != null) {
                out.put(variables.get(i), eu.getDisplayName().text());
            }
        }
        return out;
    }

    private static Object value(DataValue dv) {
        return dv.value() == null ? null : dv.value().value();
    }

    private static String accessText(int bits) {
        boolean read = (bits & 1) != 0;
        boolean write = (bits & 2) != 0;
        String rw = read && write ? "read/write" : read ? "read" : write ? "write" : "none";
        return (bits & 4) != 0 ? rw + ", history" : rw;
    }
}
