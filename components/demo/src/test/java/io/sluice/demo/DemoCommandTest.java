package io.sluice.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.gateway.cli.SluiceCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice demo} with the demo jar's classes on the class path: the command line finds it as an extension. */
class DemoCommandTest {

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    /** Runs {@code sluice} in this JVM, as an operator would from a shell (outputs captured, then restored). */
    static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = SluiceCli.newCommandLine().execute(args);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void demoConfigIsValidAndTheDemoWritesJsonLines() throws Exception {
        Path data = dir.resolve("data");
        Result printed = run("demo", "--print-config", "--data", data.toString());
        assertEquals(0, printed.exit());
        Path config = dir.resolve("demo.yaml");
        Files.writeString(config, printed.out());
        Result valid = run("validate", "--config", config.toString());
        assertEquals(0, valid.exit(), valid.err());

        Result demo = run("demo", "--duration", "3s", "--data", data.toString(), "--admin-listen", "127.0.0.1:0");
        assertEquals(0, demo.exit(), demo.err());
        List<String> lines = Files.readAllLines(data.resolve("export").resolve("samples.jsonl"));
        assertTrue(lines.size() > 100, "samples exported: " + lines.size());
        assertTrue(lines.get(0).startsWith("{\"stream\":"), lines.get(0));

        Result list = run("streams", "list", "--data", data.toString());
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("telemetry"), list.out());
        Result inspect = run("streams", "inspect", "telemetry", "--data", data.toString());
        assertEquals(0, inspect.exit(), inspect.err());
        assertTrue(inspect.out().contains("local-files"), inspect.out());
        // the demo drains its export at stop, and retention may already have deleted what every destination had
        long stored;
        try (io.sluice.runtime.store.StoreInspector store = new io.sluice.runtime.store.StoreInspector(
                data.resolve(io.sluice.runtime.Gateway.STORE_FILE))) {
            stored = store.streams().stream().filter(s -> s.name().equals("telemetry")).findFirst().orElseThrow().storedSamples();
        }
        Result tail = run("streams", "tail", "telemetry", "-n", "3", "--data", data.toString());
        assertEquals(0, tail.exit(), tail.err());
        assertEquals(Math.min(3, stored), tail.out().lines().count(), tail.out());
    }

    @Test
    void demoRefusesALapShorterThanTheSimulatorAllows() {
        Result r = run("demo", "--lap-time", "500ms", "--duration", "1s", "--data", dir.resolve("data").toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--lap-time must be at least 1s, got 500ms"), r.err());
        assertFalse(Files.exists(dir.resolve("data")), "nothing started");
    }
}
