package io.sluice.connector.simmem.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.spi.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PageDecoderTest {

    private static final Layout LAYOUT = LayoutParser.parse("""
            name: all
            path: /dev/shm/all
            size: 96
            fields:
              - {name: i8, type: int8, offset: 0}
              - {name: u8, type: uint8, offset: 1}
              - {name: i16, type: int16, offset: 2}
              - {name: u16, type: uint16, offset: 4}
              - {name: flag, type: bool, offset: 6}
              - {name: i32, type: int32, offset: 8}
              - {name: u32, type: uint32, offset: 12}
              - {name: i64, type: int64, offset: 16}
              - {name: f32, type: float32, offset: 24, unit: km/h}
              - {name: f64, type: float64, offset: 32}
              - {name: s16, type: "utf16[4]", offset: 40}
              - {name: s8, type: "utf8[6]", offset: 48}
              - {name: arr, type: "int16[3]", offset: 54}
              - {name: mat, type: "float32[2][2]", offset: 60}
              - {name: scaled, type: int32, offset: 76, scale: 0.5}
              - {name: full, type: "utf8[4]", offset: 80}
            """, "test");

    @Test
    void decodesEveryTypeLittleEndian() {
        ByteBuffer b = ByteBuffer.allocate(96).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) -5).put(1, (byte) 250).putShort(2, (short) -30000).putShort(4, (short) 60000).put(6, (byte) 1);
        b.putInt(8, -2_000_000_000).putInt(12, (int) 4_000_000_000L).putLong(16, -(1L << 40));
        b.putFloat(24, 123.25f).putDouble(32, 1e10 + 1.0 / 1024);
        b.putChar(40, 'Ω').putChar(42, 'x');
        b.put(48, "é-1".getBytes(StandardCharsets.UTF_8));
        b.putShort(54, (short) 1).putShort(56, (short) -1).putShort(58, (short) 3);
        b.putFloat(60, 1f).putFloat(64, 2f).putFloat(68, 3f).putFloat(72, 4f);
        b.putInt(76, 7);
        b.put(80, "abcd".getBytes(StandardCharsets.UTF_8));
        Map<String, Value> v = new PageDecoder(LAYOUT, List.of()).decode(b);
        assertEquals(Value.of(-5L), v.get("i8"));
        assertEquals(Value.of(250L), v.get("u8"));
        assertEquals(Value.of(-30000L), v.get("i16"));
        assertEquals(Value.of(60000L), v.get("u16"));
        assertEquals(Value.of(true), v.get("flag"));
        assertEquals(Value.of(-2_000_000_000L), v.get("i32"));
        assertEquals(Value.of(4_000_000_000L), v.get("u32"));
        assertEquals(Value.of(-(1L << 40)), v.get("i64"));
        assertEquals(Value.of(123.25), v.get("f32"));
        assertEquals(Value.of(1e10 + 1.0 / 1024), v.get("f64"));
        assertEquals(Value.of("Ωx"), v.get("s16"));
        assertEquals(Value.of("é-1"), v.get("s8"));
        assertEquals(new Value.ArrayValue(List.of(Value.of(1L), Value.of(-1L), Value.of(3L))), v.get("arr"));
        assertEquals(new Value.ArrayValue(List.of(
                new Value.ArrayValue(List.of(Value.of(1.0), Value.of(2.0))),
                new Value.ArrayValue(List.of(Value.of(3.0), Value.of(4.0))))), v.get("mat"));
        assertEquals(Value.of(3.5), v.get("scaled"));
        assertEquals(Value.of("abcd"), v.get("full"), "a string filling its field has no terminator");
    }

    @Test
    void selectsFieldsInTheGivenOrderAndRejectsUnknownOnes() {
        PageDecoder d = new PageDecoder(LAYOUT, List.of("f64", "i8"));
        assertEquals(List.of("f64", "i8"), List.copyOf(d.decode(ByteBuffer.allocate(96)).keySet()));
        assertThrows(IllegalArgumentException.class, () -> new PageDecoder(LAYOUT, List.of("nope")));
    }

    @Test
    void malformedUtf8IsReplacedNotFatal() {
        ByteBuffer b = ByteBuffer.allocate(96);
        b.put(48, (byte) 0xC3).put(49, (byte) 0x28);
        Value s8 = new PageDecoder(LAYOUT, List.of("s8")).decode(b).get("s8");
        assertEquals("\uFFFD(", ((Value.StringValue) s8).value());
    }
}
