package io.sluice.runtime.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What callers hand to the store's writer thread; each completes its future once its transaction committed. */
sealed interface StoreOp permits StoreOp.Append, StoreOp.Cursor, StoreOp.Sync, StoreOp.Compact {

    CompletableFuture<?> future();

    /** Encoded blocks of one append; {@code counts.get(i)} samples in {@code blocks.get(i)}. */
    record Append(StoredStream stream, String connector, String note, List<byte[]> blocks, List<Integer> counts,
                  int samples, long oldestRx, long newestRx, int bytes,
                  CompletableFuture<SqliteStreamStore.AppendResult> future) implements StoreOp {}

    record Cursor(StoredStream stream, String destination, long nextSeq, CompletableFuture<Void> future) implements StoreOp {}

    /** Completes once everything queued before it committed. */
    record Sync(CompletableFuture<Void> future) implements StoreOp {}

    /** Runs retention after the batch it is part of. */
    record Compact(CompletableFuture<Void> future) implements StoreOp {}

    static void failAll(List<StoreOp> ops, Throwable failure) {
        for (StoreOp op : ops) op.future().completeExceptionally(failure);
    }
}
