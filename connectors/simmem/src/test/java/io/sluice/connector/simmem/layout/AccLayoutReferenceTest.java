package io.sluice.connector.simmem.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The shipped ACC layouts must match the reconciled reference (src/test/resources/acc-layout-reference.json, a copy
 * of shared/reference/acc-layout.json): same fields, in the same order, at the same offsets, with the same types
 * and sizes, and the same page sizes. AC1 layouts must agree with ACC wherever the pages share fields.
 */
class AccLayoutReferenceTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> reference() throws Exception {
        try (InputStream in = AccLayoutReferenceTest.class.getResourceAsStream("/acc-layout-reference.json")) {
            return new Yaml().load(in);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shippedAccOffsetsTypesAndSizesEqualTheReference() throws Exception {
        Map<String, Object> pages = (Map<String, Object>) reference().get("pages");
        for (String page : List.of("physics", "graphics", "static")) {
            Map<String, Object> ref = (Map<String, Object>) pages.get(page);
            Layout layout = Layouts.shipped("acc-" + page).orElseThrow();
            assertEquals(((Number) ref.get("size_bytes")).intValue(), layout.size(), page + " size");
            assertEquals(ref.get("mapping_name"), layout.mappingName(), page + " mapping name");
            assertEquals("/dev/shm/acpmf_" + page, layout.path());
            List<Map<String, Object>> refFields = (List<Map<String, Object>>) ref.get("fields");
            assertEquals(refFields.size(), layout.fields().size(), page + " field count");
            assertEquals(((Number) ref.get("field_count")).intValue(), layout.fields().size());
            for (int i = 0; i < refFields.size(); i++) {
                Map<String, Object> rf = refFields.get(i);
                Field f = layout.fields().get(i);
                String where = page + "." + rf.get("name");
                assertEquals(rf.get("name"), f.name(), where);
                assertEquals(((Number) rf.get("offset")).intValue(), f.offset(), where + " offset");
                assertEquals(((Number) rf.get("size")).intValue(), f.size(), where + " size");
                String refType = ((String) rf.get("type")).replace("wchar16", "utf16");
                assertEquals(refType, f.type().toString(), where + " type");
            }
            Object counter = ref.get("update_counter_field");
            assertEquals(counter == null ? java.util.Optional.empty() : java.util.Optional.of(counter), layout.updateCounter());
        }
    }

    @Test
    void publishedAnchorOffsetsHold() {
        Layout physics = Layouts.shipped("acc-physics").orElseThrow();
        Layout graphics = Layouts.shipped("acc-graphics").orElseThrow();
        Layout statics = Layouts.shipped("acc-static").orElseThrow();
        assertEquals(28, physics.field("speedKmh").orElseThrow().offset());
        assertEquals(184, physics.field("suspensionTravel").orElseThrow().offset());
        assertEquals(252, physics.field("abs").orElseThrow().offset());
        assertEquals(640, physics.field("slipRatio").orElseThrow().offset());
        assertEquals(676, physics.field("absInAction").orElseThrow().offset());
        assertEquals(132, graphics.field("completedLaps").orElseThrow().offset());
        assertEquals(420, statics.field("suspensionMaxTravel").orElseThrow().offset());
    }

    @Test
    @SuppressWarnings("unchecked")
    void ac1LayoutsHaveTheComputedSizesAndShareAccOffsets() throws Exception {
        Map<String, Object> sizes = (Map<String, Object>) ((Map<String, Object>) reference().get("ac1_differences"))
                .get("computed_ac1_sizes_pack4");
        for (String page : List.of("physics", "graphics", "static")) {
            Layout ac1 = Layouts.shipped("ac1-" + page).orElseThrow();
            Layout acc = Layouts.shipped("acc-" + page).orElseThrow();
            assertEquals(((Number) sizes.get(page)).intValue(), ac1.size(), "ac1 " + page + " size");
            for (Field f : ac1.fields()) {
                if (page.equals("graphics") && f.offset() > 248) continue; // AC1's tail differs (no 60-car arrays)
                Field same = acc.field(f.name()).orElseThrow();
                assertEquals(same.offset(), f.offset(), "ac1 " + page + "." + f.name());
                assertEquals(same.type(), f.type());
            }
        }
        Layout ac1Graphics = Layouts.shipped("ac1-graphics").orElseThrow();
        assertEquals("float32[3]", ac1Graphics.field("carCoordinates").orElseThrow().type().toString());
        assertEquals(292, ac1Graphics.field("windDirection").orElseThrow().offset());
    }

    @Test
    void everyShippedLayoutLoadsAndTennesseeEastmanIs53Doubles() {
        assertEquals(Layouts.SHIPPED.size(), Layouts.allShipped().size());
        Layout te = Layouts.shipped("tennessee-eastman").orElseThrow();
        assertEquals(424, te.size());
        assertEquals(53, te.fields().size());
        assertTrue(te.fields().stream().allMatch(f -> f.type().toString().equals("float64")));
        assertEquals(0, te.field("xmeas1").orElseThrow().offset());
        assertEquals(41 * 8, te.field("xmv1").orElseThrow().offset());
        assertEquals(Layout.Refresh.INTERVAL, te.refresh());
        assertEquals(Layout.Refresh.SESSION, Layouts.shipped("acc-static").orElseThrow().refresh());
    }
}
