package io.sluice.gateway.cli;

import static io.sluice.gateway.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.gateway.cli.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
