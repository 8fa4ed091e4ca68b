package io.sluice.destination.kinesis;

import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.Rejection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Packs the samples of one partition key into as few records as fit the record size limit
 * ({@link SampleRecordFormat}): the number of samples per record is guessed from the encoded bytes per sample seen
 * so far, a chunk is encoded (and compressed), and halved while it is still too big.
 */
final class RecordPacker {

    /** One packed record: its data and which of the input samples (a contiguous range) it carries. */
    record Chunk(int from, int to, byte[] data) {}

    private final int gzipLevel;
    private double bytesPerSample;

    RecordPacker(KinesisDestinationConfig.Compression compression, int level) {
        this.gzipLevel = compression == KinesisDestinationConfig.Compression.GZIP ? level : 0;
        this.bytesPerSample = gzipLevel > 0 ? 12 : 120;
    }

    /**
     * Packs {@code samples} into chunks of at most {@code budget} bytes each, in order. A sample that cannot fit even
     * alone goes to {@code rejected}.
     */
    void pack(List<OutboundSample> samples, long budget, Consumer<Chunk> emit, List<Rejection> rejected) {
        int n = samples.size();
        int i = 0;
        while (i < n) {
            long guess = Math.max(1, (long) (budget * 0.9 / bytesPerSample));
            int to = (int) Math.min(n, i + guess);
            while (true) {
                byte[] data = SampleRecordFormat.encode(samples, i, to, gzipLevel);
                if (data.length <= budget) {
                    if (to - i >= 16) {
                        bytesPerSample = Math.max(1.0, (double) data.length / (to - i));
                    }
                    emit.accept(new Chunk(i, to, data));
                    i = to;
                    break;
                }
                if (to - i == 1) {
                    rejected.add(new Rejection(samples.get(i), "packed sample is " + data.length
                            + " bytes, more than the record size limit of " + budget + " bytes (max-record-size minus the partition key)"));
                    i++;
                    break;
                }
                bytesPerSample = Math.max(bytesPerSample, (double) data.length / (to - i));
                to = i + Math.max(1, (int) Math.min((to - i) / 2, (long) (budget * 0.9 / bytesPerSample)));
            }
        }
    }
}
