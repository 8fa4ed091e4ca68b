package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcda.cli.OpcDaCommand;
import io.sluice.runtime.Plugins;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.spi.Value;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code sluice opcda browse --emit-config} over the in-memory server's address space (no real OPC DA server runs here):
 * the entry pastes into a config that binds, one item per leaf.
 */
@Timeout(30)
class OpcDaEmitConfigTest {

    @Test
    void browsedItemsPasteIntoAConfigThatBinds() {
        InMemoryOpcDaServer server = new InMemoryOpcDaServer();
        for (String id : new String[] {"Random.Real8", "Random.Int4", "Bucket Brigade.UInt2"}) {
            server.define(id, Value.of(0L), 0xC0, Instant.EPOCH);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new OpcDaCommand(server));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("browse", "--host", "10.0.0.5", "--domain", "PLANT", "--user", "gw", "--password=pw",
                "--password-env", "BOILER_PW", "--progid", "Matrikon.OPC.Simulation.1", "--path", "Random", "--emit-config",
                "--connector", "boiler");
        assertEquals(0, code, err.toString());
        String entry = out.toString();
        assertTrue(!entry.contains("pw\""), "the password is never written: " + entry);

        GatewayConfig config = new ConfigLoader(Plugins.discover(), name -> name.equals("BOILER_PW") ? "from-env" : null)
                .parseText("connectors:\n" + entry + "streams:\n  telemetry: {}\n", "pasted.yaml");
        OpcDaConnectorConfig c = assertInstanceOf(OpcDaConnectorConfig.class, config.connectors().get("boiler").options());
        assertEquals("10.0.0.5", c.host());
        assertEquals("from-env", c.password().reveal());
        assertEquals("random", c.groups().get(0).name());
        assertEquals(List.of("Random.Int4", "Random.Real8"),
                c.groups().get(0).items().stream().map(OpcDaConnectorConfig.Item::itemId).sorted().toList());
    }
}
