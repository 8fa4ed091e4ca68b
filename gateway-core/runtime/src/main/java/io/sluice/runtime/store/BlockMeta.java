package io.sluice.runtime.store;

/**
 * What the store keeps in memory about one block: samples {@code [firstSeq, firstSeq + count)}. Blocks of a file
 * stream have no data here (it is in SQLite); blocks of a memory stream carry their encoded data, connector and note.
 */
record BlockMeta(long firstSeq, int count, long newestRx, long oldestRx, int bytes, String connector, String note, byte[] data) {

    long endSeq() {
        return firstSeq + count;
    }
}
