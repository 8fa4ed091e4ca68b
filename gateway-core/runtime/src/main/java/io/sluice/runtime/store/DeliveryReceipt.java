package io.sluice.runtime.store;

import io.sluice.spi.destination.Receipt;

/**
 * One delivered run of consecutive samples of a stream and the receipt the destination got for it, kept in the
 * store's {@code receipts} table for {@code store.keep-receipts}. Written in the transaction that moves the
 * destination's cursor over the run, so a kept receipt never claims a delivery the cursor does not.
 *
 * @param firstSequence     the run's first sequence
 * @param lastSequence      its last sequence (inclusive)
 * @param deliveredAtMillis when the destination confirmed it (epoch milliseconds)
 */
public record DeliveryReceipt(String stream, long firstSequence, long lastSequence, String destination,
                              long deliveredAtMillis, Receipt receipt) {

    public boolean covers(long sequence) {
        return sequence >= firstSequence && sequence <= lastSequence;
    }
}
