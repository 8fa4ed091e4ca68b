package io.sluice.spi.metrics;

import java.util.function.Supplier;

/**
 * Metrics for one connector or destination instance. Names are dotted ({@code lorawan.frames.dropped}); the
 * runtime adds the instance name as a tag. Backed by Micrometer in the runtime, so plugins need no metrics library.
 */
public interface Metrics {

    /** A monotonically increasing counter; {@code tags} are alternating key, value pairs. */
    Counter counter(String name, String... tags);

    /** A value read on demand. */
    void gauge(String name, Supplier<Number> value, String... tags);

    /** Records a duration or size distribution (latency in ms, batch sizes). */
    Distribution distribution(String name, String... tags);

    interface Counter {
        void increment(long amount);

        default void increment() {
            increment(1);
        }

        long count();
    }

    interface Distribution {
        void record(double value);
    }
}
