package io.sluice.runtime.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sluice.runtime.config.RouteConfig;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static Sample sample(String tag, long value) {
        return new Sample(tag, Value.of(value), Quality.GOOD, 0, value, value, null);
    }

    private static List<String> tags(List<Sample> samples) {
        return samples.stream().map(Sample::tag).toList();
    }

    @Test
    void withoutRoutesABatchGoesWholeToTheConnectorsDefaultStream() {
        List<Sample> batch = List.of(sample("a", 1), sample("b", 2));
        Map<String, List<Sample>> out = new Router(List.of()).split("plc1", "telemetry", batch);
        assertEquals(Map.of("telemetry", batch), out);
        assertSame(batch, out.get("telemetry"), "nothing to split: the batch itself, no copy");
    }

    @Test
    void theFirstMatchingRouteWinsAndTheRestGoToTheDefault() {
        Router router = new Router(List.of(
                new RouteConfig("*", "alarms.*", "alarms"),
                new RouteConfig("*", "alarms.fire.*", "never"), // shadowed by the route before it
                new RouteConfig("*", "*.temp", "slow")));
        List<Sample> batch = List.of(sample("alarms.fire.hall", 1), sample("boiler.temp", 2), sample("speed", 3),
                sample("alarms.temp", 4));
        Map<String, List<Sample>> out = router.split("plc1", "telemetry", batch);
        assertEquals(List.of("alarms.fire.hall", "alarms.temp"), tags(out.get("alarms")));
        assertEquals(List.of("boiler.temp"), tags(out.get("slow")));
        assertEquals(List.of("speed"), tags(out.get("telemetry")));
        assertEquals(3, out.size(), "no empty stream, nothing for the shadowed route");
    }

    @Test
    void routesApplyOnlyToTheConnectorsTheirGlobNames() {
        Router router = new Router(List.of(new RouteConfig("opcua-?", "*", "plant"), new RouteConfig("lora*", "rssi", "radio")));
        List<Sample> batch = List.of(sample("rssi", 1), sample("temp", 2));
        assertEquals(Map.of("plant", batch), router.split("opcua-1", "d1", batch));
        assertEquals(Map.of("d2", batch), router.split("opcua-12", "d2", batch), "? is one character");
        Map<String, List<Sample>> lora = router.split("lorawan", "d3", batch);
        assertEquals(List.of("rssi"), tags(lora.get("radio")));
        assertEquals(List.of("temp"), tags(lora.get("d3")));
    }

    @Test
    void eachStreamKeepsItsSamplesInTheirOriginalOrder() {
        Router router = new Router(List.of(new RouteConfig("*", "even*", "even")));
        List<Sample> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) batch.add(sample((i % 2 == 0 ? "even" : "odd") + (i % 10), i));
        Map<String, List<Sample>> out = router.split("c", "odd", batch);
        for (String stream : List.of("even", "odd")) {
            List<Sample> got = out.get(stream);
            assertEquals(50, got.size());
            for (int i = 1; i < got.size(); i++) {
                assertEquals(got.get(i - 1).sourceTimeNanos() + 2, got.get(i).sourceTimeNanos(), stream + " in order");
            }
        }
        // decisions are cached per connector and tag: a second batch is routed the same way
        assertEquals(out, router.split("c", "odd", batch));
    }

    @Test
    void cachedDecisionsOfOneConnectorDoNotLeakIntoAnother() {
        Router router = new Router(List.of(new RouteConfig("a", "t", "routed")));
        List<Sample> batch = List.of(sample("t", 1));
        assertEquals(Map.of("routed", batch), router.split("a", "da", batch));
        assertEquals(Map.of("db", batch), router.split("ab", "db", batch));
        assertEquals(Map.of("routed", batch), router.split("a", "da", batch));
    }
}
