package io.sluice.runtime.publish;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code rate} tokens a second, holding at most one second's worth. It starts empty, so the first
 * second after a start cannot exceed the quota either. A request larger than the bucket is allowed and leaves it in
 * debt, so big packets are slowed, never stuck. Rate 0 means unlimited.
 */
final class TokenBucket {

    private final LongSupplier nanoTime;
    private double rate;
    private double tokens;
    private long lastNanos;

    TokenBucket(double rate) {
        this(rate, System::nanoTime);
    }

    /** A bucket that reads time from {@code nanoTime} (monotonic nanoseconds, as {@link System#nanoTime}). */
    TokenBucket(double rate, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.rate = rate;
        this.tokens = 0;
        this.lastNanos = nanoTime.getAsLong();
    }

    synchronized void setRate(double newRate) {
        refill();
        this.rate = newRate;
        this.tokens = Math.min(tokens, newRate);
    }

    double rate() {
        return rate;
    }

    /** How long to wait before {@code amount} tokens are there (a request above the bucket size needs a full bucket). */
    synchronized long waitNanos(double amount) {
        if (rate <= 0 || amount <= 0) return 0;
        refill();
        double needed = Math.min(amount, rate);
        return tokens >= needed ? 0 : (long) ((needed - tokens) / rate * 1e9) + 1;
    }

    /** Takes tokens, possibly into debt. */
    synchronized void take(double amount) {
        if (rate <= 0) return;
        refill();
        tokens -= amount;
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(rate, tokens + (now - lastNanos) / 1e9 * rate);
        lastNanos = now;
    }
}
