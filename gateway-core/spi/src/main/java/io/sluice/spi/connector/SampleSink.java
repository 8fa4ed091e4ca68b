package io.sluice.spi.connector;

import io.sluice.spi.Sample;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a connector hands its samples. The returned future completes once every sample of the batch is committed
 * to the stream store (durable), or exceptionally with a {@link io.sluice.spi.SluiceException} that says whether
 * trying again can help (store full under a reject-new stream, disk full). Only a completed future means the data
 * is safe: a connector that must acknowledge its source (a queue, a forwarder) does so after completion.
 *
 * <p>Back-pressure: {@code publish} blocks the calling thread while too much data waits for commit, so a connector
 * that produces faster than the store writes is slowed down instead of filling the heap.
 */
public interface SampleSink {

    CompletableFuture<Void> publish(List<Sample> samples);
}
