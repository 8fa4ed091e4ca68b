package io.sluice.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the gateway's {@code status.json} from its data directory, as an operator's tool would: by key, tolerant of
 * keys it does not know, so the soak keeps working while the status grows.
 */
final class StatusFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One stream as the status shows it. */
    record StreamView(long nextSequence, Map<String, Long> cursors) {
        /** Samples {@code destination} has not had yet (the whole stream if it has no cursor). */
        long backlog(String destination, long firstSequence) {
            Long c = cursors.get(destination);
            return nextSequence - Math.max(firstSequence, c == null ? firstSequence : c);
        }
    }

    /** What the soak needs from one status file. */
    record Snapshot(String state, long writtenMillis, String storeState, String storeDetail,
                    Map<String, StreamView> streams, Map<String, Long> firstSequences,
                    Map<String, Long> connectorRefused, Map<String, Long> deadLettered) {
        long backlog(String stream, String destination) {
            StreamView v = streams.get(stream);
            return v == null ? Long.MAX_VALUE : v.backlog(destination, firstSequences.getOrDefault(stream, 0L));
        }
    }

    private StatusFile() {}

    /** The current status, or {@code null} if there is none or it cannot be read right now. */
    static Snapshot read(Path dataDir) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(dataDir.resolve("status.json")));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
        if (root == null || !root.isObject()) return null;
        Map<String, StreamView> streams = new LinkedHashMap<>();
        Map<String, Long> firsts = new LinkedHashMap<>();
        for (JsonNode s : root.path("streams")) {
            Map<String, Long> cursors = new LinkedHashMap<>();
            s.path("cursors").fields().forEachRemaining(e -> cursors.put(e.getKey(), e.getValue().asLong()));
            String name = s.path("name").asText();
            streams.put(name, new StreamView(s.path("nextSequence").asLong(), cursors));
            firsts.put(name, s.path("firstSequence").asLong());
        }
        Map<String, Long> refused = new LinkedHashMap<>();
        for (JsonNode c : root.path("connectors")) refused.put(c.path("name").asText(), c.path("samplesRefused").asLong());
        Map<String, Long> deadLettered = new LinkedHashMap<>();
        for (JsonNode d : root.path("destinations")) deadLettered.put(d.path("name").asText(), d.path("deadLettered").asLong());
        JsonNode store = root.path("store");
        return new Snapshot(root.path("state").asText(""), root.path("writtenMillis").asLong(),
                store.path("state").asText(""), store.path("detail").asText(""), streams, firsts, refused, deadLettered);
    }
}
