package io.sluice.runtime.operations;

import io.sluice.runtime.publish.DeadLetterNote;
import io.sluice.runtime.store.DeliveryReceipt;
import io.sluice.runtime.store.StoreInspector;
import io.sluice.runtime.store.StoredSample;
import io.sluice.runtime.store.StreamStats;
import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.Receipt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Where one sample went ({@code sluice streams trace}, {@code GET /api/v1/streams/{name}/trace/{seq}}): when it was
 * received and that it is committed, and per destination whether its cursor passed it, the kept receipts of its
 * deliveries and the dead letters it became. Read from the store file only, so it works on a running gateway's data
 * directory and on a stopped one alike.
 *
 * @param stored        whether the sample is still stored (retention may have deleted it; receipts outlive it)
 * @param tag           its tag, when stored
 * @param sourceTime    its source time, when stored
 * @param receivedAt    when the gateway received it, when stored
 * @param committed     what is known of its commit: the store records no commit time, only that every stored
 *                      sample is committed (an append completes after its transaction)
 * @param destinations  per destination with a cursor on the stream (or named by the caller)
 */
public record SampleTrace(String stream, long sequence, boolean stored, String tag, Instant sourceTime,
                          Instant receivedAt, String committed, List<DestinationTrace> destinations) {

    /**
     * One destination's view of the sample.
     *
     * @param cursor      its next sequence on the stream, or -1 when it has no cursor (never settled anything)
     * @param passed      whether the cursor moved past the sample (delivered or dead-lettered)
     * @param deliveries  kept receipts of deliveries of runs holding the sample, oldest first
     * @param deadLetters dead-letter runs holding the sample that this destination wrote
     */
    public record DestinationTrace(String name, long cursor, boolean passed, List<Delivery> deliveries,
                                   List<DeadLetter> deadLetters) {

        /** delivered, dead-lettered, passed (cursor past it, no receipt kept), pending or no-cursor. */
        public String verdict() {
            if (!deliveries.isEmpty()) return "delivered";
            if (!deadLetters.isEmpty()) return "dead-lettered";
            if (passed) return "passed";
            return cursor < 0 ? "no-cursor" : "pending";
        }
    }

    /** One delivery of the run {@code [firstSequence, lastSequence]} holding the sample, with its receipt. */
    public record Delivery(Instant deliveredAt, long firstSequence, long lastSequence, Receipt receipt) {}

    /** The sample as a dead letter: in {@code stream} at {@code sequence} (-1 when the note does not say), and why. */
    public record DeadLetter(String stream, long sequence, String reason) {}

    /**
     * Traces {@code sequence} of {@code stream}; {@code destinations} adds destinations the stream is exported to that
     * may have no cursor yet (empty: those with a cursor).
     */
    public static SampleTrace of(StoreInspector store, String stream, long sequence, Collection<String> destinations) {
        StreamStats stats = store.streams().stream().filter(s -> s.name().equals(stream)).findFirst()
                .orElseThrow(() -> new SluiceException("no stream '" + stream + "'", false));
        if (sequence < 0 || sequence >= stats.nextSequence()) {
            throw new SluiceException("stream " + stream + " has sequences up to " + (stats.nextSequence() - 1)
                    + "; " + sequence + " has not been written", false);
        }
        List<StoredSample> read = sequence >= stats.firstSequence() ? store.read(stream, sequence, 1) : List.of();
        StoredSample sample = read.isEmpty() || read.get(0).sequence() != sequence ? null : read.get(0);
        String committed = sample != null
                ? "committed (stored; the store keeps no commit time, the append completed after its commit)"
                : "committed once (sequence " + sequence + " was written), no longer stored: retention or a purge deleted it";

        Map<String, List<Delivery>> deliveries = new LinkedHashMap<>();
        for (DeliveryReceipt r : store.receipts(stream, sequence)) {
            deliveries.computeIfAbsent(r.destination(), k -> new ArrayList<>()).add(new Delivery(
                    Instant.ofEpochMilli(r.deliveredAtMillis()), r.firstSequence(), r.lastSequence(), r.receipt()));
        }
        Map<String, List<DeadLetter>> deadLetters = deadLetters(store, stream, sequence);

        TreeSet<String> names = new TreeSet<>(stats.cursors().keySet());
        names.addAll(destinations);
        names.addAll(deliveries.keySet());
        names.addAll(deadLetters.keySet());
        List<DestinationTrace> out = new ArrayList<>();
        for (String name : names) {
            Long cursor = stats.cursors().get(name);
            out.add(new DestinationTrace(name, cursor == null ? -1 : cursor, cursor != null && cursor > sequence,
                    deliveries.getOrDefault(name, List.of()), deadLetters.getOrDefault(name, List.of())));
        }
        return new SampleTrace(stream, sequence, sample != null, sample == null ? null : sample.sample().tag(),
                sample == null ? null : sample.sample().sourceTime(), sample == null ? null : sample.sample().receiveTime(),
                committed, out);
    }

    /** The JSON form of {@code sluice streams trace --json} and the admin API: plain maps, lists, strings and numbers. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stream", stream);
        out.put("sequence", sequence);
        out.put("stored", stored);
        if (stored) {
            out.put("tag", tag);
            out.put("sourceTime", String.valueOf(sourceTime));
            out.put("receivedAt", String.valueOf(receivedAt));
        }
        out.put("committed", committed);
        List<Object> list = new ArrayList<>();
        for (DestinationTrace d : destinations) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", d.name());
            m.put("verdict", d.verdict());
            m.put("cursor", d.cursor() < 0 ? null : d.cursor());
            List<Object> deliveries = new ArrayList<>();
            for (Delivery x : d.deliveries()) {
                Map<String, Object> dm = new LinkedHashMap<>();
                dm.put("deliveredAt", x.deliveredAt().toString());
                dm.put("firstSequence", x.firstSequence());
                dm.put("lastSequence", x.lastSequence());
                Map<String, Object> receipt = new LinkedHashMap<>();
                receipt.put("kind", x.receipt().kind());
                receipt.putAll(x.receipt().fields());
                dm.put("receipt", receipt);
                deliveries.add(dm);
            }
            m.put("deliveries", deliveries);
            List<Object> dead = new ArrayList<>();
            for (DeadLetter x : d.deadLetters()) {
                Map<String, Object> dm = new LinkedHashMap<>();
                dm.put("stream", x.stream());
                dm.put("sequence", x.sequence());
                dm.put("reason", x.reason());
                dead.add(dm);
            }
            m.put("deadLetters", dead);
            list.add(m);
        }
        out.put("destinations", list);
        return out;
    }

    /** Dead-letter runs holding the sample, by the destination that rejected it. */
    private static Map<String, List<DeadLetter>> deadLetters(StoreInspector store, String stream, long sequence) {
        // one append (one note) may span several blocks: the run starts at its first block
        Map<String, Long> runStart = new LinkedHashMap<>();
        Map<String, DeadLetterNote> notes = new LinkedHashMap<>();
        for (StoreInspector.StreamNote n : store.notesMentioning(stream)) {
            DeadLetterNote note = DeadLetterNote.parse(n.note()).orElse(null);
            if (note == null || !note.originStream().equals(stream)) continue;
            boolean holds = note.lastSequence() < 0 ? note.firstSequence() == sequence
                    : sequence >= note.firstSequence() && sequence <= note.lastSequence();
            if (!holds) continue;
            String key = n.stream() + "\n" + n.note();
            runStart.merge(key, n.firstSequence(), Math::min);
            notes.put(key, note);
        }
        Map<String, List<DeadLetter>> out = new LinkedHashMap<>();
        runStart.forEach((key, start) -> {
            DeadLetterNote note = notes.get(key);
            String deadLetterStream = key.substring(0, key.indexOf('\n'));
            long index = sequence - note.firstSequence();
            out.computeIfAbsent(note.destination(), k -> new ArrayList<>())
                    .add(new DeadLetter(deadLetterStream, start + index, note.reason()));
        });
        return out;
    }
}
