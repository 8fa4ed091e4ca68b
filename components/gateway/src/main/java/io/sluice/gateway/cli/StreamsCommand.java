package io.sluice.gateway.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.destination.SampleJson;
import io.sluice.runtime.store.StoreInspector;
import io.sluice.runtime.store.StoredSample;
import io.sluice.runtime.store.StreamStats;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "streams", mixinStandardHelpOptions = true, description = "Looks into a data directory's streams (works while the gateway runs).",
        subcommands = {StreamsCommand.ListStreams.class, StreamsCommand.Inspect.class, StreamsCommand.Tail.class})
final class StreamsCommand {

    static class DataOption {
        @Option(names = {"-d", "--data"}, defaultValue = "./data", description = "Data directory (default ${DEFAULT-VALUE}).")
        Path data;

        StoreInspector open() {
            return new StoreInspector(data.resolve(Gateway.STORE_FILE));
        }

        JsonNode status() {
            Path file = data.resolve(Gateway.STATUS_FILE);
            if (!Files.exists(file)) return null;
            try {
                return new ObjectMapper().readTree(file.toFile());
            } catch (IOException e) {
                return null;
            }
        }
    }

    static String age(long epochNanos) {
        if (epochNanos <= 0) return "-";
        Duration d = Duration.between(Instant.ofEpochSecond(0, epochNanos), Instant.now());
        if (d.toDays() > 0) return d.toDays() + "d" + d.toHoursPart() + "h";
        if (d.toHours() > 0) return d.toHours() + "h" + d.toMinutesPart() + "m";
        if (d.toMinutes() > 0) return d.toMinutes() + "m" + d.toSecondsPart() + "s";
        return d.toSecondsPart() + "." + d.toMillisPart() / 100 + "s";
    }

    static String bytes(long b) {
        if (b >= 1L << 30) return String.format("%.1fGB", b / (double) (1L << 30));
        if (b >= 1L << 20) return String.format("%.1fMB", b / (double) (1L << 20));
        if (b >= 1L << 10) return String.format("%.1fKB", b / (double) (1L << 10));
        return b + "B";
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "One line per stream: stored samples, size, oldest age, backlog, drops.")
    static final class ListStreams implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DataOption data;

        @Override
        public Integer call() {
            try (StoreInspector store = data.open()) {
                System.out.printf("%-28s %12s %9s %9s %12s %12s %10s %10s %10s%n",
                        "STREAM", "SAMPLES", "BYTES", "OLDEST", "NEXT-SEQ", "BACKLOG", "DROP-TTL", "DROP-FULL", "REJECTED");
                for (StreamStats s : store.streams()) {
                    long backlog = s.cursors().isEmpty() ? 0 : s.cursors().keySet().stream().mapToLong(s::backlog).max().orElse(0);
                    System.out.printf("%-28s %,12d %9s %9s %,12d %,12d %,10d %,10d %,10d%n", s.name(), s.storedSamples(),
                            bytes(s.storedBytes()), age(s.oldestReceiveNanos()), s.nextSequence(), backlog,
                            s.droppedTtl(), s.droppedFull(), s.rejected());
                }
            }
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Details of one stream: sequences, cursors and backlog per destination, drops, and the destinations' publisher metrics.")
    static final class Inspect implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DataOption data;

        @Parameters(index = "0", description = "Stream name.")
        String stream;

        @Override
        public Integer call() {
            try (StoreInspector store = data.open()) {
                StreamStats s = store.streams().stream().filter(x -> x.name().equals(stream)).findFirst().orElse(null);
                if (s == null) {
                    System.err.println("no stream '" + stream + "' in " + data.data);
                    return 1;
                }
                System.out.printf("stream %s%n  samples stored   %,d (sequences %,d .. %,d)%n  bytes stored     %s%n  oldest sample    %s old%n",
                        s.name(), s.storedSamples(), s.firstSequence(), s.nextSequence() - 1, bytes(s.storedBytes()), age(s.oldestReceiveNanos()));
                System.out.printf("  dropped (ttl)    %,d%n  dropped (full)   %,d%n  rejected (full)  %,d%n", s.droppedTtl(), s.droppedFull(), s.rejected());
                JsonNode status = data.status();
                System.out.println("  destinations:");
                for (Map.Entry<String, Long> c : s.cursors().entrySet()) {
                    System.out.printf("    %-20s cursor %,d  backlog %,d samples%n", c.getKey(), c.getValue(), s.backlog(c.getKey()));
                    JsonNode d = destinationStatus(status, c.getKey());
                    if (d != null) {
                        System.out.printf("      state %s, sent %,d samples in %,d records / %,d calls (%s), retries %,d, throttles %,d, dead-lettered %,d, rate %.0f%%%n",
                                d.path("state").asText(), d.path("samplesSent").asLong(), d.path("packetsSent").asLong(),
                                d.path("calls").asLong(), bytes(d.path("bytesSent").asLong()), d.path("retries").asLong(),
                                d.path("throttles").asLong(), d.path("deadLettered").asLong(), d.path("rateFactor").asDouble() * 100);
                        long last = d.path("lastSuccessMillis").asLong();
                        System.out.printf("      last success %s%n", last == 0 ? "never" : age(last * 1_000_000L) + " ago");
                        d.path("failures").fields().forEachRemaining(f -> System.out.printf("      failures %-50s %,d%n", f.getKey(), f.getValue().asLong()));
                        if (!d.path("lastError").asText().isEmpty()) System.out.println("      last error: " + d.path("lastError").asText());
                    }
                }
                if (status != null) {
                    long written = status.path("writtenMillis").asLong();
                    System.out.println("  (publisher metrics from status.json written " + age(written * 1_000_000L) + " ago)");
                }
            }
            return 0;
        }

        private static JsonNode destinationStatus(JsonNode status, String name) {
            if (status == null) return null;
            for (JsonNode d : status.path("destinations")) {
                if (d.path("name").asText().equals(name)) return d;
            }
            return null;
        }
    }

    @Command(name = "tail", mixinStandardHelpOptions = true, description = "Prints the newest samples of a stream as JSON Lines; --follow keeps printing.")
    static final class Tail implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DataOption data;

        @Parameters(index = "0", description = "Stream name.")
        String stream;

        @Option(names = {"-n", "--lines"}, defaultValue = "10", description = "How many samples (default ${DEFAULT-VALUE}).")
        int lines;

        @Option(names = {"-f", "--follow"}, description = "Keep printing new samples until interrupted.")
        boolean follow;

        @Override
        public Integer call() throws Exception {
            try (StoreInspector store = data.open()) {
                StreamStats s = store.streams().stream().filter(x -> x.name().equals(stream)).findFirst().orElse(null);
                if (s == null) {
                    System.err.println("no stream '" + stream + "' in " + data.data);
                    return 1;
                }
                long from = Math.max(s.firstSequence(), s.nextSequence() - lines);
                Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
                JsonGenerator g = new JsonFactory().createGenerator(out);
                g.setRootValueSeparator(null);
                do {
                    List<StoredSample> samples = store.read(stream, from, follow ? 10_000 : lines);
                    for (StoredSample x : samples) {
                        SampleJson.write(g, stream, x.sequence(), x.connector(), x.sample(), Map.of());
                        g.flush();
                        out.write('\n');
                        from = x.sequence() + 1;
                    }
                    out.flush();
                    if (follow && samples.isEmpty()) Thread.sleep(500);
                } while (follow);
            }
            return 0;
        }
    }
}
