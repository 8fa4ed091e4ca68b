package io.sluice.destination.kinesis;

import io.sluice.spi.AssetContext;
import io.sluice.spi.Sample;

/**
 * One sample unpacked from a Kinesis record written by Sluice.
 *
 * @param stream    the Sluice stream it was exported from
 * @param sequence  its sequence number in that stream (with {@code stream}, a key to drop duplicates: delivery is
 *                  at least once)
 * @param connector the connector instance that produced it
 * @param asset     the asset context of its tag
 * @param sample    tag, typed value, quality, status code, timestamps and unit
 */
public record DecodedSample(String stream, long sequence, String connector, AssetContext asset, Sample sample) {}
