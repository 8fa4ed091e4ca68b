package io.sluice.runtime.publish;

import io.sluice.runtime.config.DestinationInstance;
import io.sluice.spi.destination.RateLimits;

/**
 * A destination's rate limits as three token buckets (calls, packets, bytes a second), at the configured rates
 * (the destination's defaults unless its {@code rate} overrides them) times a factor: throttling by the service halves
 * the factor (down to 0.1), each call answered without a retry raises it by 5% back up to 1.
 */
final class CallRateLimiter {

    private final RateLimits configured;
    private final TokenBucket calls;
    private final TokenBucket packets;
    private final TokenBucket bytes;
    private volatile double factor = 1.0;

    CallRateLimiter(RateLimits configured, PublishClock clock) {
        this.configured = configured;
        this.calls = new TokenBucket(configured.callsPerSecond(), clock.ticker());
        this.packets = new TokenBucket(configured.packetsPerSecond(), clock.ticker());
        this.bytes = new TokenBucket(configured.bytesPerSecond(), clock.ticker());
    }

    /** The rates {@code instance} asks for, the destination's {@code defaults} where it does not say. */
    static RateLimits configured(DestinationInstance instance, RateLimits defaults) {
        return new RateLimits(
                instance.rate().callsPerSecond().orElse(defaults.callsPerSecond()),
                instance.rate().packetsPerSecond().orElse(defaults.packetsPerSecond()),
                instance.rate().bytesPerSecond().orElse(defaults.bytesPerSecond()));
    }

    /** Nanoseconds until one call of {@code packetCount} packets and {@code byteCount} bytes is allowed, 0 if now. */
    long waitNanos(int packetCount, long byteCount) {
        return Math.max(calls.waitNanos(1), Math.max(packets.waitNanos(packetCount), bytes.waitNanos(byteCount)));
    }

    /** Takes the tokens of one call. */
    void take(int packetCount, long byteCount) {
        calls.take(1);
        packets.take(packetCount);
        bytes.take(byteCount);
    }

    /** 1.0 normally; lower after throttling. */
    double factor() {
        return factor;
    }

    /** After a throttled call: halves the rates (not below a tenth). Returns whether they changed. */
    boolean slowDown() {
        double next = Math.max(0.1, factor * 0.5);
        if (next == factor) return false;
        apply(next);
        return true;
    }

    /** After a call with nothing to retry: a slowed-down rate recovers by 5%, up to the configured one. */
    void recover() {
        if (factor < 1.0) apply(Math.min(1.0, factor * 1.05));
    }

    private void apply(double newFactor) {
        factor = newFactor;
        calls.setRate(configured.callsPerSecond() * newFactor);
        packets.setRate(configured.packetsPerSecond() * newFactor);
        bytes.setRate(configured.bytesPerSecond() * newFactor);
    }
}
