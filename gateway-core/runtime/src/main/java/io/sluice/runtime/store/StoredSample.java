package io.sluice.runtime.store;

import io.sluice.spi.Sample;

/**
 * A sample as read back from a stream.
 *
 * @param sequence  its sequence number in the stream
 * @param connector the connector instance that produced it
 * @param note      the annotation its block was appended with (a dead-letter reason), or null
 */
public record StoredSample(long sequence, String connector, Sample sample, String note) {}
