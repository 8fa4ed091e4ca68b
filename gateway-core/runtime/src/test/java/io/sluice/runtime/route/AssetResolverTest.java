package io.sluice.runtime.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sluice.runtime.config.AssetRule;
import io.sluice.spi.AssetContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssetResolverTest {

    private static final AssetContext PLANT = new AssetContext(Map.of("site", "berlin", "area", "press-shop"));

    @Test
    void aTagWithoutRulesHasItsConnectorsContextAndAnUnknownConnectorNone() {
        AssetResolver r = new AssetResolver(Map.of("plc1", PLANT), List.of());
        assertEquals(PLANT, r.resolve("plc1", "speed"));
        assertSame(AssetContext.EMPTY, r.resolve("other", "speed"));
    }

    @Test
    void matchingRulesAreLaidOverTheConnectorsContextInOrder() {
        AssetResolver r = new AssetResolver(Map.of("plc1", PLANT), List.of(
                new AssetRule("*", "press3.*", Map.of("machine", "press-3", "line", "l1")),
                new AssetRule("plc?", "press3.oil*", Map.of("machine", "press-3-hydraulics")),
                new AssetRule("plc1", "*", Map.of("area", "hall-2")),
                new AssetRule("lora*", "*", Map.of("site", "never"))));
        assertEquals(new AssetContext(Map.of("site", "berlin", "area", "hall-2", "line", "l1", "machine", "press-3")),
                r.resolve("plc1", "press3.speed"));
        assertEquals(new AssetContext(Map.of("site", "berlin", "area", "hall-2", "line", "l1",
                "machine", "press-3-hydraulics")), r.resolve("plc1", "press3.oil.temp"), "a later rule wins a level");
        assertEquals(new AssetContext(Map.of("site", "berlin", "area", "hall-2")), r.resolve("plc1", "speed"));
        assertEquals(new AssetContext(Map.of("machine", "press-3", "line", "l1")), r.resolve("plc2", "press3.x"),
                "a connector without its own context gets the rules alone");
    }

    @Test
    void resolvingAgainGivesTheSameContextPerConnectorAndTag() {
        AssetResolver r = new AssetResolver(Map.of("a", PLANT, "b", AssetContext.EMPTY),
                List.of(new AssetRule("a", "t*", Map.of("machine", "m1"))));
        AssetContext first = r.resolve("a", "t1");
        assertSame(first, r.resolve("a", "t1"));
        assertEquals(AssetContext.EMPTY, r.resolve("b", "t1"), "the same tag name on another connector");
        assertEquals("m1", r.resolve("a", "t1").get("machine"));
    }

    @Test
    void aSampleWithoutAConnectorGetsTheRulesForAnyConnector() {
        AssetResolver r = new AssetResolver(Map.of("plc1", PLANT), List.of(
                new AssetRule("*", "t", Map.of("machine", "m1")), new AssetRule("plc1", "t", Map.of("line", "l9"))));
        assertEquals(new AssetContext(Map.of("machine", "m1")), r.resolve(null, "t"));
        assertSame(AssetContext.EMPTY, r.resolve(null, "other"));
    }
}
