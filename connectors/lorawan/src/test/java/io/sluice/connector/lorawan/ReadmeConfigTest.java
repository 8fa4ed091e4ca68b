package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The sample config of README.md binds and validates with the runtime's loader, so the documented keys are real. */
class ReadmeConfigTest {

    @Test
    void theReadmeSampleConfigIsValid() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```yaml\n") + 8;
        String yaml = readme.substring(start, readme.indexOf("```", start))
                .replaceAll("\\$\\{env:([A-Z0-9_]+)}", "\\${env:$1:-000102030405060708090a0b0c0d0e0f}")
                + "streams:\n  telemetry:\n    priority: 5\n";
        GatewayConfig config = ConfigLoader.parse(yaml, "README.md");
        assertEquals(2, config.connectors().size());
        assertTrue(config.toString().contains("site-sensors") || config.connectors().toString().contains("site-sensors"));
    }

    @Test
    void aWrongKeyIsReportedWithItsPath() {
        String yaml = """
                connectors:
                  lora:
                    type: lorawan
                    stream: telemetry
                    profiles: {lpp: {codec: cayenne-lpp}}
                    devices:
                      d1: {dev-addr: 26011f2a, nwk-s-key: 000102030405060708090a0b0c0d0e0f, app-s-key: 0001, profile: lpp}
                streams:
                  telemetry: {priority: 5}
                """;
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> ConfigLoader.parse(yaml, "g.yaml"));
        assertTrue(e.getMessage().contains("devices.d1.app-s-key"), e.getMessage());
        assertTrue(e.getMessage().contains("32 hexadecimal digits"), e.getMessage());
    }
}
