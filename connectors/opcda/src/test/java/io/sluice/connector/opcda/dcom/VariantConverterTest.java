package io.sluice.connector.opcda.dcom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.Value;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.jinterop.dcom.core.JIArray;
import org.jinterop.dcom.core.JICurrency;
import org.jinterop.dcom.core.JIFlags;
import org.jinterop.dcom.core.JIString;
import org.jinterop.dcom.core.JIUnsignedFactory;
import org.jinterop.dcom.core.JIVariant;
import org.jinterop.dcom.core.NdrWire;
import org.junit.jupiter.api.Test;

/** Every VARIANT goes through j-Interop's NDR encoder and decoder first, as it would arrive from a server. */
class VariantConverterTest {

    private static Value wire(JIVariant v) {
        return VariantConverter.toValue(NdrWire.roundTrip(v));
    }

    @Test
    void bool() {
        assertEquals(Value.of(true), wire(new JIVariant(true)));
        assertEquals(Value.of(false), wire(new JIVariant(false)));
    }

    @Test
    void signedIntegers() {
        assertEquals(Value.of(-5L), wire(new JIVariant((char) 0xFB)), "VT_I1 is a signed byte");
        assertEquals(Value.of(-12345L), wire(new JIVariant((short) -12345)));
        assertEquals(Value.of(-2_000_000_000L), wire(new JIVariant(-2_000_000_000)));
    }

    @Test
    void unsignedIntegersStayPositive() {
        assertEquals(Value.of(200L), wire(new JIVariant(JIUnsignedFactory.getUnsigned(Short.valueOf((short) 200), JIFlags.FLAG_REPRESENTATION_UNSIGNED_BYTE))));
        assertEquals(Value.of(60000L), wire(new JIVariant(JIUnsignedFactory.getUnsigned(Integer.valueOf(60000), JIFlags.FLAG_REPRESENTATION_UNSIGNED_SHORT))));
        assertEquals(Value.of(4_000_000_000L), wire(new JIVariant(JIUnsignedFactory.getUnsigned(Long.valueOf(4_000_000_000L), JIFlags.FLAG_REPRESENTATION_UNSIGNED_INT))));
    }

    @Test
    void floatsAndCurrency() {
        assertEquals(Value.of(3.5), wire(new JIVariant(3.5f)));
        assertEquals(Value.of(-2.25e100), wire(new JIVariant(-2.25e100)));
        assertEquals(Value.of(12.34), wire(new JIVariant(new JICurrency(12, 3400))));
    }

    @Test
    void bstr() {
        assertEquals(Value.of("Grüße, Kessel 3"), wire(new JIVariant(new JIString("Grüße, Kessel 3"))));
        assertEquals(Value.of(""), wire(new JIVariant(new JIString(""))));
    }

    @Test
    void dateBecomesAnIsoInstant() {
        Instant t = Instant.parse("2026-05-04T10:15:30Z");
        Value v = wire(new JIVariant(Date.from(t)));
        assertEquals(Value.of(t.toString()), v);
    }

    @Test
    void dateIsReadInTheConfiguredZone() {
        // The OLE date says 10:15:30 (no zone); the OPC host runs in Berlin (CEST in May).
        java.time.LocalDateTime wallClock = java.time.LocalDateTime.parse("2026-05-04T10:15:30");
        Date asJInteropDecodesIt = Date.from(wallClock.atZone(java.time.ZoneId.systemDefault()).toInstant());
        JIVariant decoded = NdrWire.roundTrip(new JIVariant(asJInteropDecodesIt));
        assertEquals(Value.of("2026-05-04T08:15:30Z"), VariantConverter.toValue(decoded, java.time.ZoneId.of("Europe/Berlin")));
        assertEquals(Value.of("2026-05-04T10:15:30Z"), VariantConverter.toValue(decoded, java.time.ZoneId.of("UTC")));
    }

    @Test
    void errorCodeIsAnInteger() {
        JIVariant err = new JIVariant(JIVariant.SCODE, 0x80020004);
        assertEquals(Value.of((long) 0x80020004), wire(err));
    }

    @Test
    void emptyAndNullHaveNoValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> wire(JIVariant.EMPTY()));
        assertTrue(e.getMessage().contains("VT_EMPTY"), e.getMessage());
        var n = assertThrows(IllegalArgumentException.class, () -> wire(JIVariant.NULL()));
        assertTrue(n.getMessage().contains("VT_NULL"), n.getMessage());
    }

    @Test
    void arraysOfNumbersStringsAndBooleans() {
        assertEquals(new Value.ArrayValue(List.of(Value.of(1L), Value.of(-2L), Value.of(3L))),
                wire(new JIVariant(new JIArray(new Integer[] {1, -2, 3}, true))));
        assertEquals(new Value.ArrayValue(List.of(Value.of(1.5), Value.of(2.5))),
                wire(new JIVariant(new JIArray(new Double[] {1.5, 2.5}, true))));
        assertEquals(new Value.ArrayValue(List.of(Value.of(0.5), Value.of(-1.0))),
                wire(new JIVariant(new JIArray(new Float[] {0.5f, -1f}, true))));
        assertEquals(new Value.ArrayValue(List.of(Value.of((long) Short.MIN_VALUE), Value.of(7L))),
                wire(new JIVariant(new JIArray(new Short[] {Short.MIN_VALUE, 7}, true))));
        assertEquals(new Value.ArrayValue(List.of(Value.of("a"), Value.of("b"))),
                wire(new JIVariant(new JIArray(new JIString[] {new JIString("a"), new JIString("b")}, true))));
        assertEquals(new Value.ArrayValue(List.of(Value.of(true), Value.of(false))),
                wire(new JIVariant(new JIArray(new Boolean[] {true, false}, true))));
        assertEquals(new Value.ArrayValue(List.of()), wire(new JIVariant(new JIArray(new Integer[0], true))));
    }

    @Test
    void arrayOfDates() {
        Instant a = Instant.parse("2026-01-01T00:00:00Z");
        Instant b = Instant.parse("2026-01-02T12:00:00Z");
        assertEquals(new Value.ArrayValue(List.of(Value.of(a.toString()), Value.of(b.toString()))),
                wire(new JIVariant(new JIArray(new Date[] {Date.from(a), Date.from(b)}, true))));
    }

    @Test
    void arrayOfVariantsKeepsEachElementsType() {
        JIVariant[] mixed = {new JIVariant(1), new JIVariant(2.5), new JIVariant(new JIString("x")), new JIVariant(true)};
        assertEquals(new Value.ArrayValue(List.of(Value.of(1L), Value.of(2.5), Value.of("x"), Value.of(true))),
                wire(new JIVariant(new JIArray(mixed, true))));
    }

    @Test
    void signedByteArrayIsAnArrayOfIntegers() {
        // j-Interop sends Java bytes as VT_ARRAY|VT_I1; VT_ARRAY|VT_UI1 (mapped to bytes) cannot be produced from Java.
        assertEquals(new Value.ArrayValue(List.of(Value.of(1L), Value.of(-1L))),
                wire(new JIVariant(new JIArray(new Byte[] {1, (byte) 0xFF}, true))));
    }

    @Test
    void twoDimensionalArrayIsFlattenedRowByRow() {
        assertEquals(new Value.ArrayValue(List.of(Value.of(1L), Value.of(2L), Value.of(3L), Value.of(4L))),
                wire(new JIVariant(new JIArray(new Integer[][] {{1, 2}, {3, 4}}, true))));
    }
}
