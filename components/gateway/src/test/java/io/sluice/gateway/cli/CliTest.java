package io.sluice.gateway.cli;

import static io.sluice.gateway.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.gateway.cli.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    @TempDir
    Path dir;

    @Test
    void validateListsEveryMistakeWithLocationAndExits2() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, """
                connectors:
                  sim:
                    type: simulator
                    stream: telemetry
                    tags: [{name: t, kind: sine}]
                    colour: blue
                streams:
                  telemetry:
                    priority: high
                routes:
                  - {tags: "a*", stream: missing}
                """);
        Result r = run("validate", "--config", config.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(config + ":6:5: connectors.sim.colour: unknown key 'colour'"), r.err());
        assertTrue(r.err().contains(config + ":9:15: streams.telemetry.priority: expected an integer, got 'high'"), r.err());
        assertTrue(r.err().contains(config + ":11:26: routes[0].stream: stream 'missing' is not defined"), r.err());
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
