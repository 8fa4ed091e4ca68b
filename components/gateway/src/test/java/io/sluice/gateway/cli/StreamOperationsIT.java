package io.sluice.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.publish.DeadLetterNote;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StoreInspector;
import io.sluice.runtime.store.StreamSettings;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream operations of the CLI against a running {@code sluice run} (its admin endpoint, with a bearer token)
 * delivering to the file destination, and then against its stopped data directory: replay re-delivers exactly the
 * requested range, redrive empties the dead-letter stream into its origin, purge counts what it removed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StreamOperationsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }

    /** The delivered lines of the file destination, as (tag, stream sequence). */
    private List<JsonNode> delivered() {
        Path file = dir.resolve("out").resolve("samples.jsonl");
        List<JsonNode> out = new ArrayList<>();
        try {
            if (!Files.exists(file)) return out;
            for (String line : Files.readAllLines(file)) out.add(JSON.readTree(line));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    private static List<Long> sequences(List<JsonNode> lines) {
        return lines.stream().map(n -> n.get("seq").asLong()).toList();
    }

    private long stored(Path data, String stream) {
        try (StoreInspector store = new StoreInspector(data.resolve(Gateway.STORE_FILE))) {
            return store.streams().stream().filter(s -> s.name().equals(stream)).findFirst().orElseThrow().storedSamples();
        }
    }

    /** 100 samples in telemetry, and 10 dead letters of telemetry (as the publisher writes them) in dlq. */
    private void prefill(Path data) {
        try (SqliteStreamStore store = SqliteStreamStore.open(data.resolve(Gateway.STORE_FILE), SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(
                    new StreamSettings("telemetry", Long.MAX_VALUE, Duration.ofDays(7), io.sluice.runtime.config.StreamConfig.WhenFull.REJECT_NEW, true, Set.of()),
                    new StreamSettings("dlq", Long.MAX_VALUE, Duration.ofDays(7), io.sluice.runtime.config.StreamConfig.WhenFull.REJECT_NEW, true, Set.of())));
            long now = System.currentTimeMillis() * 1_000_000L;
            List<Sample> good = new ArrayList<>();
            for (int i = 0; i < 100; i++) good.add(Sample.good("line1.temp", Value.of((long) i), now + i));
            Durations.await(store.append("telemetry", "plc", good, null), Duration.ofSeconds(10));
            List<Sample> rejected = new ArrayList<>();
            for (int i = 0; i < 10; i++) rejected.add(Sample.good("line1.bad", Value.of((long) i), now + 100 + i));
            String note = new DeadLetterNote("telemetry", 500, 509, "kinesis", "value out of range").format();
            Durations.await(store.append("dlq", "plc", rejected, note), Duration.ofSeconds(10));
        }
    }

    private Path config() throws Exception {
        return Files.writeString(dir.resolve("gateway.yaml"), """
                admin: {listen: "127.0.0.1:0", auth: token}
                streams:
                  telemetry:
                    export: [{destination: files}, {destination: archive}]
                  dlq: {}
                destinations:
                  files: {type: file, directory: "%s"}
                  archive: {type: file, directory: "%s", enabled: false}
                """.formatted(dir.resolve("out"), dir.resolve("archive")));
    }

    @Test
    void replayRedriveAndPurgeOnARunningGatewayThenOnItsStoppedDataDirectory() throws Exception {
        Path data = dir.resolve("data");
        prefill(data);
        Path config = config();
        String d = data.toString();
        try (SluiceProcess gateway = new SluiceProcess("run", "--config", config.toString(), "--data", d)) {
            gateway.awaitLogged("gateway started", 1);
            await(() -> Files.exists(data.resolve("admin.json")), "the admin endpoint is up");
            await(() -> delivered().size() == 100, "the 100 stored samples are delivered");
            assertEquals(LongStream.range(0, 100).boxed().toList(), sequences(delivered()));

            // replay: exactly 60..99 again
            InProcessCli.Result refused = InProcessCli.run("streams", "replay", "telemetry", "--destination", "files", "--from", "60", "--data", d);
            assertEquals(2, refused.exit(), refused.err());
            refused.assertOneLine("needs --yes");
            InProcessCli.Result replay = InProcessCli.run("streams", "replay", "telemetry", "--destination", "files", "--from", "60", "--yes", "--data", d);
            assertEquals(0, replay.exit(), replay.err());
            assertTrue(replay.out().contains("40 samples (60 to 99) are delivered again"), replay.out());
            await(() -> delivered().size() == 140, "the range is delivered again");
            assertEquals(LongStream.range(60, 100).boxed().toList(), sequences(delivered().subList(100, 140)));
            gateway.awaitLogged("replay by cli user=", 1);

            // redrive: the dead-letter stream empties into telemetry, whose destination delivers it
            InProcessCli.Result redrive = InProcessCli.run("streams", "redrive", "dlq", "--data", d);
            assertEquals(0, redrive.exit(), redrive.err());
            assertTrue(redrive.out().contains("10 samples moved back (telemetry 10), 10 removed from it"), redrive.out());
            assertEquals(0, stored(data, "dlq"));
            await(() -> delivered().size() == 150, "the redriven samples are delivered");
            List<JsonNode> redriven = delivered().subList(140, 150);
            assertEquals(LongStream.range(100, 110).boxed().toList(), sequences(redriven));
            assertTrue(redriven.stream().allMatch(n -> n.get("tag").asText().equals("line1.bad")), redriven.toString());

            // test and pause: a clear verdict, and a state status shows
            InProcessCli.Result test = InProcessCli.run("destinations", "test", "files", "--data", d);
            assertEquals(0, test.exit(), test.err());
            assertTrue(test.out().startsWith("destination files: OK, folder"), test.out());
            InProcessCli.Result pause = InProcessCli.run("destinations", "pause", "files", "--data", d);
            assertTrue(pause.out().contains("paused"), pause.out() + pause.err());
            await(() -> InProcessCli.run("status", "--data", d).out().contains("PAUSED"), "status shows PAUSED");

            // purge: counts what it removed (the disabled archive kept all 110)
            InProcessCli.Result purge = InProcessCli.run("streams", "purge", "telemetry", "--yes", "--data", d);
            assertEquals(0, purge.exit(), purge.err());
            assertTrue(purge.out().contains("purged 110 samples (sequences 0 to 109"), purge.out());
            assertEquals(0, stored(data, "telemetry"));
            gateway.awaitLogged("purge by cli user=", 1);
            assertEquals(0, gateway.stop(), gateway.output());
        }

        // the same commands on the stopped data directory
        InProcessCli.Result resume = InProcessCli.run("destinations", "resume", "files", "--data", d);
        assertEquals(0, resume.exit(), resume.err());
        assertTrue(resume.out().contains("resumed; it sends when the gateway starts"), resume.out());
        InProcessCli.Result nothing = InProcessCli.run("streams", "purge", "telemetry", "--yes", "--data", d);
        assertTrue(nothing.out().contains("nothing to purge"), nothing.out());
        InProcessCli.Result gone = InProcessCli.run("streams", "replay", "telemetry", "--destination", "files", "--from", "5", "--yes", "--data", d);
        assertEquals(1, gone.exit());
        assertTrue(gone.err().contains("sluice replay: stream telemetry: sequence 5 is no longer stored (the oldest stored is 110)"), gone.err());
        assertTrue(!gone.err().contains("\tat "), "no stack trace: " + gone.err());
    }
}
