package io.sluice.gateway.cli;

import static io.sluice.gateway.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.gateway.cli.InProcessCli.Result;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.publish.DeadLetterNote;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code streams list|inspect|tail} and {@code status} on the data folder of a running gateway. */
@Timeout(120)
class StreamsCommandTest {

    @TempDir
    Path dir;

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }

    private static List<Sample> samples(String tag, int count) {
        long now = System.currentTimeMillis() * 1_000_000L;
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(Sample.good(tag, Value.of((long) i), now + i));
        return out;
    }

    @Test
    void aDestinationThatNeverStartedShowsItsBacklogStateAndReasonAndDeadLettersShowTheirOrigin() throws Exception {
        Path data = dir.resolve("data");
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "x");
        GatewayConfig config = ConfigLoader.parse("""
                streams:
                  s: {priority: 1, export: [{destination: files}, {destination: never}]}
                destinations:
                  files: {type: file, directory: "%s"}
                  never: {type: file, directory: "%s", max-backoff: 1s}
                """.formatted(dir.resolve("out").toString().replace("\\", "/"),
                blocker.resolve("out").toString().replace("\\", "/")), "test.yaml");
        try (Gateway g = Gateway.start(config, data)) {
            Durations.await(g.store().append("s", "sim", samples("s.t", 300), null), Duration.ofSeconds(10));
            String note = new DeadLetterNote("s", 100, 109, "never", "value out of range").format();
            Durations.await(g.store().append("never-dead-letter", "sim", samples("s.t", 10), note), Duration.ofSeconds(10));
            await(() -> g.store().cursor("s", "files") == 300, "the working destination has everything");
            Path statusFile = data.resolve(Gateway.STATUS_FILE);
            await(() -> {
                try {
                    JsonNode status = new ObjectMapper().readTree(statusFile.toFile());
                    return status.path("destinations").toString().contains("\"backlog\":300");
                } catch (Exception e) {
                    return false;
                }
            }, "status.json shows the backlog");

            Result list = run("streams", "list", "--data", data.toString());
            assertEquals(0, list.exit(), list.err());
            String sLine = list.out().lines().filter(l -> l.startsWith("s ")).findFirst().orElseThrow();
            assertTrue(sLine.matches("s\\s+300\\s+\\S+\\s+\\S+\\s+300\\s+300\\s+0\\s+0\\s+0"), sLine);

            Result inspect = run("streams", "inspect", "s", "--data", data.toString());
            assertEquals(0, inspect.exit(), inspect.err());
            assertTrue(inspect.out().contains("never                cursor 0  backlog 300 samples"), inspect.out());
            assertTrue(inspect.out().contains("state FAILED"), inspect.out());
            assertTrue(inspect.out().contains("last error: " + blocker.resolve("out")), inspect.out());
            assertTrue(inspect.out().contains("files                cursor 300  backlog 0 samples"), inspect.out());

            Result dead = run("streams", "inspect", "never-dead-letter", "--data", data.toString());
            assertEquals(0, dead.exit(), dead.err());
            assertTrue(dead.out().contains("dead letters (dead-letter stream of never)"), dead.out());
            assertTrue(dead.out().contains("10  never | s | value out of range"), dead.out());

            Result tail = run("streams", "tail", "never-dead-letter", "-n", "2", "--data", data.toString());
            assertEquals(0, tail.exit(), tail.err());
            List<String> lines = tail.out().lines().toList();
            assertEquals(2, lines.size(), tail.out());
            JsonNode last = new ObjectMapper().readTree(lines.get(1));
            assertEquals("s", last.path("dead_letter").path("origin_stream").asText(), lines.get(1));
            assertEquals(109, last.path("dead_letter").path("origin_seq").asLong(), lines.get(1));
            assertEquals("value out of range", last.path("dead_letter").path("reason").asText(), lines.get(1));

            Result status = run("status", "--data", data.toString());
            assertEquals(1, status.exit(), "running with a FAILED destination is degraded: " + status.err());
            String neverLine = status.out().lines().filter(l -> l.trim().startsWith("never ")).findFirst().orElseThrow();
            assertTrue(neverLine.contains("FAILED") && neverLine.contains("backlog 300") && neverLine.contains("cannot start"), neverLine);
        }
    }
}
