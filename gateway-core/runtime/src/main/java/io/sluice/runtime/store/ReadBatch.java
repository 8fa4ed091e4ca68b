package io.sluice.runtime.store;

import java.util.List;

/**
 * Samples read from a stream, and the sequence to read from next. {@code nextSequence} can be past the last
 * sample when a damaged block was skipped, so a reader never stalls on it.
 */
public record ReadBatch(List<StoredSample> samples, long nextSequence) {

    public boolean isEmpty() {
        return samples.isEmpty();
    }
}
