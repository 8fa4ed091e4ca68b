package io.sluice.destination.iotcore;

import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.Rejection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Packs the samples of one topic lane into as few payloads as fit the payload limit ({@link IotPayloadFormat}): the
 * number of samples per message is guessed from the encoded bytes per sample seen so far, a chunk is encoded (and
 * compressed), and halved while it is still too big.
 */
final class PayloadPacker {

    record Chunk(int from, int to, byte[] payload) {}

    private final int gzipLevel;
    private double bytesPerSample;

    PayloadPacker(IotCoreDestinationConfig.PayloadFormat format) {
        this.gzipLevel = format == IotCoreDestinationConfig.PayloadFormat.JSON_GZIP ? 6 : 0;
        this.bytesPerSample = gzipLevel > 0 ? 12 : 40;
    }

    void pack(List<OutboundSample> samples, long budget, Consumer<Chunk> emit, List<Rejection> rejected) {
        int n = samples.size();
        int i = 0;
        while (i < n) {
            long guess = Math.max(1, (long) (budget * 0.9 / bytesPerSample));
            int to = (int) Math.min(n, i + guess);
            while (true) {
                byte[] data = SeriesJson.encode(samples, i, to, gzipLevel);
                if (data.length <= budget) {
                    if (to - i >= 16) bytesPerSample = Math.max(1.0, (double) data.length / (to - i));
                    emit.accept(new Chunk(i, to, data));
                    i = to;
                    break;
                }
                if (to - i == 1) {
                    rejected.add(new Rejection(samples.get(i), "encoded sample is " + data.length
                            + " bytes, more than the payload limit of " + budget + " bytes (max-payload-size)"));
                    i++;
                    break;
                }
                bytesPerSample = Math.max(bytesPerSample, (double) data.length / (to - i));
                to = i + Math.max(1, (int) Math.min((to - i) / 2, (long) (budget * 0.9 / bytesPerSample)));
            }
        }
    }
}
