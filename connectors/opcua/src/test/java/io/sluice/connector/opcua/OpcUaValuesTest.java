package io.sluice.connector.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ulong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.time.Instant;
import java.util.List;
import org.eclipse.milo.opcua.stack.core.NamespaceTable;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.encoding.DefaultEncodingContext;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExtensionObject;
import org.eclipse.milo.opcua.stack.core.types.builtin.Matrix;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.structured.Range;
import org.junit.jupiter.api.Test;

class OpcUaValuesTest {

    private final NamespaceTable namespaces = new NamespaceTable();
    private final OpcUaValues values;

    OpcUaValuesTest() {
        namespaces.add("urn:vendor:plc");
        values = new OpcUaValues(namespaces, DefaultEncodingContext.INSTANCE);
    }

    @Test
    void unsigned64BitValuesStayExact() {
        assertEquals(Value.of(42L), values.toValue(ulong(42)));
        assertEquals(Value.of("18446744073709551615"), values.toValue(ulong(new java.math.BigInteger("18446744073709551615"))));
    }

    @Test
    void matricesBecomeNestedArraysRowByRow() {
        Matrix m = Matrix.ofInt32(new int[][]{{1, 2, 3}, {4, 5, 6}});
        assertEquals(new Value.ArrayValue(List.of(
                new Value.ArrayValue(List.of(Value.of(1L), Value.of(2L), Value.of(3L))),
                new Value.ArrayValue(List.of(Value.of(4L), Value.of(5L), Value.of(6L))))), values.toValue(m));
    }

    @Test
    void nodeIdsAreWrittenWithNamespaceUris() {
        assertEquals(Value.of("nsu=urn:vendor:plc;s=Line1.Speed"), values.toValue(new NodeId(1, "Line1.Speed")));
        assertEquals(Value.of("i=2258"), values.toValue(new NodeId(0, 2258)));
    }

    @Test
    void standardStructuresAreDecodedIntoFields() {
        ExtensionObject xo = ExtensionObject.encode(DefaultEncodingContext.INSTANCE, new Range(-5.0, 50.0));
        assertEquals(new Value.StructValue(java.util.Map.of("low", Value.of(-5.0), "high", Value.of(50.0))).fields().keySet(),
                ((Value.StructValue) values.toValue(xo)).fields().keySet());
        Value.StructValue s = (Value.StructValue) values.toValue(xo);
        assertEquals(Value.of(-5.0), s.fields().get("low"));
        assertEquals(Value.of(50.0), s.fields().get("high"));
    }

    @Test
    void statusBecomesQualityAndTheCodeIsKept() {
        Instant source = Instant.parse("2026-11-22T06:00:00.123456700Z");
        long receive = Sample.toNanos(Instant.parse("2026-11-22T06:00:01Z"));
        DataValue bad = new DataValue(Variant.NULL_VALUE, new StatusCode(StatusCodes.Bad_NodeIdUnknown), new DateTime(source), null);
        Sample s = values.sample("t", bad, receive, null);
        assertEquals(Quality.BAD, s.quality());
        assertEquals(StatusCodes.Bad_NodeIdUnknown, s.statusCode());
        assertEquals(OpcUaValues.NO_VALUE, s.value());
        assertEquals(Sample.toNanos(source), s.sourceTimeNanos());
        assertFalse(s.hasServerTime(), "no server time sent, none invented");

        Instant server = source.plusMillis(4);
        Sample both = values.sample("t", new DataValue(new Variant(2.5), StatusCode.GOOD, new DateTime(source),
                new DateTime(server)), receive, null);
        assertEquals(Sample.toNanos(source), both.sourceTimeNanos());
        assertEquals(Sample.toNanos(server), both.serverTimeNanos());
        assertEquals(receive, both.receiveTimeNanos());

        DataValue uncertain = new DataValue(new Variant(1.5), new StatusCode(StatusCodes.Uncertain_LastUsableValue), null, null);
        Sample u = values.sample("t", uncertain, receive, "bar");
        assertEquals(Quality.UNCERTAIN, u.quality());
        assertEquals(StatusCodes.Uncertain_LastUsableValue, u.statusCode());
        assertEquals(receive, u.sourceTimeNanos(), "no source or server time: the receive time");
        assertEquals("bar", u.unit());

        DataValue serverOnly = new DataValue(new Variant(uint(7)), StatusCode.GOOD, null, new DateTime(source));
        Sample fromServerOnly = values.sample("t", serverOnly, receive, null);
        assertEquals(Sample.toNanos(source), fromServerOnly.sourceTimeNanos(), "no source time: the server time");
        assertEquals(Sample.toNanos(source), fromServerOnly.serverTimeNanos());
    }

    @Test
    void timesOutsideDateTimesValidRangeCountAsAbsent() {
        long max = DateTime.MAX_DATE_TIME.getUtcTime();
        for (long ticks : new long[] {0, 1, 116_444_736_000_000_000L, 133_000_000_000_000_000L, max - 864_000_000_001L,
                max - 864_000_000_000L, max - 10_000_000L, max - 1, max, max + 1, -1,
                DateTime.MIN_DATE_TIME.getUtcTime(), DateTime.MIN_DATE_TIME.getUtcTime() + 1}) {
            DateTime t = new DateTime(ticks);
            long expected = t.isNull() || !t.isValid() ? 0 : (ticks - 116_444_736_000_000_000L) * 100L;
            assertEquals(expected, OpcUaValues.nanos(t), "ticks " + ticks);
        }
        assertEquals(0, OpcUaValues.nanos(null));
    }
}
