package io.sluice.destination.iotcore;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.Rejection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * Packs the samples of one topic lane into as few payloads as fit the payload limit: every sample becomes a JSON
 * object, objects are cut into chunks, each chunk wrapped in the {@link IotPayloadFormat} envelope and (json-gzip)
 * compressed. The gzip chunk size is guessed from the ratio seen so far and halved while it does not fit.
 */
final class PayloadPacker {

    record Chunk(int from, int to, byte[] payload) {}

    private final boolean gzip;
    private final Buffer objects = new Buffer(64 * 1024);
    private final JsonGenerator generator;
    private int[] ends = new int[1024];
    private double ratio;

    PayloadPacker(IotCoreDestinationConfig.PayloadFormat format) {
        this.gzip = format == IotCoreDestinationConfig.PayloadFormat.JSON_GZIP;
        this.ratio = gzip ? 6.0 : 1.0;
        try {
            this.generator = IotPayloadFormat.newGenerator(objects);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void pack(List<OutboundSample> samples, long budget, Consumer<Chunk> emit, List<Rejection> rejected) {
        int n = samples.size();
        objects.reset();
        if (ends.length < n) ends = new int[Math.max(n, ends.length * 2)];
        try {
            for (int i = 0; i < n; i++) {
                IotPayloadFormat.writeSample(samples.get(i), generator);
                ends[i] = objects.size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int i = 0;
        while (i < n) {
            long guess = Math.max(1, (long) (budget * ratio * 0.95));
            int j = lastFitting(i, n, guess);
            while (true) {
                byte[] data = encode(i, j);
                if (data.length <= budget) {
                    if (gzip && data.length > 0) ratio = Math.max(1.0, Math.min(50.0, (double) rawSize(i, j) / data.length));
                    emit.accept(new Chunk(i, j + 1, data));
                    i = j + 1;
                    break;
                }
                if (j == i) {
                    rejected.add(new Rejection(samples.get(i), "encoded sample is " + data.length
                            + " bytes, more than the payload limit of " + budget + " bytes (max-payload-size)"));
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

    /** Envelope + objects i..j + commas. */
    private long rawSize(int i, int j) {
        return IotPayloadFormat.PREFIX.length + IotPayloadFormat.SUFFIX.length + (ends[j] - start(i)) + (j - i);
    }

    private int lastFitting(int from, int n, long guess) {
        int lo = from, hi = n - 1;
        if (rawSize(from, from) > guess) return from;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (rawSize(from, mid) <= guess) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    private byte[] encode(int i, int j) {
        Buffer out = new Buffer((int) Math.min(Integer.MAX_VALUE - 16, gzip ? rawSize(i, j) / 4 + 64 : rawSize(i, j)));
        try (OutputStream o = gzip ? new GZIPOutputStream(out, 16384) : out) {
            o.write(IotPayloadFormat.PREFIX);
            byte[] buf = objects.array();
            for (int k = i; k <= j; k++) {
                if (k > i) o.write(',');
                o.write(buf, start(k), ends[k] - start(k));
            }
            o.write(IotPayloadFormat.SUFFIX);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static final class Buffer extends ByteArrayOutputStream {
        Buffer(int size) {
            super(Math.max(32, size));
        }

        byte[] array() {
            return buf;
        }
    }
}
