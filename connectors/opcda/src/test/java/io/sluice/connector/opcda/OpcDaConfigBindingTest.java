package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.Plugins;
import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sample config and broken variants through the runtime's own loader: key names, defaults, error paths. */
class OpcDaConfigBindingTest {

    final ConfigLoader loader = new ConfigLoader(Plugins.discover(), Map.of("OPCDA_PASSWORD", "from-env")::get);

    static String sample() throws Exception {
        return Files.readString(Path.of("sample.yaml"));
    }

    @Test
    void sampleConfigBinds() throws Exception {
        GatewayConfig config = loader.parseText(sample(), "sample.yaml");
        var instance = config.connectors().get("boiler-house");
        OpcDaConnectorConfig c = assertInstanceOf(OpcDaConnectorConfig.class, instance.options());
        assertEquals("from-env", c.password().reveal());
        assertEquals("Matrikon.OPC.Simulation.1", c.progId().orElseThrow());
        assertEquals(OpcDaConnectorConfig.Acquisition.AUTO, c.acquisition());
        assertEquals(java.util.Optional.of("Europe/Berlin"), c.dateZone());
        assertEquals(2, c.groups().size());
        assertEquals(Duration.ofMillis(500), c.groups().get(0).updateRate());
        assertEquals(OpcDaConnectorConfig.RequestedType.FLOAT64, c.groups().get(0).items().get(2).type());
        var browse = c.groups().get(1).browse();
        assertEquals(List.of("Saw-toothed Waves"), browse.get(0).path());
        assertEquals(OpcDaConnectorConfig.BrowseMode.FLAT, browse.get(1).mode());
        assertEquals(8, browse.get(1).maxDepth(), "default applied");
        assertTrue(!instance.toString().contains("from-env"), "the password never prints");
    }

    @Test
    void errorsNameTheKeyPathInsideTheConnector() throws Exception {
        String broken = sample()
                .replace("    prog-id: Matrikon.OPC.Simulation.1", "    prog-id: 1Matrikon")
                .replace("          - item-id: Random.Int4", "          - item-id: \"\"");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parseText(broken, "opcda.yaml"));
        String text = e.getMessage();
        assertTrue(text.contains("connectors.boiler-house.prog-id: expected a ProgID"), text);
        assertTrue(text.contains("connectors.boiler-house.groups[0].items[1].item-id: expected an ItemID"), text);
    }

    @Test
    void typeErrorsComeFromTheBinderWithLineAndColumn() throws Exception {
        String broken = sample().replace("acquisition: auto", "acquisition: push").replace("update-rate: 5s", "update-rate: soon");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parseText(broken, "opcda.yaml"));
        String text = e.getMessage();
        assertTrue(text.contains("opcda.yaml:17:18: connectors.boiler-house.acquisition: expected one of [subscription, polling, auto], got 'push'"), text);
        assertTrue(text.contains("connectors.boiler-house.groups[1].update-rate"), text);
    }
}
