package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Endianness;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Field;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.FieldType;
import io.sluice.spi.Value;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CodecTest {

    private static final HexFormat HEX = HexFormat.of();

    private static JsonNode lpp() throws Exception {
        try (InputStream in = CodecTest.class.getResourceAsStream("/cayenne-lpp.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static Map<String, Value> decode(PayloadCodec codec, String hex) throws Exception {
        Map<String, Value> m = new LinkedHashMap<>();
        for (DecodedField f : codec.decode(HEX.parseHex(hex), 1)) {
            m.put(f.name(), f.value());
        }
        return m;
    }

    private static double num(Value v) {
        if (v instanceof Value.FloatValue f) return f.value();
        return ((Value.IntValue) v).value();
    }

    @Test
    void everyLppTypeOfTheReferenceTableHasTheRecordedSizeSignednessAndMultiplier() throws Exception {
        int n = 0;
        for (JsonNode t : lpp().get("types")) {
            CayenneLppCodec.Type type = CayenneLppCodec.typeOf(t.get("lpp_type").asInt());
            String name = t.get("name").asText();
            assertTrue(type != null, name);
            assertEquals(t.get("data_size_bytes").asInt(), type.size(), name);
            assertEquals(t.get("signed").asBoolean(), type.signed(), name);
            if (!t.get("multiplier").isNull()) {
                assertEquals(t.get("multiplier").asDouble(), type.divisor(), name);
            }
            n++;
        }
        assertEquals(26, n);
    }

    @Test
    void everyLppExampleDecodesToTheRecordedValues() throws Exception {
        int n = 0;
        for (JsonNode ex : lpp().get("examples")) {
            String hex = ex.get("payload_hex").asText();
            Map<String, Value> got = decode(CayenneLppCodec.INSTANCE, hex);
            int expectedFields = 0;
            for (JsonNode e : ex.get("expected")) {
                String base = typeName(e.get("type").asText()) + "_" + e.get("channel").asInt();
                JsonNode value = e.get("value");
                if (value.isNumber()) {
                    assertEquals(value.asDouble(), num(got.get(base)), 1e-9, hex + " " + base);
                    expectedFields++;
                } else if (value.isArray()) {
                    String[] axes = {"x", "y", "z"};
                    for (int i = 0; i < 3; i++) {
                        assertEquals(value.get(i).asDouble(), num(got.get(base + "." + axes[i])), 1e-9, hex);
                    }
                    expectedFields += 3;
                } else {
                    assertEquals(value.get("latitude").asDouble(), num(got.get(base + ".latitude")), 1e-9);
                    assertEquals(value.get("longitude").asDouble(), num(got.get(base + ".longitude")), 1e-9);
                    assertEquals(value.get("altitude_m").asDouble(), num(got.get(base + ".altitude")), 1e-9);
                    expectedFields += 3;
                }
            }
            assertEquals(expectedFields, got.size(), hex);
            n++;
        }
        assertEquals(5, n);
    }

    private static String typeName(String referenceName) {
        return switch (referenceName) {
            case "Temperature" -> "temperature";
            case "Accelerometer" -> "accelerometer";
            case "GPS Location" -> "gps";
            case "Barometric Pressure" -> "barometric_pressure";
            default -> referenceName.toLowerCase(Locale.ROOT).replace(' ', '_');
        };
    }

    @Test
    void lppRejectsUnknownTypesAndTruncation() {
        assertThrows(PayloadCodec.CodecException.class, () -> CayenneLppCodec.INSTANCE.decode(HEX.parseHex("01ff00"), 1));
        assertThrows(PayloadCodec.CodecException.class, () -> CayenneLppCodec.INSTANCE.decode(HEX.parseHex("016701"), 1));
        assertThrows(PayloadCodec.CodecException.class, () -> CayenneLppCodec.INSTANCE.decode(HEX.parseHex("01"), 1));
    }

    @Test
    void lppDecodesSignedAndUnsignedEdges() throws Exception {
        Map<String, Value> m = decode(CayenneLppCodec.INSTANCE, "0268ff0302800003658000");
        assertEquals(127.5, num(m.get("relative_humidity_2")), 1e-9);
        assertEquals(-327.68, num(m.get("analog_in_3")), 1e-9);
        assertEquals(32768, num(m.get("luminosity_3")), 1e-9);
    }

    private static Field field(String name, int offset, FieldType type, Endianness e, double scale, double add, String unit) {
        return new Field(name, offset, type, e, 0, 0, scale, add, Optional.ofNullable(unit));
    }

    @Test
    void byteLayoutDecodesEveryTypeAndByteOrder() throws Exception {
        ByteLayoutCodec codec = new ByteLayoutCodec(List.of(
                field("temperature", 0, FieldType.INT16, Endianness.BIG, 0.01, 0, "°C"),
                field("humidity", 2, FieldType.UINT8, Endianness.BIG, 0.5, 0, "%"),
                field("vibration", 3, FieldType.INT16, Endianness.LITTLE, 1, 0, "mm/s"),
                field("counter", 5, FieldType.UINT32, Endianness.LITTLE, 1, 0, null),
                field("pressure", 9, FieldType.FLOAT32, Endianness.BIG, 1, -1000, "hPa"),
                field("offset24", 13, FieldType.INT24, Endianness.BIG, 1, 0, null),
                new Field("leak", 16, FieldType.BOOL, Endianness.BIG, 3, 0, 1, 0, Optional.empty()),
                new Field("mode", 16, FieldType.UINT8, Endianness.BIG, 1, 3, 1, 0, Optional.empty())));
        // -12.34 °C, 55 %, -2 mm/s, 4000000000, 2013.25 hPa, -2, flags 0b00001010
        byte[] p = HEX.parseHex("fb2d" + "6e" + "feff" + "0028 6bee".replace(" ", "") + "44fba800" + "fffffe" + "0a");
        Map<String, Value> m = new LinkedHashMap<>();
        for (DecodedField f : codec.decode(p, 1)) {
            m.put(f.name(), f.value());
        }
        assertEquals(-12.35, num(m.get("temperature")), 1e-9);
        assertEquals(55.0, num(m.get("humidity")), 1e-9);
        assertEquals(new Value.IntValue(-2), m.get("vibration"));
        assertEquals(new Value.IntValue(4_000_000_000L), m.get("counter"));
        assertEquals(2013.25 - 1000, num(m.get("pressure")), 1e-9);
        assertEquals(new Value.IntValue(-2), m.get("offset24"));
        assertEquals(Value.of(true), m.get("leak"));
        assertEquals(new Value.IntValue(5), m.get("mode"));
        PayloadCodec.CodecException e = assertThrows(PayloadCodec.CodecException.class, () -> codec.decode(new byte[5], 1));
        assertTrue(e.getMessage().contains("counter"), e.getMessage());
    }
}
