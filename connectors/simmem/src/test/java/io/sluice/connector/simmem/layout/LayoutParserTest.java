package io.sluice.connector.simmem.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LayoutParserTest {

    private static final String HEAD = "name: demo\npath: /dev/shm/demo\nsize: 32\n";

    private static List<String> problems(String yaml) {
        return assertThrows(LayoutException.class, () -> LayoutParser.parse(yaml, "test.yaml")).problems();
    }

    private static boolean mentions(List<String> problems, String... parts) {
        return problems.stream().anyMatch(p -> java.util.Arrays.stream(parts).allMatch(p::contains));
    }

    @Test
    void computesOffsetsUnderPackingWhenLeftOut() {
        Layout natural = LayoutParser.parse(HEAD + "fields:\n  - {name: a, type: int8}\n  - {name: b, type: float64}\n"
                + "  - {name: c, type: \"utf16[3]\"}\n  - {name: d, type: int32}\n", "t");
        assertEquals(List.of(0, 8, 16, 24), natural.fields().stream().map(Field::offset).toList());
        Layout packed = LayoutParser.parse(HEAD + "pack: 4\nfields:\n  - {name: a, type: int8}\n  - {name: b, type: float64}\n"
                + "  - {name: c, type: \"utf16[3]\"}\n  - {name: d, type: int32}\n", "t");
        assertEquals(List.of(0, 4, 12, 20), packed.fields().stream().map(Field::offset).toList());
    }

    @Test
    void rejectsOverlappingFieldsAndFieldsPastTheEnd() {
        List<String> p = problems(HEAD + "fields:\n  - {name: a, type: int32, offset: 0}\n"
                + "  - {name: b, type: float64, offset: 2}\n  - {name: c, type: \"float32[3]\", offset: 24}\n");
        assertTrue(mentions(p, "fields.b", "overlap 'a'"), p.toString());
        assertTrue(mentions(p, "fields.c", "run past the page size 32"), p.toString());
    }

    @Test
    void reportsEveryProblemWithItsKeyPath() {
        List<String> p = problems("name: Bad Name\nsize: -1\ncolour: red\nupdate-counter: nope\nfields:\n"
                + "  - {name: a, type: int33}\n  - {name: a, type: int32, offset: 4, scale: 0}\n  - {type: int8, wat: 1}\n"
                + "  - {name: s, type: utf16}\n");
        assertTrue(mentions(p, "name:", "lower-case"), p.toString());
        assertTrue(mentions(p, "size:", "1.."), p.toString());
        assertTrue(mentions(p, "colour: unknown key"), p.toString());
        assertTrue(mentions(p, "mapping-name / path"), p.toString());
        assertTrue(mentions(p, "fields[0].type", "unknown type 'int33'"), p.toString());
        assertTrue(mentions(p, "fields[1].name", "appears twice"), p.toString());
        assertTrue(mentions(p, "fields[1].scale"), p.toString());
        assertTrue(mentions(p, "fields[2].name: required"), p.toString());
        assertTrue(mentions(p, "fields[2].wat: unknown key"), p.toString());
        assertTrue(mentions(p, "fields[3].type", "needs its length"), p.toString());
        assertTrue(mentions(p, "update-counter", "no field named 'nope'"), p.toString());
    }

    @Test
    void checksCounterLapAndIdentityFieldTypes() {
        List<String> p = problems(HEAD + "update-counter: f\nlap-fields: {completed-laps: s, lap-time-ms: f, colour: f}\n"
                + "identity-fields: {car: f}\nsession-fields: [ghost]\n"
                + "fields:\n  - {name: f, type: float32}\n  - {name: s, type: \"utf8[8]\"}\n");
        assertTrue(mentions(p, "update-counter", "int32, uint32 or int64"), p.toString());
        assertTrue(mentions(p, "lap-fields.completed-laps", "scalar integer"), p.toString());
        assertTrue(mentions(p, "lap-fields.colour", "unknown role"), p.toString());
        assertTrue(mentions(p, "identity-fields.car", "string"), p.toString());
        assertTrue(mentions(p, "session-fields[0]", "ghost"), p.toString());
    }

    @Test
    void acceptsJsonAndTypeSyntax() {
        Layout l = LayoutParser.parse("{\"name\": \"j\", \"mapping-name\": \"Local\\\\j\", \"size\": 64, "
                + "\"update-counter\": \"n\", \"fields\": [{\"name\": \"n\", \"type\": \"uint32\", \"offset\": 0},"
                + "{\"name\": \"m\", \"type\": \"float32[2][3]\", \"offset\": 4, \"unit\": \"m\"},"
                + "{\"name\": \"names\", \"type\": \"utf8[2][8]\", \"offset\": 28}]}", "j.json");
        assertEquals("Local\\j", l.mappingName());
        assertEquals(Layout.Refresh.COUNTER, l.refresh());
        assertEquals(24, l.field("m").orElseThrow().size());
        assertEquals(2, l.field("m").orElseThrow().type().arrayRank());
        assertEquals(1, l.field("names").orElseThrow().type().arrayRank());
        assertEquals(8, l.field("names").orElseThrow().type().stringLength());
        assertThrows(IllegalArgumentException.class, () -> FieldType.parse("int32[2][2][2]"));
        assertThrows(IllegalArgumentException.class, () -> FieldType.parse("float32[0]"));
    }

    @Test
    void notYamlAtAllIsAClearError() {
        assertTrue(mentions(problems("fields: [unclosed"), "not valid YAML"));
        assertTrue(mentions(problems("- just\n- a list\n"), "expected a mapping"));
    }
}
