package io.sluice.rigs.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ubyte;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ulong;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ushort;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.function.BiFunction;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExpandedNodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.XmlElement;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UShort;

/**
 * The deterministic values of the rig's scalar and array nodes. Each node has a step counter {@code n} (1 at start,
 * +1 per change) and its value is a pure function of the type and {@code n}, so tests can compute what a client
 * must see.
 */
public final class RigValues {

    /** Epoch of the DateTime nodes: value = this instant + n seconds. */
    public static final Instant DATE_TIME_BASE = Instant.parse("2024-01-01T00:00:00Z");

    private RigValues() {}

    /** The OPC UA built-in scalar types the rig serves, with their value function. */
    public enum ScalarType {
        BOOLEAN("Boolean", NodeIds.Boolean, (n, ns) -> n % 2 == 1),
        SBYTE("SByte", NodeIds.SByte, (n, ns) -> (byte) (n % 100 - 50)),
        BYTE("Byte", NodeIds.Byte, (n, ns) -> ubyte(n % 256)),
        INT16("Int16", NodeIds.Int16, (n, ns) -> (short) (n % 30_000 - 15_000)),
        UINT16("UInt16", NodeIds.UInt16, (n, ns) -> ushort((int) (n % 60_000))),
        INT32("Int32", NodeIds.Int32, (n, ns) -> (int) (n * 3 - 1_000)),
        UINT32("UInt32", NodeIds.UInt32, (n, ns) -> uint(n * 7)),
        INT64("Int64", NodeIds.Int64, (n, ns) -> n * 1_000_000_007L),
        UINT64("UInt64", NodeIds.UInt64, (n, ns) -> ulong(n * 11)),
        FLOAT("Float", NodeIds.Float, (n, ns) -> n * 0.5f),
        DOUBLE("Double", NodeIds.Double, (n, ns) -> n * 0.25),
        STRING("String", NodeIds.String, (n, ns) -> "value-" + n),
        DATE_TIME("DateTime", NodeIds.DateTime, (n, ns) -> new DateTime(DATE_TIME_BASE.plusSeconds(n))),
        GUID("Guid", NodeIds.Guid, (n, ns) -> new UUID(0x5111CE, n)),
        BYTE_STRING("ByteString", NodeIds.ByteString,
                (n, ns) -> ByteString.of(("bytes-" + n).getBytes(StandardCharsets.US_ASCII))),
        XML_ELEMENT("XmlElement", NodeIds.XmlElement, (n, ns) -> new XmlElement("<v>" + n + "</v>")),
        NODE_ID("NodeId", NodeIds.NodeId, (n, ns) -> new NodeId(ns, "Target" + n)),
        EXPANDED_NODE_ID("ExpandedNodeId", NodeIds.ExpandedNodeId,
                (n, ns) -> ExpandedNodeId.of(RigServer.NAMESPACE_URI, "Expanded" + n)),
        STATUS_CODE("StatusCode", NodeIds.StatusCode,
                (n, ns) -> new StatusCode(n % 2 == 0 ? 0L : 0x40000000L)),
        QUALIFIED_NAME("QualifiedName", NodeIds.QualifiedName, (n, ns) -> new QualifiedName(ns, "Name" + n)),
        LOCALIZED_TEXT("LocalizedText", NodeIds.LocalizedText, (n, ns) -> LocalizedText.english("text-" + n));

        private final String browseName;
        private final NodeId dataType;
        private final BiFunction<Long, UShort, Object> value;

        ScalarType(String browseName, NodeId dataType, BiFunction<Long, UShort, Object> value) {
            this.browseName = browseName;
            this.dataType = dataType;
            this.value = value;
        }

        public String browseName() { return browseName; }

        public NodeId dataType() { return dataType; }

        /** The value at step {@code n}; {@code ns} is the rig namespace's index (for NodeId/QualifiedName values). */
        public Object valueAt(long n, UShort ns) { return value.apply(n, ns); }
    }

    /** The array nodes: the scalar type of the elements; an array at step n has 5 elements with values n..n+4. */
    public static final ScalarType[] ARRAY_TYPES = {
            ScalarType.BOOLEAN, ScalarType.INT32, ScalarType.DOUBLE, ScalarType.STRING, ScalarType.BYTE, ScalarType.UINT64
    };

    public static final int ARRAY_LENGTH = 5;
}
