package io.sluice.destination.sitewise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.config.Template;
import io.sluice.spi.destination.DestinationFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class SiteWiseDestinationFactoryTest {

    private final SiteWiseDestinationFactory factory = new SiteWiseDestinationFactory();

    private List<String> problems(SiteWiseDestinationConfig config) {
        List<String> out = new ArrayList<>();
        factory.validate(config, (key, message) -> out.add(key + ": " + message));
        return out;
    }

    @Test
    void isFoundByServiceLoader() {
        boolean found = false;
        for (DestinationFactory<?> f : ServiceLoader.load(DestinationFactory.class)) {
            found |= f.type().equals("sitewise");
        }
        assertTrue(found);
        assertEquals(SiteWiseDestinationConfig.class, factory.configType());
    }

    @Test
    void defaultsAreValid() {
        assertEquals(List.of(), problems(SiteWiseDestinationConfig.defaults(Optional.of("eu-central-1"),
                Optional.of("https://data.iotsitewise.eu-central-1.amazonaws.com"))));
        assertInstanceOf(SiteWiseDestination.class, factory.create("cloud",
                SiteWiseDestinationConfig.defaults(Optional.empty(), Optional.empty())));
    }

    @Test
    void reportsEveryProblemWithItsKey() {
        SiteWiseDestinationConfig bad = new SiteWiseDestinationConfig(Optional.of("eu-central-1"),
                Optional.of("ftp://host"), SiteWiseDestinationConfig.Addressing.ALIAS, Template.parse("/fixed/alias"),
                Map.of("/a", new SiteWiseDestinationConfig.PropertyIds("x", "y")), 10, 10, Duration.ofMillis(10), 1000);
        List<String> p = problems(bad);
        assertEquals(4, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("endpoint-override: expected an http:// or https:// URL"), p.get(0));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("property-alias: ")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("properties: is only used with addressing: ids")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("request-timeout: ")), p.toString());
    }

    @Test
    void idsAddressingNeedsMappings() {
        SiteWiseDestinationConfig ids = SiteWiseDestinationConfig.defaults(Optional.empty(), Optional.empty()).withIds(Map.of());
        assertEquals(List.of("properties: addressing: ids needs at least one entry mapping a rendered property-alias "
                + "to asset-id and property-id"), problems(ids));
    }
}
