package io.sluice.samplejson;

import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.Rejection;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Packs samples into as few encoded chunks as fit a size limit: the number of samples per chunk is guessed from the
 * encoded bytes per sample seen so far, a chunk is encoded (and compressed), and halved while it is still too big. A
 * sample that does not fit even alone is rejected. Keeps its guess between calls, so one packer serves one
 * destination and is not shared between threads.
 */
public final class SizeLimitedPacker {

    /** Encodes samples {@code from..to-1} of {@code samples}. */
    @FunctionalInterface
    public interface Encoder {
        byte[] encode(List<OutboundSample> samples, int from, int to);
    }

    /** One encoded chunk: its bytes and which of the input samples (a contiguous range) it carries. */
    public record Chunk(int from, int to, byte[] data) {}

    private final Encoder encoder;
    private final String tooLargeFormat;
    private double bytesPerSample;

    /**
     * @param encoder               what a chunk's bytes are
     * @param initialBytesPerSample the first guess, before any chunk was encoded
     * @param tooLargeFormat        the rejection reason of a sample that does not fit alone, a {@link String#format}
     *                              pattern given its encoded size and the limit, both in bytes ({@code %d})
     */
    public SizeLimitedPacker(Encoder encoder, double initialBytesPerSample, String tooLargeFormat) {
        this.encoder = encoder;
        this.bytesPerSample = initialBytesPerSample;
        this.tooLargeFormat = tooLargeFormat;
    }

    /**
     * {@code samples} as one chunk of at most {@code budget} bytes, or null when they do not fit one. Encodes only
     * when the bytes per sample seen so far say they may fit.
     */
    public Chunk packWhole(List<OutboundSample> samples, long budget) {
        int n = samples.size();
        if (n == 0 || n > budget * 0.9 / bytesPerSample) return null;
        byte[] data = encoder.encode(samples, 0, n);
        if (data.length > budget) {
            learnTooLarge(data.length, n);
            return null;
        }
        learnFitting(data.length, n);
        return new Chunk(0, n, data);
    }

    /**
     * Packs {@code samples} into chunks of at most {@code budget} bytes each, in order. A sample that cannot fit even
     * alone goes to {@code rejected}.
     */
    public void pack(List<OutboundSample> samples, long budget, Consumer<Chunk> emit, List<Rejection> rejected) {
        int n = samples.size();
        int i = 0;
        while (i < n) {
            long guess = Math.max(1, (long) (budget * 0.9 / bytesPerSample));
            int to = (int) Math.min(n, i + guess);
            while (true) {
                byte[] data = encoder.encode(samples, i, to);
                if (data.length <= budget) {
                    learnFitting(data.length, to - i);
                    emit.accept(new Chunk(i, to, data));
                    i = to;
                    break;
                }
                if (to - i == 1) {
                    String reason = String.format(Locale.ROOT, tooLargeFormat, data.length, budget);
                    rejected.add(new Rejection(samples.get(i), reason));
                    i++;
                    break;
                }
                learnTooLarge(data.length, to - i);
                to = i + Math.max(1, (int) Math.min((to - i) / 2, (long) (budget * 0.9 / bytesPerSample)));
            }
        }
    }

    /** A chunk of {@code samples} samples that fit took {@code bytes}: the guess follows it (not from a handful). */
    private void learnFitting(int bytes, int samples) {
        if (samples >= 16) bytesPerSample = Math.max(1.0, (double) bytes / samples);
    }

    /** A chunk of {@code samples} samples took {@code bytes}, too many: the guess is at least that. */
    private void learnTooLarge(int bytes, int samples) {
        bytesPerSample = Math.max(bytesPerSample, (double) bytes / samples);
    }
}
