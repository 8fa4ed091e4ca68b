package io.sluice.samplejson;

import io.sluice.spi.AssetContext;
import io.sluice.spi.Sample;
import java.util.Comparator;

/**
 * One sample read back from the series format (a Kinesis record or an IoT Core payload written by Sluice).
 *
 * @param stream    the Sluice stream it was exported from
 * @param sequence  its sequence number in that stream (with {@code stream}, a key to drop duplicates: delivery is
 *                  at least once)
 * @param connector the connector instance that produced it
 * @param asset     the asset context of its tag
 * @param sample    tag, typed value, quality, status code, timestamps and unit
 */
public record DecodedSample(String stream, long sequence, String connector, AssetContext asset, Sample sample) {

    /** By stream, then sequence number: the order decoders return samples in. */
    public static final Comparator<DecodedSample> STREAM_ORDER =
            Comparator.comparing(DecodedSample::stream).thenComparingLong(DecodedSample::sequence);
}
