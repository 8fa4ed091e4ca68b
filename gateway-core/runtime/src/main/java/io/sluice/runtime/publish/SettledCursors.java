package io.sluice.runtime.publish;

import io.sluice.runtime.store.DeliveryReceipt;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.Packet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One destination's cursors as its worker moves them: per stream the end of the last settled window (every packet
 * delivered or dead-lettered), ahead of the durable cursor while its commit is on the way. A cursor only ever moves
 * over settled samples. Used on the worker's thread only.
 */
final class SettledCursors {

    private static final Logger log = LoggerFactory.getLogger(SettledCursors.class);

    private final SqliteStreamStore store;
    private final String destination;
    private final Map<String, Long> positions = new HashMap<>();

    SettledCursors(SqliteStreamStore store, String destination) {
        this.store = store;
        this.destination = destination;
    }

    /**
     * Moves the cursors to the end of a settled window. The commit is not awaited: the next window reads from the
     * local position, and if the process dies before the commit, the window is delivered again (at-least-once).
     */
    void commit(Map<String, Long> ends) {
        commit(ends, List.of());
    }

    /**
     * Moves the cursors and keeps the receipts of the runs they pass, in the cursor's transaction; a receipt of a run
     * the cursor does not pass is dropped (the run is sent again).
     */
    void commit(Map<String, Long> ends, List<DeliveryReceipt> receipts) {
        Map<String, List<DeliveryReceipt>> byStream = new HashMap<>();
        for (DeliveryReceipt r : receipts) byStream.computeIfAbsent(r.stream(), k -> new ArrayList<>()).add(r);
        ends.forEach((stream, end) -> {
            if (end <= positions.getOrDefault(stream, -1L)) return;
            positions.put(stream, end);
            store.commitCursor(stream, destination, end, byStream.getOrDefault(stream, List.of())).whenComplete((ok, failure) -> {
                if (failure != null) {
                    log.warn("destination {}: cursor commit for {} failed ({}); samples may be redelivered",
                            destination, stream, failure.getMessage());
                }
            });
        });
    }

    /**
     * When a window is given up half sent, moves each stream's cursor over the samples settled so far (up to its
     * first sample in a packet not settled), so answered calls are not sent again after a restart.
     */
    void commitSettledPrefix(Map<String, Long> windowEnds, Iterable<Packet> unsettled, List<DeliveryReceipt> receipts) {
        Map<String, Long> settled = new LinkedHashMap<>(windowEnds);
        for (Packet p : unsettled) {
            for (OutboundSample s : p.samples()) settled.merge(s.stream(), s.sequence(), Math::min);
        }
        commit(settled, receipts);
    }

    /** An operator moved the cursor (durably): settled windows now end there. */
    void moved(String stream, long nextSequence) {
        positions.put(stream, nextSequence);
    }

    /** The settled position of {@code stream}, or its durable cursor when this worker settled nothing of it yet. */
    long position(String stream) {
        Long at = positions.get(stream);
        return at != null ? at : store.cursor(stream, destination);
    }

    /** The settled positions, to read on from. */
    Map<String, Long> snapshot() {
        return new HashMap<>(positions);
    }
}
