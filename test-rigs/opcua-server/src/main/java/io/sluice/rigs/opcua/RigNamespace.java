package io.sluice.rigs.opcua;

import java.util.List;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExtensionObject;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.HistoryData;
import org.eclipse.milo.opcua.stack.core.types.structured.HistoryReadDetails;
import org.eclipse.milo.opcua.stack.core.types.structured.HistoryReadResult;
import org.eclipse.milo.opcua.stack.core.types.structured.HistoryReadValueId;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadRawModifiedDetails;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.eclipse.milo.opcua.sdk.core.AccessLevel;
import org.eclipse.milo.opcua.sdk.core.Reference;
import org.eclipse.milo.opcua.sdk.core.ValueRank;
import org.eclipse.milo.opcua.sdk.core.ValueRanks;
import org.eclipse.milo.opcua.sdk.core.types.DynamicStructType;
import org.eclipse.milo.opcua.sdk.core.types.codec.DynamicStructCodec;
import org.eclipse.milo.opcua.sdk.core.typetree.DataType;
import org.eclipse.milo.opcua.sdk.core.typetree.DataTypeTree;
import org.eclipse.milo.opcua.sdk.server.ManagedNamespaceWithLifecycle;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.items.DataItem;
import org.eclipse.milo.opcua.sdk.server.items.MonitoredItem;
import org.eclipse.milo.opcua.sdk.server.model.objects.DataTypeEncodingTypeNode;
import org.eclipse.milo.opcua.sdk.server.model.variables.AnalogItemTypeNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaDataTypeNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaFolderNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaVariableNode;
import org.eclipse.milo.opcua.sdk.server.nodes.filters.AttributeFilters;
import org.eclipse.milo.opcua.sdk.server.util.SubscriptionModel;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExtensionObject;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.enumerated.StructureType;
import org.eclipse.milo.opcua.stack.core.types.structured.Range;
import org.eclipse.milo.opcua.stack.core.types.structured.StructureDefinition;
import org.eclipse.milo.opcua.stack.core.types.structured.StructureField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rig's address space under {@code Objects/Rig}. Values are pushed to monitored items on every change (the rig
 * is exception-based: every change reaches the item, which applies its own filter and queue), so tests can compute
 * exactly what a client must receive.
 */
final class RigNamespace extends ManagedNamespaceWithLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(RigNamespace.class);

    /** One variable the rig changes. */
    static final class RigNode {
        final String path;
        final UaVariableNode node;
        final LongFunction<Variant> valueAt;
        final List<DataItem> items = new CopyOnWriteArrayList<>();
        volatile long step = 1;
        volatile DateTime stepTime = DateTime.now();
        private volatile DataValue cached;
        private volatile long cachedStep;

        RigNode(String path, UaVariableNode node, LongFunction<Variant> valueAt) {
            this.path = path;
            this.node = node;
            this.valueAt = valueAt;
        }

        /**
         * The value at the current step; computed only when someone asks. Its source time is the time of the step (when
         * the simulated device changed it), its server time the moment the server built the value, as a server in front
         * of devices stamps what it receives.
         */
        DataValue current() {
            long s = step;
            DataValue v = cached;
            if (v == null || cachedStep != s) {
                v = new DataValue(valueAt.apply(s), StatusCode.GOOD, stepTime, DateTime.now());
                cached = v;
                cachedStep = s;
            }
            return v;
        }

        /** Past values, oldest first, at most the configured history depth (empty when there is no history). */
        final java.util.ArrayDeque<DataValue> history = new java.util.ArrayDeque<>();

        /** Moves to the next step at time {@code now}; pushes the new value to the monitored items, if any. */
        void advance(DateTime now, int historyDepth) {
            stepTime = now;
            step++;
            if (historyDepth > 0) {
                DataValue value = current();
                synchronized (history) {
                    if (history.size() >= historyDepth) history.removeFirst();
                    history.addLast(value);
                }
            }
            if (!items.isEmpty()) {
                DataValue value = current();
                for (DataItem item : items) {
                    if (item.isSamplingEnabled()) item.setValue(value);
                }
            }
        }
    }

    private final RigServerConfig config;
    private final SubscriptionModel subscriptionModel;
    private final Map<NodeId, RigNode> nodes = new ConcurrentHashMap<>();
    private final Map<String, RigNode> byPath = new LinkedHashMap<>();
    private final AtomicLong changes = new AtomicLong();
    private DataType readingType;

    RigNamespace(OpcUaServer server, RigServerConfig config) {
        super(server, RigServer.NAMESPACE_URI);
        this.config = config;
        this.subscriptionModel = new SubscriptionModel(server, this);
        getLifecycleManager().addLifecycle(subscriptionModel);
        getLifecycleManager().addStartupTask(this::createNodes);
    }

    /**
     * HistoryRead, raw values only: the values a node kept (see {@code historyDepth}) whose source time lies in
     * [startTime, endTime), oldest first, at most numValuesPerNode (0 = all); no continuation points.
     */
    @Override
    public List<HistoryReadResult> historyRead(HistoryReadContext context, HistoryReadDetails details,
                                               TimestampsToReturn timestamps, List<HistoryReadValueId> ids) {
        List<HistoryReadResult> results = new java.util.ArrayList<>(ids.size());
        for (HistoryReadValueId id : ids) {
            RigNode node = nodes.get(id.getNodeId());
            if (!(details instanceof ReadRawModifiedDetails raw) || Boolean.TRUE.equals(raw.getIsReadModified())) {
                results.add(new HistoryReadResult(new StatusCode(StatusCodes.Bad_HistoryOperationUnsupported), null, null));
            } else if (node == null || config.historyDepth() == 0) {
                results.add(new HistoryReadResult(new StatusCode(StatusCodes.Bad_HistoryOperationUnsupported), null, null));
            } else {
                long start = raw.getStartTime().getUtcTime();
                long end = raw.getEndTime() == null || raw.getEndTime().getUtcTime() <= 0 ? Long.MAX_VALUE
                        : raw.getEndTime().getUtcTime();
                long limit = raw.getNumValuesPerNode() == null || raw.getNumValuesPerNode().longValue() == 0
                        ? Long.MAX_VALUE : raw.getNumValuesPerNode().longValue();
                List<DataValue> values = new java.util.ArrayList<>();
                synchronized (node.history) {
                    for (DataValue v : node.history) {
                        long t = v.sourceTime().getUtcTime();
                        if (t >= start && t < end && values.size() < limit) values.add(v);
                    }
                }
                results.add(new HistoryReadResult(StatusCode.GOOD, null, ExtensionObject.encode(
                        getServer().getStaticEncodingContext(), new HistoryData(values.toArray(DataValue[]::new)))));
            }
        }
        return results;
    }

    Map<String, RigNode> nodesByPath() {
        return byPath;
    }

    long changeCount() {
        return changes.get();
    }

    int dataItemCount() {
        return nodes.values().stream().mapToInt(n -> n.items.size()).sum();
    }

    private void createNodes() {
        UaFolderNode root = folder("Rig", null);
        root.addReference(new Reference(root.getNodeId(), NodeIds.Organizes, NodeIds.ObjectsFolder.expanded(), false));

        UaFolderNode scalars = folder("Rig/Scalars", root);
        for (RigValues.ScalarType type : RigValues.ScalarType.values()) {
            for (int i = 0; i < config.scalarsPerType(); i++) {
                variable(scalars, type.browseName() + "_" + i, type.dataType(), ValueRank.Scalar.getValue(),
                        n -> new Variant(type.valueAt(n, getNamespaceIndex())));
            }
        }

        UaFolderNode arrays = folder("Rig/Arrays", root);
        for (RigValues.ScalarType type : RigValues.ARRAY_TYPES) {
            variable(arrays, type.browseName() + "Array", type.dataType(), ValueRank.OneDimension.getValue(), n -> {
                Object first = type.valueAt(n, getNamespaceIndex());
                Object array = Array.newInstance(first.getClass(), RigValues.ARRAY_LENGTH);
                for (int k = 0; k < RigValues.ARRAY_LENGTH; k++) Array.set(array, k, type.valueAt(n + k, getNamespaceIndex()));
                return new Variant(array);
            });
        }

        UaFolderNode structures = folder("Rig/Structures", root);
        try {
            readingType = registerReadingType();
            variable(structures, "Reading", readingType.getNodeId(), ValueRank.Scalar.getValue(), this::readingAt);
        } catch (Exception e) {
            LOG.warn("could not register the RigReading structure type: {}", e.toString());
        }

        UaFolderNode dynamic = folder("Rig/Dynamic", root);
        variable(dynamic, "Ramp", NodeIds.Double, ValueRank.Scalar.getValue(), n -> new Variant((double) n));
        analog(dynamic, "Analog");

        if (config.loadNodes() > 0) {
            UaFolderNode load = folder("Rig/Load", root);
            for (int i = 0; i < config.loadNodes(); i++) {
                double offset = i / 100_000.0;
                variable(load, String.format("Node_%05d", i), NodeIds.Double, ValueRank.Scalar.getValue(),
                        n -> new Variant(n + offset));
            }
        }
    }

    /** The structure value at step n: temperature, pressure, count, label, ok. */
    private Variant readingAt(long n) {
        LinkedHashMap<String, Object> members = new LinkedHashMap<>();
        members.put("temperature", 20.0 + n * 0.5);
        members.put("pressure", 1.0 + n * 0.01);
        members.put("count", uint(n));
        members.put("label", "reading-" + n);
        members.put("ok", n % 2 == 0);
        DynamicStructType value = new DynamicStructType(readingType, members);
        return Variant.ofExtensionObject(ExtensionObject.encode(getServer().getDynamicEncodingContext(), value));
    }

    private DataType registerReadingType() throws Exception {
        NodeId typeId = newNodeId("DataType.RigReading");
        NodeId encodingId = newNodeId("DataType.RigReading.BinaryEncoding");
        UaDataTypeNode typeNode = new UaDataTypeNode(getNodeContext(), typeId, newQualifiedName("RigReading"),
                LocalizedText.english("RigReading"), LocalizedText.NULL_VALUE, uint(0), uint(0), false);
        typeNode.addReference(new Reference(typeId, NodeIds.HasSubtype, NodeIds.Structure.expanded(), Reference.Direction.INVERSE));
        getNodeManager().addNode(typeNode);

        DataTypeEncodingTypeNode encodingNode = new DataTypeEncodingTypeNode(getNodeContext(), encodingId,
                new QualifiedName(0, "Default Binary"), LocalizedText.english("Default Binary"), LocalizedText.NULL_VALUE,
                uint(0), uint(0), null, null, null);
        encodingNode.addReference(new Reference(encodingId, NodeIds.HasTypeDefinition,
                NodeIds.DataTypeEncodingType.expanded(), Reference.Direction.FORWARD));
        encodingNode.addReference(new Reference(encodingId, NodeIds.HasEncoding, typeId.expanded(), Reference.Direction.INVERSE));
        getNodeManager().addNode(encodingNode);

        StructureField[] fields = {
                field("temperature", NodeIds.Double),
                field("pressure", NodeIds.Double),
                field("count", NodeIds.UInt32),
                field("label", NodeIds.String),
                field("ok", NodeIds.Boolean)
        };
        typeNode.setDataTypeDefinition(new StructureDefinition(encodingId, NodeIds.Structure, StructureType.Structure, fields));

        DataTypeTree tree = getServer().updateDataTypeTree();
        DataType dataType = tree.getDataType(typeId);
        getServer().getDynamicDataTypeManager()
                .registerType(typeId, new DynamicStructCodec(dataType, tree), encodingId, null, null);
        return dataType;
    }

    private static StructureField field(String name, NodeId type) {
        return new StructureField(name, LocalizedText.NULL_VALUE, type, ValueRanks.Scalar, null, uint(0), false);
    }

    private UaFolderNode folder(String path, UaFolderNode parent) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        UaFolderNode folder = new UaFolderNode(getNodeContext(), newNodeId(path), newQualifiedName(name), LocalizedText.english(name));
        getNodeManager().addNode(folder);
        if (parent != null) parent.addOrganizes(folder);
        return folder;
    }

    private void variable(UaFolderNode parent, String name, NodeId dataType, int valueRank, LongFunction<Variant> valueAt) {
        String path = parent.getNodeId().getIdentifier() + "/" + name;
        UaVariableNode.UaVariableNodeBuilder builder = new UaVariableNode.UaVariableNodeBuilder(getNodeContext())
                .setNodeId(newNodeId(path))
                .setAccessLevel(AccessLevel.READ_WRITE)
                .setUserAccessLevel(AccessLevel.READ_WRITE)
                .setBrowseName(newQualifiedName(name))
                .setDisplayName(LocalizedText.english(name))
                .setDataType(dataType)
                .setValueRank(valueRank)
                .setTypeDefinition(NodeIds.BaseDataVariableType);
        if (valueRank == ValueRank.OneDimension.getValue()) builder.setArrayDimensions(new UInteger[]{uint(0)});
        UaVariableNode node = builder.build();
        getNodeManager().addNode(node);
        parent.addOrganizes(node);
        register(path, node, valueAt);
    }

    private void analog(UaFolderNode parent, String name) {
        String path = parent.getNodeId().getIdentifier() + "/" + name;
        try {
            AnalogItemTypeNode node = (AnalogItemTypeNode) getNodeFactory().createNode(newNodeId(path), NodeIds.AnalogItemType);
            node.setBrowseName(newQualifiedName(name));
            node.setDisplayName(LocalizedText.english(name));
            node.setDataType(NodeIds.Double);
            node.setAccessLevel(AccessLevel.toValue(AccessLevel.READ_WRITE));
            node.setUserAccessLevel(AccessLevel.toValue(AccessLevel.READ_WRITE));
            node.setEuRange(new Range(0.0, 100.0));
            // UNECE code CEL (degree Celsius), as OPC UA Part 8 encodes it
            node.setEngineeringUnits(new org.eclipse.milo.opcua.stack.core.types.structured.EUInformation(
                    "http://www.opcfoundation.org/UA/units/un/cefact", 4408652, LocalizedText.english("°C"),
                    LocalizedText.english("degree Celsius")));
            getNodeManager().addNode(node);
            parent.addOrganizes(node);
            register(path, node, n -> new Variant((double) (n % 100)));
        } catch (Exception e) {
            LOG.warn("could not create AnalogItemType node {}: {}", path, e.toString());
        }
    }

    private void register(String path, UaVariableNode node, LongFunction<Variant> valueAt) {
        RigNode rigNode = new RigNode(path, node, valueAt);
        node.setValue(rigNode.current());
        // reads see the current step without the ticker writing every node
        node.getFilterChain().addLast(AttributeFilters.getValue(ctx -> rigNode.current()));
        nodes.put(node.getNodeId(), rigNode);
        byPath.put(path, rigNode);
    }

    /**
     * Moves every node to its next value. Each node is stamped with the time it changed: with thousands of nodes a
     * tick takes milliseconds, and one time for all would date the last nodes' changes before they happened.
     */
    void tick() {
        int i = 0;
        DateTime now = DateTime.now();
        for (RigNode n : byPath.values()) {
            if ((++i & 63) == 0) now = DateTime.now();
            n.advance(now, config.historyDepth());
        }
        changes.addAndGet(byPath.size());
    }

    private boolean ours(DataItem item) {
        return item.getReadValueId().getAttributeId().equals(AttributeId.Value.uid())
                && nodes.containsKey(item.getReadValueId().getNodeId());
    }

    @Override
    public void onDataItemsCreated(List<DataItem> dataItems) {
        List<DataItem> others = new ArrayList<>();
        for (DataItem item : dataItems) {
            if (ours(item)) {
                RigNode n = nodes.get(item.getReadValueId().getNodeId());
                n.items.add(item);
                item.setValue(n.current());
            } else {
                others.add(item);
            }
        }
        if (!others.isEmpty()) subscriptionModel.onDataItemsCreated(others);
    }

    @Override
    public void onDataItemsModified(List<DataItem> dataItems) {
        List<DataItem> others = dataItems.stream().filter(i -> !ours(i)).toList();
        if (!others.isEmpty()) subscriptionModel.onDataItemsModified(others);
    }

    @Override
    public void onDataItemsDeleted(List<DataItem> dataItems) {
        List<DataItem> others = new ArrayList<>();
        for (DataItem item : dataItems) {
            if (ours(item)) {
                nodes.get(item.getReadValueId().getNodeId()).items.remove(item);
            } else {
                others.add(item);
            }
        }
        if (!others.isEmpty()) subscriptionModel.onDataItemsDeleted(others);
    }

    @Override
    public void onMonitoringModeChanged(List<MonitoredItem> monitoredItems) {
        List<MonitoredItem> others = monitoredItems.stream()
                .filter(i -> !(i instanceof DataItem d && ours(d))).toList();
        if (!others.isEmpty()) subscriptionModel.onMonitoringModeChanged(others);
    }
}
