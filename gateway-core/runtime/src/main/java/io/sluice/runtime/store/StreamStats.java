package io.sluice.runtime.store;

import java.util.Map;

/**
 * What the store knows about one stream.
 *
 * @param firstSequence      sequence of the oldest sample still stored ({@code == nextSequence} when empty)
 * @param nextSequence       the sequence the next appended sample gets
 * @param storedBytes        encoded bytes held
 * @param oldestReceiveNanos receive time of the oldest stored sample, or 0 when empty
 * @param cursors            per destination, the next sequence it will be given
 * @param droppedTtl         samples dropped by TTL before every destination had them
 * @param droppedFull        samples dropped to make room under drop-oldest
 * @param rejected           samples refused under reject-new
 * @param corrupt            samples lost to blocks that could not be decoded (a damaged file)
 */
public record StreamStats(String name, boolean persistent, long firstSequence, long nextSequence, long storedBytes,
                          long oldestReceiveNanos, Map<String, Long> cursors, long droppedTtl, long droppedFull,
                          long rejected, long corrupt) {

    public long storedSamples() {
        return nextSequence - firstSequence;
    }

    /** Samples a destination has not yet had. */
    public long backlog(String destination) {
        Long cursor = cursors.get(destination);
        return nextSequence - Math.max(firstSequence, cursor == null ? firstSequence : cursor);
    }
}
