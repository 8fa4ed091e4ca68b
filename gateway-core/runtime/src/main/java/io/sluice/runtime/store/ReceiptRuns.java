package io.sluice.runtime.store;

import java.io.ByteArrayOutputStream;
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

    /** Encodes ascending, disjoint runs ({@code firsts[i]..lasts[i]}, {@code n} of them) starting at {@code firsts[0]}. */
    static byte[] encode(long[] firsts, long[] lasts, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n * 3);
        long next = firsts[0];
        for (int i = 0; i < n; i++) {
            varint(out, firsts[i] - next);
            varint(out, lasts[i] - firsts[i]);
            next = lasts[i] + 1;
        }
        return out.toByteArray();
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

    /** Sorts runs by first sequence (they are disjoint), keeping each first with its last. */
    static void sort(long[] firsts, long[] lasts, int n) {
        for (int i = 1; i < n; i++) {
            if (firsts[i] < firsts[i - 1]) {
                long[][] pairs = new long[n][];
                for (int j = 0; j < n; j++) pairs[j] = new long[] {firsts[j], lasts[j]};
                Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
                for (int j = 0; j < n; j++) {
                    firsts[j] = pairs[j][0];
                    lasts[j] = pairs[j][1];
                }
                return;
            }
        }
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
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
