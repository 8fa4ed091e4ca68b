package io.sluice.runtime.store;

import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The store's in-memory view of one stream: its settings, sequence, counters, block index and cursors. A
 * {@link FileStream} lives in SQLite; a {@link MemoryStream} lives in the heap only. Fields are written by the
 * store's writer thread only, after a commit succeeded; readers see them through volatile reads.
 */
abstract sealed class StoredStream permits StoredStream.FileStream, StoredStream.MemoryStream {

    final String name;
    volatile StreamSettings settings;
    volatile long nextSeq;
    volatile long bytes;
    volatile long droppedTtl;
    volatile long droppedFull;
    volatile long rejected;
    volatile long corrupt;
    final NavigableMap<Long, BlockMeta> blocks = new ConcurrentSkipListMap<>();
    final Map<String, Long> cursors = new ConcurrentHashMap<>();
    /** Per producer (connector name), the tag ids of its last append by position (see {@link TagDictionary.Positional}). */
    final Map<String, TagDictionary.Positional> tagOrders = new ConcurrentHashMap<>();
    /** Writer thread only: a "stream is full" episode was logged. */
    boolean fullEpisode;
    /** Writer thread only: a "store budget evicts this stream" episode was logged. */
    boolean budgetEpisode;
    /** Writer thread only: counters changed outside a committed transaction and must be written with the next one. */
    boolean countersDirty;

    StoredStream(String name, StreamSettings settings) {
        this.name = name;
        this.settings = settings;
    }

    abstract boolean persistent();

    long firstSeq() {
        Map.Entry<Long, BlockMeta> first = blocks.firstEntry();
        return first == null ? nextSeq : first.getKey();
    }

    int priority() {
        StreamSettings s = settings;
        return s == null ? StreamSettings.LOWEST_PRIORITY : s.priority();
    }

    /**
     * Samples below this sequence were passed by every destination of the stream; {@link Long#MIN_VALUE} when the
     * stream has no destination (nothing of it is ever delivered, so everything dropped counts as lost).
     */
    long deliveredFloor() {
        StreamSettings s = settings;
        if (s == null || s.destinations().isEmpty()) return Long.MIN_VALUE;
        long min = Long.MAX_VALUE;
        for (String d : s.destinations()) {
            Long c = cursors.get(d);
            min = Math.min(min, c == null ? 0 : c);
        }
        return min;
    }

    /** A stream kept in the SQLite file under its row id. */
    static final class FileStream extends StoredStream {
        final long id;

        FileStream(String name, long id, StreamSettings settings) {
            super(name, settings);
            this.id = id;
        }

        @Override
        boolean persistent() {
            return true;
        }
    }

    /** A stream kept in the heap only ({@code persistence: memory}); its blocks carry their data. */
    static final class MemoryStream extends StoredStream {
        MemoryStream(String name, StreamSettings settings) {
            super(name, settings);
        }

        @Override
        boolean persistent() {
            return false;
        }
    }
}
