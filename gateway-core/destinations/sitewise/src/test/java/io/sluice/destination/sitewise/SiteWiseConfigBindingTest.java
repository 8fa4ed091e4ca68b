package io.sluice.destination.sitewise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The destination's config record as the runtime binds it from YAML. */
class SiteWiseConfigBindingTest {

    @Test
    void bindsEveryKey() {
        GatewayConfig config = ConfigLoader.parse("""
                destinations:
                  sitewise:
                    type: sitewise
                    region: eu-central-1
                    endpoint-override: http://127.0.0.1:9999
                    addressing: ids
                    property-alias: "{machine}.{tag}"
                    properties:
                      press-3.temperature: {asset-id: 0c8e4f9a-3b1d-4c7e-9f2a-1d2e3f4a5b6c, property-id: 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}
                    max-entries-per-request: 5
                    max-values-per-entry: 4
                    max-age: 1d
                    max-ahead: 1m
                    request-timeout: 3s
                    window-samples: 500
                """, "gateway.yaml");
        SiteWiseDestinationConfig c = (SiteWiseDestinationConfig) config.destinations().get("sitewise").options();
        assertEquals(Optional.of("eu-central-1"), c.region());
        assertEquals(Optional.of("http://127.0.0.1:9999"), c.endpointOverride());
        assertEquals(SiteWiseDestinationConfig.Addressing.IDS, c.addressing());
        assertEquals("{machine}.{tag}", c.propertyAlias().toString());
        assertEquals("7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", c.properties().get("press-3.temperature").propertyId());
        assertEquals(5, c.maxEntriesPerRequest());
        assertEquals(4, c.maxValuesPerEntry());
        assertEquals(io.sluice.spi.destination.SampleWindow.of(Duration.ofDays(1), Duration.ofMinutes(1)),
                config.destinations().get("sitewise").window());
        assertEquals(Duration.ofSeconds(3), c.requestTimeout());
        assertEquals(500, c.windowSamples());
        assertEquals("sitewise-dead-letter", config.destinations().get("sitewise").deadLetterStream());
    }

    @Test
    void defaultsNeedOnlyTheType() {
        GatewayConfig config = ConfigLoader.parse("destinations:\n  sw: {type: sitewise}\n", "gateway.yaml");
        SiteWiseDestinationConfig c = (SiteWiseDestinationConfig) config.destinations().get("sw").options();
        SiteWiseDestinationConfig d = SiteWiseDestinationConfig.defaults(Optional.empty(), Optional.empty());
        assertEquals(d.toString(), c.toString());
        assertEquals("/{site}/{area}/{machine}/{tag}", c.propertyAlias().toString());
        assertEquals(SiteWiseDestinationConfig.Addressing.ALIAS, c.addressing());
        assertEquals(10, c.maxEntriesPerRequest());
        assertEquals(io.sluice.spi.destination.SampleWindow.of(Duration.ofDays(7), Duration.ofMinutes(10)),
                config.destinations().get("sw").window(), "the service's own window");
    }

    @Test
    void reportsProblemsWithKeyPaths() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                destinations:
                  sw:
                    type: sitewise
                    region: Frankfurt
                    max-entries-per-request: 11
                    max-age: 8d
                    adressing: ids
                """, "gateway.yaml"));
        String text = e.getMessage();
        assertTrue(text.contains("destinations.sw.region"), text);
        assertTrue(text.contains("destinations.sw.max-entries-per-request"), text);
        assertTrue(text.contains("destinations.sw.max-age: expected a duration above 0s and at most 7d"), text);
        assertTrue(text.contains("destinations.sw.adressing"), text);
    }

    @Test
    void refusesTheAllZeroIdsTheServiceRefuses() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                destinations:
                  sw:
                    type: sitewise
                    addressing: ids
                    properties:
                      press-3.temperature: {asset-id: 00000000-0000-0000-0000-000000000000, property-id: 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}
                """, "gateway.yaml"));
        String text = e.getMessage();
        assertTrue(text.contains("asset-id"), text);
        assertTrue(text.contains("all-zero"), text);
    }
}
