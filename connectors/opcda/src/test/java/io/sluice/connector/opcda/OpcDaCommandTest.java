package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcda.cli.OpcDaCliExtension;
import io.sluice.connector.opcda.cli.OpcDaCommand;
import io.sluice.spi.Value;
import io.sluice.spi.cli.CliExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code sluice opcda browse} printing the in-memory server's tree; the password never comes from the command line. */
class OpcDaCommandTest {

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(InMemoryOpcDaServer server, String... args) {
        CommandLine cl = new CommandLine(new OpcDaCommand(server));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    InMemoryOpcDaServer server() {
        InMemoryOpcDaServer s = new InMemoryOpcDaServer();
        for (String id : new String[] {"Random.Real8", "Random.Int4", "Bucket Brigade.UInt2"}) {
            s.define(id, Value.of(0L), 0xC0, Instant.EPOCH);
        }
        return s;
    }

    @Test
    void registeredAsOpcda() {
        boolean found = false;
        for (CliExtension e : ServiceLoader.load(CliExtension.class)) {
            found |= e.name().equals("opcda") && e.command() instanceof OpcDaCommand;
        }
        assertTrue(found);
        assertEquals("opcda", new OpcDaCliExtension().name());
    }

    @Test
    void browsePrintsTheTreeWithItemIds() {
        InMemoryOpcDaServer server = server();
        int code = run(server, "browse", "--host", "10.0.0.5", "--user", "gw", "--password=pw", "--progid", "Matrikon.OPC.Simulation.1");
        assertEquals(0, code, err.toString());
        assertEquals(String.join(System.lineSeparator(), "Bucket Brigade/", "  UInt2  [Bucket Brigade.UInt2]", "Random/",
                "  Int4  [Random.Int4]", "  Real8  [Random.Real8]", "3 items", ""), out.toString());
        var settings = server.settingsSeen.get(0);
        assertEquals("10.0.0.5", settings.host());
        assertEquals("pw", settings.password().reveal());
        assertTrue(!settings.toString().contains("pw"), "settings print without the password");
    }

    @Test
    void browseFromAPathFlatAndCapped() {
        assertEquals(0, run(server(), "browse", "--host", "h", "--user", "u", "--password=pw", "--progid", "P.1", "--path", "Random"));
        assertEquals(String.join(System.lineSeparator(), "  Int4  [Random.Int4]", "  Real8  [Random.Real8]", "2 items", ""), out.toString());
        out.getBuffer().setLength(0);
        InMemoryOpcDaServer flat = server();
        assertEquals(0, run(flat, "browse", "--host", "h", "--user", "u", "--password=pw", "--progid", "P.1", "--flat", "--max-items", "2"));
        assertEquals(String.join(System.lineSeparator(), "Bucket Brigade.UInt2", "Random.Int4", "... stopped at --max-items 2", "2 items", ""),
                out.toString());
    }

    @Test
    void browseNeedsExactlyOneServerName() {
        assertEquals(2, run(server(), "browse", "--host", "h", "--user", "u", "--password=pw"));
        assertTrue(err.toString().contains("exactly one of --progid and --clsid"));
    }

    @Test
    void missingPasswordIsAClearError() {
        int code = run(server(), "browse", "--host", "h", "--user", "u", "--password-env", "SLUICE_TEST_SURELY_UNSET_VARIABLE", "--progid", "P.1");
        assertEquals(1, code);
        assertTrue(err.toString().contains("no password: set SLUICE_TEST_SURELY_UNSET_VARIABLE or pass --password"), err.toString());
    }
}
