package io.sluice.runtime.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What callers hand to the store's writer thread; each completes its future once its transaction committed. */
sealed interface StoreOp permits StoreOp.Append, StoreOp.Cursor, StoreOp.MoveCursor, StoreOp.Purge, StoreOp.Sync, StoreOp.Compact {

    CompletableFuture<?> future();

    /** Encoded blocks of one append; {@code counts.get(i)} samples in {@code blocks.get(i)}. */
    record Append(StoredStream stream, String connector, String note, List<byte[]> blocks, List<Integer> counts,
                  int samples, long oldestRx, long newestRx, int bytes,
                  CompletableFuture<SqliteStreamStore.AppendResult> future) implements StoreOp {}

    /** Moves a cursor forward and keeps the receipts of the runs it passes (written in the same transaction). */
    record Cursor(StoredStream stream, String destination, long nextSeq, List<DeliveryReceipt> receipts,
                  CompletableFuture<Void> future) implements StoreOp {}

    /**
     * Sets a destination's cursor to exactly {@code nextSeq}, also backwards (an operator's replay); fails when that
     * sequence is no longer stored or not yet written.
     */
    record MoveCursor(StoredStream stream, String destination, long nextSeq, CompletableFuture<Void> future) implements StoreOp {}

    /**
     * Deletes a stream's oldest whole blocks that end at or before {@code beforeSeq} and whose newest sample was
     * received before {@code beforeReceiveNanos} (an operator's purge); runs in a transaction of its own.
     */
    record Purge(StoredStream stream, long beforeSeq, long beforeReceiveNanos,
                 CompletableFuture<SqliteStreamStore.PurgeResult> future) implements StoreOp {}

    /** Completes once everything queued before it committed. */
    record Sync(CompletableFuture<Void> future) implements StoreOp {}

    /** Runs retention after the batch it is part of. */
    record Compact(CompletableFuture<Void> future) implements StoreOp {}

    static void failAll(List<StoreOp> ops, Throwable failure) {
        for (StoreOp op : ops) op.future().completeExceptionally(failure);
    }
}
