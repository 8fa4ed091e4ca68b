package io.sluice.spi.destination;

import io.sluice.spi.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The source times a destination sends: not older than {@code maxAge}, not further ahead of the gateway clock than
 * {@code maxAhead} (empty: no bound). A service's own window ({@link DestinationFactory#serviceWindow()}, SiteWise: 7 days
 * back, 10 minutes ahead) is the widest a configuration may set. The publisher checks it before packing: a sample
 * outside is an {@link Rejection.Kind#AGE age rejection}, rerouted to the destination's {@code fallback} if it has one.
 */
public record SampleWindow(Optional<Duration> maxAge, Optional<Duration> maxAhead) {

    /** No bound: every source time is sent. */
    public static final SampleWindow UNBOUNDED = new SampleWindow(Optional.empty(), Optional.empty());

    public SampleWindow {
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(maxAhead, "maxAhead");
    }

    public static SampleWindow of(Duration maxAge, Duration maxAhead) {
        return new SampleWindow(Optional.of(maxAge), Optional.of(maxAhead));
    }

    public boolean bounded() {
        return maxAge.isPresent() || maxAhead.isPresent();
    }

    /**
     * Why a sample taken at {@code sourceTimeNanos} is outside the window at {@code nowNanos} (epoch nanoseconds), or
     * empty when it is inside. The reason names no time (the sample holds it), so a backlog's samples share it and
     * move in long runs.
     */
    public Optional<String> refusal(long sourceTimeNanos, long nowNanos) {
        if (maxAge.isPresent() && sourceTimeNanos < nowNanos - maxAge.get().toNanos()) {
            return Optional.of("source time is older than " + Durations.format(maxAge.get()) + " (max-age)");
        }
        if (maxAhead.isPresent() && sourceTimeNanos > nowNanos + maxAhead.get().toNanos()) {
            return Optional.of("source time is more than " + Durations.format(maxAhead.get())
                    + " ahead of the gateway clock (max-ahead)");
        }
        return Optional.empty();
    }
}
