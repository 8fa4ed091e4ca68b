package io.sluice.runtime.store;

import java.util.Arrays;

/**
 * The runs of one kept receipt row ({@code receipts.runs}): a packet whose samples are not consecutive in their stream
 * (an MQTT message holds the tags of one lane, interleaved with the other lanes' in the stream) is kept as one row
 * spanning {@code first_seq..last_seq}, and this blob says which runs within that span it delivered. Null when the
 * row is one run (a row written before the column existed is one run too).
 *
 * <p>Encoding: per run, in ascending order, two unsigned varints: the gap since the end of the run before (for the
 * first run, since {@code first_seq}: 0) and the run's length − 1.
 */
final class ReceiptRuns {

    private ReceiptRuns() {}

    /** Encodes the runs of {@code r} (ascending, disjoint), starting at its first sequence. */
    static byte[] encode(DeliveryReceipt r) {
        int n = r.runCount();
        byte[] out = new byte[Math.max(16, n * 4)];
        int pos = 0;
        long next = r.firstSequence();
        for (int i = 0; i < n; i++) {
            if (pos + 20 > out.length) out = Arrays.copyOf(out, out.length * 2);
            pos = varint(out, pos, r.runFirst(i) - next);
            pos = varint(out, pos, r.runLast(i) - r.runFirst(i));
            next = r.runLast(i) + 1;
        }
        return Arrays.copyOf(out, pos);
    }

    /**
     * The run holding {@code sequence} as {@code {first, last}}, or null when the row's runs skip it. {@code runs} null
     * means the row is one run, {@code firstSeq..lastSeq}.
     */
    static long[] find(byte[] runs, long firstSeq, long lastSeq, long sequence) {
        if (sequence < firstSeq || sequence > lastSeq) return null;
        if (runs == null) return new long[] {firstSeq, lastSeq};
        long next = firstSeq;
        int[] pos = {0};
        while (pos[0] < runs.length) {
            long first = next + varint(runs, pos);
            long last = first + varint(runs, pos);
            if (sequence < first) return null;
            if (sequence <= last) return new long[] {first, last};
            next = last + 1;
        }
        return null;
    }

    /** Writes {@code v} as an unsigned varint at {@code pos} (room for 10 bytes); returns the position after it. */
    private static int varint(byte[] out, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            out[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        return pos;
    }

    private static long varint(byte[] in, int[] pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in[pos[0]++];
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
    }
}
