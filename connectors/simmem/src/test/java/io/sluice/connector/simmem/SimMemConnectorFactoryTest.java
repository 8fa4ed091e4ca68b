package io.sluice.connector.simmem;

import static io.sluice.connector.simmem.Configs.config;
import static io.sluice.connector.simmem.Configs.page;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.simmem.SimMemConfig.PageConfig;
import io.sluice.spi.connector.ConnectorFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class SimMemConnectorFactoryTest {

    private static List<String> problems(SimMemConfig config) {
        List<String> out = new ArrayList<>();
        new SimMemConnectorFactory().validate(config, (path, message) -> out.add(path + ": " + message));
        return out;
    }

    @Test
    void registeredAsSimmem() {
        assertTrue(ServiceLoader.load(ConnectorFactory.class).stream()
                .anyMatch(p -> p.get().type().equals("simmem")));
    }

    @Test
    void aTypicalAccConfigIsValid() {
        assertEquals(List.of(), problems(config(List.of(page("acc-physics", null), page("acc-graphics", null),
                page("acc-static", null)))));
    }

    @Test
    void reportsEachProblemWithItsKeyPath() {
        PageConfig unknownField = new PageConfig("acc-physics", Optional.empty(), Optional.empty(),
                List.of("speedKmh", "warpFactor"), 0, Duration.ofMillis(100), Optional.empty(), SimMemConfig.Shape.TAGS);
        PageConfig rateOnTe = new PageConfig("tennessee-eastman", Optional.empty(), Optional.empty(), List.of(), 10,
                Duration.ofMillis(100), Optional.empty(), SimMemConfig.Shape.TAGS);
        List<String> p = problems(new SimMemConfig(List.of(unknownField, page("acc-fizzics", null), rateOnTe,
                page("ac1-physics", null), page("my-layout.yaml", null)), true, " ", Duration.ofNanos(1000),
                Duration.ofMillis(1), Duration.ofSeconds(1), false, false, true, 2, 100));
        assertTrue(p.contains("pages[0].fields[1]: layout acc-physics has no field 'warpFactor'"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("pages[1].layout: no shipped layout named 'acc-fizzics'")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("pages[2].max-rate:")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("pages[3].tag-prefix: 'physics' is used by another page")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("poll-interval:")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("stale-after:")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("lap-tag:")), p.toString());
        assertTrue(p.stream().noneMatch(s -> s.startsWith("pages[4]")), "files are checked at start: " + p);
        assertEquals(List.of("pages: at least one page is required, e.g. [{layout: acc-physics}]"),
                problems(config(List.of())));
    }
}
