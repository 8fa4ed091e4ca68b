package io.sluice.destination.kinesis;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.Rejection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * Packs the samples of one partition key into as few records as fit the record size limit: every sample becomes a
 * JSON line ({@link SampleRecordFormat}), lines are cut into chunks and each chunk compressed. With gzip the chunk
 * size is guessed from the compression ratio seen so far and halved when the compressed chunk is still too big.
 */
final class RecordPacker {

    /** One packed record: its data and which of the input samples (a contiguous range) it carries. */
    record Chunk(int from, int to, byte[] data) {}

    private final boolean gzip;
    private final int level;
    private final Buffer lines = new Buffer();
    private final JsonGenerator generator;
    private int[] ends = new int[1024];
    private double ratio;

    RecordPacker(KinesisDestinationConfig.Compression compression, int level) {
        this.gzip = compression == KinesisDestinationConfig.Compression.GZIP;
        this.level = level;
        this.ratio = gzip ? 6.0 : 1.0;
        try {
            this.generator = SampleRecordFormat.newGenerator(lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Packs {@code samples} into chunks of at most {@code budget} bytes each, in order. A sample that cannot fit even
     * alone goes to {@code rejected}.
     */
    void pack(List<OutboundSample> samples, long budget, Consumer<Chunk> emit, List<Rejection> rejected) {
        int n = samples.size();
        lines.reset();
        if (ends.length < n) ends = new int[Math.max(n, ends.length * 2)];
        try {
            for (int i = 0; i < n; i++) {
                SampleRecordFormat.writeLine(samples.get(i), generator);
                ends[i] = lines.size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int i = 0;
        while (i < n) {
            long guess = Math.max(1, (long) (budget * ratio * 0.95));
            int j = lastFitting(i, n, guess);
            while (true) {
                byte[] data = encode(start(i), ends[j]);
                if (data.length <= budget) {
                    int raw = ends[j] - start(i);
                    if (gzip && data.length > 0) ratio = Math.max(1.0, Math.min(50.0, (double) raw / data.length));
                    emit.accept(new Chunk(i, j + 1, data));
                    i = j + 1;
                    break;
                }
                if (j == i) {
                    rejected.add(new Rejection(samples.get(i), "packed sample is " + data.length
                            + " bytes, more than the record size limit of " + budget + " bytes (max-record-size minus the partition key)"));
                    i++;
                    break;
                }
                if (gzip) ratio = Math.max(1.0, ratio * 0.7);
                j = i + (j - i) / 2;
            }
        }
    }

    private int start(int i) {
        return i == 0 ? 0 : ends[i - 1];
    }

    /** The last index j ≥ from such that lines from..j take at most {@code guess} bytes (at least from itself). */
    private int lastFitting(int from, int n, long guess) {
        long limit = start(from) + guess;
        int lo = from, hi = n - 1;
        if (ends[from] > limit) return from;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (ends[mid] <= limit) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    private byte[] encode(int from, int to) {
        if (!gzip) return Arrays.copyOfRange(lines.array(), from, to);
        Buffer out = new Buffer(Math.max(64, (int) ((to - from) / ratio) + 64));
        try (GZIPOutputStream z = new LevelledGzip(out, level)) {
            z.write(lines.array(), from, to - from);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static final class LevelledGzip extends GZIPOutputStream {
        LevelledGzip(OutputStream out, int level) throws IOException {
            super(out, 16384);
            def.setLevel(level);
        }
    }

    /** A ByteArrayOutputStream whose array can be read without copying. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(64 * 1024);
        }

        Buffer(int size) {
            super(size);
        }

        byte[] array() {
            return buf;
        }
    }
}
