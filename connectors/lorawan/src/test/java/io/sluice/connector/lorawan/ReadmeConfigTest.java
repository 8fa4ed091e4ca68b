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
        assertEquals(3, config.connectors().size());
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

    @Test
    void otaaMistakesAreReportedWithTheirPaths() {
        String yaml = """
                connectors:
                  lora:
                    type: lorawan
                    stream: telemetry
                    network-server: {rx1-delay: 20s, rx1-dr-offset: 6, rx2-data-rate: 7, dev-addr-first: 26000010, dev-addr-last: 26000001}
                    profiles: {lpp: {codec: cayenne-lpp}}
                    devices:
                      both: {dev-addr: 26011f2a, nwk-s-key: 000102030405060708090a0b0c0d0e0f, app-s-key: 000102030405060708090a0b0c0d0e0f,
                             dev-eui: 70b3d57ed0001234, app-key: 000102030405060708090a0b0c0d0e0f, profile: lpp}
                      no-eui: {app-key: 000102030405060708090a0b0c0d0e0f, profile: lpp}
                      short-key: {dev-eui: 70b3d57ed0001235, app-key: 0001, profile: lpp}
                  mqtt-side:
                    type: lorawan
                    stream: telemetry
                    mode: mqtt
                    mqtt: {server: "tcp://127.0.0.1:1883"}
                    network-server: {}
                    profiles: {lpp: {codec: cayenne-lpp}}
                    devices:
                      d: {dev-eui: 70b3d57ed0001239, profile: lpp}
                streams:
                  telemetry: {priority: 5}
                """;
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> ConfigLoader.parse(yaml, "g.yaml"));
        String m = e.getMessage();
        for (String path : new String[] {"network-server.rx1-delay", "network-server.rx1-dr-offset", "network-server.rx2-data-rate",
                "network-server.dev-addr-first", "devices.both.app-key", "devices.no-eui.dev-eui", "devices.short-key.app-key",
                "mqtt-side.network-server"}) {
            assertTrue(m.contains(path), path + " in: " + m);
        }
        assertTrue(!m.contains("000102030405060708090a0b0c0d0e0f"), "no key repeated: " + m);
    }

    @Test
    void anOtaaDeviceNeedsTheNetworkServerSection() {
        String yaml = """
                connectors:
                  lora:
                    type: lorawan
                    stream: telemetry
                    profiles: {lpp: {codec: cayenne-lpp}}
                    devices:
                      d: {dev-eui: 70b3d57ed0001234, app-key: 000102030405060708090a0b0c0d0e0f, profile: lpp}
                streams:
                  telemetry: {priority: 5}
                """;
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> ConfigLoader.parse(yaml, "g.yaml"));
        assertTrue(e.getMessage().contains("devices.d.app-key") && e.getMessage().contains("network-server"), e.getMessage());
    }
}
