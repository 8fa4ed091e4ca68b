package io.sluice.connector.simmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.cli.CliExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimCliTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CliExtension ext = ServiceLoader.load(CliExtension.class).stream().map(ServiceLoader.Provider::get)
                .filter(e -> e.name().equals("sim")).findFirst().orElseThrow();
        CommandLine cl = new CommandLine(ext.command());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void layoutsEmitConfigPastesIntoAConfigThatBindsWithEveryField() {
        assertEquals(0, run("layouts", "acc-physics", "tennessee-eastman", "--emit-config", "--connector", "race"), err.toString());
        String entry = out.toString();
        assertTrue(entry.contains("- \"speedKmh\"   # float32, km/h"), "types and units as comments: " + entry);
        io.sluice.runtime.config.GatewayConfig config = io.sluice.runtime.config.ConfigLoader.parse(
                "connectors:\n" + entry + "streams:\n  telemetry: {}\n", "pasted.yaml");
        SimMemConfig c = (SimMemConfig) config.connectors().get("race").options();
        assertEquals(2, c.pages().size());
        assertEquals("acc-physics", c.pages().get(0).layout());
        assertEquals(io.sluice.connector.simmem.layout.Layouts.resolve("acc-physics", dir).fields().size(),
                c.pages().get(0).fields().size());
        out.getBuffer().setLength(0);
        assertEquals(2, run("layouts", "--emit-config"));
        assertTrue(err.toString().contains("needs at least one LAYOUT"), err.toString());
    }

    @Test
    void layoutsListsEveryShippedLayoutAndShowsFields() {
        assertEquals(0, run("layouts"));
        for (String name : io.sluice.connector.simmem.layout.Layouts.SHIPPED) assertTrue(out.toString().contains(name), name);
        assertTrue(out.toString().contains("Local\\acpmf_physics"));
        out.getBuffer().setLength(0);
        assertEquals(0, run("layouts", "acc-graphics"));
        assertTrue(out.toString().matches("(?s).*\\n\\s+132\\s+4\\s+int32\\s+completedLaps.*"), out.toString());
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void dumpPrintsOneDecodedSnapshotOrSaysTheSimulatorIsNotRunning() throws Exception {
        Path page = dir.resolve("te");
        ByteBuffer b = ByteBuffer.allocate(424).order(ByteOrder.LITTLE_ENDIAN);
        b.putDouble(0, 42.5).putDouble(41 * 8, 7.25);
        Files.write(page, b.array());
        assertEquals(0, run("dump", "--layout", "tennessee-eastman", "--path", page.toString(), "--fields", "xmeas1,xmv1"));
        assertTrue(out.toString().contains("xmeas1") && out.toString().contains("42.5 kscmh"), out.toString());
        assertTrue(out.toString().contains("7.25 %"), out.toString());
        assertEquals(3, run("dump", "--layout", "acc-physics", "--path", dir.resolve("nothing").toString()));
        assertTrue(err.toString().contains("simulator not running"), err.toString());
    }

    @Test
    void checkReportsLayoutProblems() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: bad\npath: /dev/shm/x\nsize: 4\nfields:\n  - {name: a, type: int64}\n");
        assertEquals(1, run("check", bad.toString()));
        assertTrue(err.toString().contains("run past the page size 4"), err.toString());
    }
}
