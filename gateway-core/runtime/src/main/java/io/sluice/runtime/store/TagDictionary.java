package io.sluice.runtime.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Store-wide numbering of tag names, so a block refers to a tag by a small integer instead of repeating its name.
 * Ids are handed out by producers (any thread) and persisted by the writer in the transaction that commits the
 * first block using them, so a committed block never refers to an unknown id.
 */
final class TagDictionary implements BlockCodec.Tags {

    private final Map<String, Integer> ids = new ConcurrentHashMap<>();
    private volatile String[] names = new String[1024];
    private int size;
    private int persisted;

    /** The id of a tag, assigning the next one if it is new. */
    @Override
    public int idOf(String tag) {
        Integer id = ids.get(tag);
        return id != null ? id : assign(tag);
    }

    private synchronized int assign(String tag) {
        Integer id = ids.get(tag);
        if (id != null) return id;
        if (size == names.length) names = java.util.Arrays.copyOf(names, size * 2);
        int next = size;
        names[next] = tag;
        size = next + 1;
        ids.put(tag, next); // published after the name, so readers that see the id see the name
        return next;
    }

    @Override
    public String nameOf(int id) {
        String[] current = names;
        if (id < 0 || id >= current.length || current[id] == null) {
            throw new BlockCodec.CorruptBlockException("unknown tag id " + id, null);
        }
        return current[id];
    }

    /** Loads a persisted entry at open. */
    synchronized void load(int id, String name) {
        while (id >= names.length) names = java.util.Arrays.copyOf(names, names.length * 2);
        names[id] = name;
        ids.put(name, id);
        size = Math.max(size, id + 1);
        persisted = size;
    }

    /** Entries assigned since the last {@link #markPersisted}, to write with the next commit. */
    synchronized List<Map.Entry<Integer, String>> unpersisted() {
        List<Map.Entry<Integer, String>> out = new ArrayList<>();
        for (int i = persisted; i < size; i++) out.add(Map.entry(i, names[i]));
        return out;
    }

    synchronized void markPersisted(int upTo) {
        persisted = Math.max(persisted, upTo);
    }

    /** The ids of one producer's appends to one stream, remembered by position (see {@link Positional}). */
    Positional positional() {
        return new Positional(this);
    }

    /**
     * The tags of a producer's last append to a stream with their ids, by position: a producer that appends the same
     * tags in the same order every time (an OPC UA subscription's notifications, a poll of the same nodes) gets each
     * id by comparing one reference instead of hashing the tag and looking it up. A tag that is not the same
     * {@code String} object as last time at that position is looked up in the dictionary and remembered. Ids never
     * change once assigned, so a remembered id stays right. Callers hold the object's lock while encoding.
     */
    static final class Positional implements BlockCodec.Tags {

        /** Positions remembered at most: an append larger than this looks the rest up. */
        static final int MAX_POSITIONS = 16_384;

        private final TagDictionary dictionary;
        private String[] tags = new String[0];
        private int[] ids = new int[0];

        private Positional(TagDictionary dictionary) {
            this.dictionary = dictionary;
        }

        @Override
        public int idOf(int position, String tag) {
            if (position < tags.length && tags[position] == tag) return ids[position];
            int id = dictionary.idOf(tag);
            if (position < MAX_POSITIONS) {
                if (position >= tags.length) {
                    int size = Math.min(MAX_POSITIONS, Math.max(position + 1, tags.length * 2));
                    tags = java.util.Arrays.copyOf(tags, size);
                    ids = java.util.Arrays.copyOf(ids, size);
                }
                tags[position] = tag;
                ids[position] = id;
            }
            return id;
        }

        @Override
        public int idOf(String tag) {
            return dictionary.idOf(tag);
        }

        @Override
        public String nameOf(int id) {
            return dictionary.nameOf(id);
        }
    }
}
