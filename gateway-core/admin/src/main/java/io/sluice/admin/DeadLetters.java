package io.sluice.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.DestinationInstance;
import io.sluice.runtime.destination.SampleJson;
import io.sluice.runtime.publish.DeadLetterNote;
import io.sluice.runtime.store.StoredSample;
import io.sluice.runtime.store.StreamStats;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code GET /api/v1/dead-letters?stream=NAME&limit=N}: the newest dead-lettered samples (default 100, at most 1000)
 * of one dead-letter stream, or of every destination's dead-letter stream when {@code stream} is absent, each in the
 * file destination's JSON form with a {@code dead_letter} object: the destination that rejected it, the origin
 * stream, the origin sequences of the run it was rejected with ({@code origin_first}, {@code origin_last}) and the
 * reason.
 */
final class DeadLetters {

    static final int MAX_LIMIT = 1000;
    private static final JsonFactory JSON = new JsonFactory();

    private final Gateway gateway;
    private final ObjectMapper json;

    DeadLetters(Gateway gateway, ObjectMapper json) {
        this.gateway = gateway;
        this.json = json;
    }

    void handle(AdminExchange exchange) throws IOException {
        int limit = exchange.queryInt("limit", 100, 1, MAX_LIMIT);
        TreeSet<String> streams = new TreeSet<>();
        for (DestinationInstance d : gateway.config().destinations().values()) streams.add(d.deadLetterStream());
        String wanted = exchange.query("stream");
        if (wanted != null) {
            if (gateway.store().stats(wanted) == null) throw new AdminException(404, "no stream '" + wanted + "'");
            streams.clear();
            streams.add(wanted);
        }
        ObjectNode doc = json.createObjectNode();
        ArrayNode out = doc.putArray("deadLetters");
        for (String stream : streams) {
            StreamStats s = gateway.store().stats(stream);
            if (s == null) continue;
            long from = Math.max(s.firstSequence(), s.nextSequence() - limit);
            for (StoredSample x : gateway.store().read(stream, from, limit).samples()) out.add(node(stream, x));
        }
        exchange.json(200, doc);
    }

    private ObjectNode node(String stream, StoredSample x) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(text)) {
            SampleJson.write(g, stream, x.sequence(), x.connector(), x.sample(), Map.of());
        }
        ObjectNode node = (ObjectNode) json.readTree(text.toString());
        DeadLetterNote note = DeadLetterNote.parse(x.note()).orElse(null);
        if (note == null) {
            if (x.note() != null) node.put("note", x.note());
        } else {
            ObjectNode dead = node.putObject("dead_letter");
            dead.put("destination", note.destination());
            dead.put("origin_stream", note.originStream());
            dead.put("origin_first", note.firstSequence());
            if (note.lastSequence() >= 0) dead.put("origin_last", note.lastSequence());
            dead.put("reason", note.reason());
        }
        return node;
    }
}
