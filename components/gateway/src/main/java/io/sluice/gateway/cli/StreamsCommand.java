package io.sluice.gateway.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.destination.SampleJson;
import io.sluice.runtime.publish.DeadLetterNote;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "streams", mixinStandardHelpOptions = true, description = "Looks into a data directory's streams (works while the gateway runs), traces a sample, and purges, replays and redrives them.",
        subcommands = {StreamsCommand.ListStreams.class, StreamsCommand.Inspect.class, StreamsCommand.Tail.class,
                StreamTraceCommand.class, StreamOperationCommands.Purge.class, StreamOperationCommands.Replay.class, StreamOperationCommands.Redrive.class})
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

    /**
     * The destinations a stream is exported to according to the gateway's last status.json (a destination that never
     * started included), or null when there is no status to tell.
     */
    static Set<String> exportedTo(JsonNode status, String stream) {
        if (status == null || !status.has("destinations")) return null;
        boolean gatewayStopped = status.path("state").asText().equals("stopped");
        Set<String> out = new TreeSet<>();
        for (JsonNode d : status.path("destinations")) {
            // while the gateway runs, a STOPPED destination is one the configuration no longer has
            if (!d.has("exports")) return null; // written by a version that did not list exports
            if (!gatewayStopped && d.path("state").asText().equals("STOPPED")) continue;
            for (JsonNode e : d.path("exports")) {
                if (e.path("stream").asText().equals(stream)) out.add(d.path("name").asText());
            }
        }
        return out;
    }

    /** Destinations to show for a stream: those it is exported to, and any other with a cursor in the store. */
    static Set<String> destinationsOf(StreamStats s, JsonNode status) {
        Set<String> out = new TreeSet<>(s.cursors().keySet());
        Set<String> exported = exportedTo(status, s.name());
        if (exported != null) out.addAll(exported);
        return out;
    }

    /** Largest backlog over the destinations the stream is exported to (every cursor when status.json is missing). */
    static long backlog(StreamStats s, JsonNode status) {
        Set<String> exported = exportedTo(status, s.name());
        Set<String> destinations = exported != null ? exported : s.cursors().keySet();
        return destinations.stream().mapToLong(s::backlog).max().orElse(0);
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

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "One line per stream: stored samples, size, oldest age, backlog (of the destination furthest behind), drops.")
    static final class ListStreams implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DataOption data;

        @Override
        public Integer call() {
            try (StoreInspector store = data.open()) {
                JsonNode status = data.status();
                System.out.printf("%-28s %12s %9s %9s %12s %12s %10s %10s %10s%n",
                        "STREAM", "SAMPLES", "BYTES", "OLDEST", "NEXT-SEQ", "BACKLOG", "DROP-TTL", "DROP-FULL", "REJECTED");
                for (StreamStats s : store.streams()) {
                    long backlog = StreamsCommand.backlog(s, status);
                    System.out.printf("%-28s %,12d %9s %9s %,12d %,12d %,10d %,10d %,10d%n", s.name(), s.storedSamples(),
                            bytes(s.storedBytes()), age(s.oldestReceiveNanos()), s.nextSequence(), backlog,
                            s.droppedTtl(), s.droppedFull(), s.rejected());
                }
            }
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Details of one stream: sequences, drops, each destination's cursor, backlog, state and publisher metrics, and for a dead-letter stream its samples by origin and reason.")
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
                Set<String> exported = exportedTo(status, s.name());
                System.out.println("  destinations:");
                for (String name : destinationsOf(s, status)) {
                    Long cursor = s.cursors().get(name);
                    System.out.printf("    %-20s cursor %s  backlog %,d samples%s%n", name,
                            cursor == null ? "none" : String.format("%,d", cursor), s.backlog(name),
                            exported != null && !exported.contains(name) ? "  (not exported in the last configuration)" : "");
                    JsonNode d = destinationStatus(status, name);
                    if (d != null) {
                        long since = d.path("stateSinceMillis").asLong();
                        System.out.printf("      state %s%s%n", d.path("state").asText(), since == 0 ? "" : " for " + age(since * 1_000_000L));
                        if (d.path("startFailures").asLong() > 0) {
                            System.out.printf("      failed starts %,d%n", d.path("startFailures").asLong());
                        }
                        System.out.printf("      sent %,d samples in %,d records / %,d calls (%s), retries %,d, throttles %,d, dead-lettered %,d, rate %.0f%%%n",
                                d.path("samplesSent").asLong(), d.path("packetsSent").asLong(),
                                d.path("calls").asLong(), bytes(d.path("bytesSent").asLong()), d.path("retries").asLong(),
                                d.path("throttles").asLong(), d.path("deadLettered").asLong(), d.path("rateFactor").asDouble() * 100);
                        long last = d.path("lastSuccessMillis").asLong();
                        System.out.printf("      last success %s%n", last == 0 ? "never" : age(last * 1_000_000L) + " ago");
                        d.path("failures").fields().forEachRemaining(f -> System.out.printf("      failures %-50s %,d%n", f.getKey(), f.getValue().asLong()));
                        if (!d.path("lastError").asText().isEmpty()) System.out.println("      last error: " + d.path("lastError").asText());
                    }
                }
                printDeadLetters(store, s.name(), status);
                if (status != null) {
                    long written = status.path("writtenMillis").asLong();
                    System.out.println("  (publisher metrics from status.json written " + age(written * 1_000_000L) + " ago)");
                }
            }
            return 0;
        }

        /** For a stream holding dead letters: where they came from and why, counted from what is stored. */
        private static void printDeadLetters(StoreInspector store, String stream, JsonNode status) {
            Map<String, Long> byNote = store.noteCounts(stream);
            if (byNote.isEmpty()) return;
            Map<String, Long> byReason = new TreeMap<>();
            Map<String, Long> unknown = new TreeMap<>();
            byNote.forEach((note, count) -> DeadLetterNote.parse(note).ifPresentOrElse(
                    n -> byReason.merge(n.destination() + " | " + n.originStream() + " | " + n.reason(), count, Long::sum),
                    () -> unknown.merge(note, count, Long::sum)));
            String of = "";
            if (status != null) {
                for (JsonNode d : status.path("destinations")) {
                    if (d.path("deadLetterStream").asText().equals(stream)) of += (of.isEmpty() ? "" : ", ") + d.path("name").asText();
                }
            }
            System.out.println("  dead letters" + (of.isEmpty() ? "" : " (dead-letter stream of " + of + ")") + ", by destination | origin stream | reason:");
            byReason.forEach((key, count) -> System.out.printf("    %,10d  %s%n", count, key));
            unknown.forEach((note, count) -> System.out.printf("    %,10d  %s%n", count, note));
        }

        private static JsonNode destinationStatus(JsonNode status, String name) {
            if (status == null) return null;
            for (JsonNode d : status.path("destinations")) {
                if (d.path("name").asText().equals(name)) return d;
            }
            return null;
        }
    }

    @Command(name = "tail", mixinStandardHelpOptions = true, description = "Prints the newest samples of a stream as JSON Lines (a dead letter with its origin stream, sequence and reason); --follow keeps printing.")
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
                ObjectMapper mapper = new ObjectMapper();
                do {
                    List<StoredSample> samples = store.read(stream, from, follow ? 10_000 : lines);
                    List<StoreInspector.NotedBlock> noted = samples.isEmpty() ? List.of()
                            : store.notedBlocks(stream, samples.get(0).sequence(), samples.get(samples.size() - 1).sequence() + 1);
                    for (StoredSample x : samples) {
                        if (x.note() == null) {
                            SampleJson.write(g, stream, x.sequence(), x.connector(), x.sample(), Map.of());
                            g.flush();
                        } else {
                            writeNoted(mapper, out, stream, x, noted);
                        }
                        out.write('\n');
                        from = x.sequence() + 1;
                    }
                    out.flush();
                    if (follow && samples.isEmpty()) Thread.sleep(500);
                } while (follow);
            }
            return 0;
        }

        /**
         * A sample with a note (a dead letter) gets a {@code dead_letter} object: the destination that rejected it, its
         * origin stream and sequence there, and the reason; an unreadable note is shown as {@code note}.
         */
        private static void writeNoted(ObjectMapper mapper, Writer out, String stream, StoredSample x,
                                       List<StoreInspector.NotedBlock> noted) throws IOException {
            java.io.StringWriter text = new java.io.StringWriter();
            try (JsonGenerator g = new JsonFactory().createGenerator(text)) {
                SampleJson.write(g, stream, x.sequence(), x.connector(), x.sample(), Map.of());
            }
            com.fasterxml.jackson.databind.node.ObjectNode node = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(text.toString());
            DeadLetterNote note = DeadLetterNote.parse(x.note()).orElse(null);
            if (note == null) {
                node.put("note", x.note());
            } else {
                long blockFirst = noted.stream().filter(b -> b.firstSequence() <= x.sequence() && x.sequence() < b.firstSequence() + b.count())
                        .mapToLong(StoreInspector.NotedBlock::firstSequence).findFirst().orElse(x.sequence());
                long origin = note.originSequence((int) (x.sequence() - blockFirst));
                com.fasterxml.jackson.databind.node.ObjectNode dead = node.putObject("dead_letter");
                dead.put("destination", note.destination());
                dead.put("origin_stream", note.originStream());
                if (origin >= 0) dead.put("origin_seq", origin);
                dead.put("reason", note.reason());
            }
            out.write(mapper.writeValueAsString(node));
        }
    }
}
