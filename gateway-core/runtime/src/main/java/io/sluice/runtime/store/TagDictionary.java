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
}
