package io.sluice.runtime.store;

import io.sluice.spi.destination.Receipt;
import java.util.Arrays;
import java.util.Objects;

/**
 * What one delivered packet carried of a stream, and the receipt the destination got for it, kept in the store's
 * {@code receipts} table for {@code store.keep-receipts}. Written in the transaction that moves the destination's
 * cursor over it, so a kept receipt never claims a delivery the cursor does not.
 *
 * <p>A packet need not hold consecutive samples: an MQTT message holds one lane's tags, interleaved in the stream
 * with the other lanes', so it is many <em>runs</em> of consecutive sequences. They are held as one array of
 * {@code first, last} pairs (ascending, disjoint), one object per packet and stream rather than one per run. A receipt
 * read back for one sequence ({@link StoreInspector#receipts}) is the one run holding it.
 */
public final class DeliveryReceipt {

    private final String stream;
    /** {@code first0, last0, first1, last1, ...}: ascending, disjoint runs, at least one. */
    private final long[] runs;
    private final String destination;
    private final long deliveredAtMillis;
    private final Receipt receipt;

    /**
     * One run of consecutive samples.
     *
     * @param firstSequence     the run's first sequence
     * @param lastSequence      its last sequence (inclusive)
     * @param deliveredAtMillis when the destination confirmed it (epoch milliseconds)
     */
    public DeliveryReceipt(String stream, long firstSequence, long lastSequence, String destination,
                           long deliveredAtMillis, Receipt receipt) {
        this(stream, new long[] {firstSequence, lastSequence}, destination, deliveredAtMillis, receipt);
        if (lastSequence < firstSequence) throw new IllegalArgumentException("run " + firstSequence + ".." + lastSequence);
    }

    private DeliveryReceipt(String stream, long[] runs, String destination, long deliveredAtMillis, Receipt receipt) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.runs = runs;
        this.destination = Objects.requireNonNull(destination, "destination");
        this.deliveredAtMillis = deliveredAtMillis;
        this.receipt = receipt;
    }

    public String stream() {
        return stream;
    }

    /** The first sequence of the first run. */
    public long firstSequence() {
        return runs[0];
    }

    /** The last sequence (inclusive) of the last run. */
    public long lastSequence() {
        return runs[runs.length - 1];
    }

    public String destination() {
        return destination;
    }

    /** When the destination confirmed the delivery (epoch milliseconds). */
    public long deliveredAtMillis() {
        return deliveredAtMillis;
    }

    public Receipt receipt() {
        return receipt;
    }

    /** How many runs of consecutive sequences it covers. */
    public int runCount() {
        return runs.length / 2;
    }

    /** The first sequence of run {@code i} (ascending order). */
    public long runFirst(int i) {
        return runs[2 * i];
    }

    /** The last sequence (inclusive) of run {@code i}. */
    public long runLast(int i) {
        return runs[2 * i + 1];
    }

    public boolean covers(long sequence) {
        if (sequence < firstSequence() || sequence > lastSequence()) return false;
        for (int i = 0; i < runs.length; i += 2) {
            if (sequence < runs[i]) return false;
            if (sequence <= runs[i + 1]) return true;
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeliveryReceipt r && deliveredAtMillis == r.deliveredAtMillis && stream.equals(r.stream)
                && destination.equals(r.destination) && Objects.equals(receipt, r.receipt) && Arrays.equals(runs, r.runs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stream, destination, deliveredAtMillis, receipt, Arrays.hashCode(runs));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("DeliveryReceipt[stream=").append(stream).append(", runs=");
        for (int i = 0; i < runs.length; i += 2) {
            if (i > 0) sb.append(',');
            sb.append(runs[i]).append("..").append(runs[i + 1]);
        }
        return sb.append(", destination=").append(destination).append(", deliveredAtMillis=").append(deliveredAtMillis)
                .append(", receipt=").append(receipt).append(']').toString();
    }

    /**
     * Collects the sequences one packet delivered of one stream, in the order they come, into runs: a sequence right
     * after the last one extends its run, any other starts a new one. Not thread-safe.
     */
    public static final class Runs {

        private long[] pairs = new long[8];
        private int size; // longs used, two per run
        private boolean ascending = true;

        /** Adds one delivered sequence. */
        public void add(long sequence) {
            if (size > 0) {
                long last = pairs[size - 1];
                if (sequence == last + 1) {
                    pairs[size - 1] = sequence;
                    return;
                }
                if (sequence <= last) ascending = false;
            }
            if (size == pairs.length) pairs = Arrays.copyOf(pairs, size * 2);
            pairs[size++] = sequence;
            pairs[size++] = sequence;
        }

        /** Adds a whole run {@code first..last}. */
        public void add(long first, long last) {
            if (size > 0 && first == pairs[size - 1] + 1) {
                pairs[size - 1] = last;
                return;
            }
            if (size > 0 && first <= pairs[size - 1]) ascending = false;
            if (size == pairs.length) pairs = Arrays.copyOf(pairs, size * 2);
            pairs[size++] = first;
            pairs[size++] = last;
        }

        public boolean isEmpty() {
            return size == 0;
        }

        /** The receipt of the runs added so far (at least one), in ascending order, adjacent or overlapping runs joined. */
        public DeliveryReceipt receipt(String stream, String destination, long deliveredAtMillis, Receipt receipt) {
            if (size == 0) throw new IllegalStateException("no sequence added");
            return new DeliveryReceipt(stream, ascending ? Arrays.copyOf(pairs, size) : sortedAndJoined(),
                    destination, deliveredAtMillis, receipt);
        }

        private long[] sortedAndJoined() {
            int n = size / 2;
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Long.compare(pairs[2 * a], pairs[2 * b]));
            long[] out = new long[size];
            int used = 0;
            for (int i : order) {
                long first = pairs[2 * i], last = pairs[2 * i + 1];
                if (used > 0 && first <= out[used - 1] + 1) {
                    out[used - 1] = Math.max(out[used - 1], last); // adjacent (or the same sequences twice)
                } else {
                    out[used++] = first;
                    out[used++] = last;
                }
            }
            return used == size ? out : Arrays.copyOf(out, used);
        }
    }
}
