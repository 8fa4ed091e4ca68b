package io.sluice.runtime.config;

import io.sluice.spi.destination.DestinationFactory;
import io.sluice.spi.destination.SampleWindow;
import java.time.Duration;
import java.util.Optional;

/**
 * One configured destination: common keys, typed options and its factory. {@code maxInFlight} is empty when the
 * destination's default ({@link io.sluice.spi.destination.DestinationLimits#maxCallsInFlight()}) applies.
 *
 * @param fallback the destination its age rejections are rerouted to, if any
 * @param window   the source times it sends ({@code max-age}, {@code max-ahead}, else the service's own window)
 */
public record DestinationInstance(String name, String type, boolean enabled, String deadLetterStream,
                                  Optional<String> fallback, SampleWindow window, RateOverride rate, Duration maxBackoff, Optional<Integer> maxInFlight,
                                  Duration drainOnStop, Record options, DestinationFactory<?> factory) {

    public boolean sameAs(DestinationInstance other) {
        return other != null && type.equals(other.type) && enabled == other.enabled
                && deadLetterStream.equals(other.deadLetterStream) && fallback.equals(other.fallback) && window.equals(other.window) && rate.equals(other.rate)
                && maxBackoff.equals(other.maxBackoff) && maxInFlight.equals(other.maxInFlight) && drainOnStop.equals(other.drainOnStop)
                && options.equals(other.options);
    }

    /** The stream its age rejections are appended to when it has a {@link #fallback}, exported to the fallback. */
    public String fallbackStream() {
        return fallbackStreamOf(name);
    }

    static String fallbackStreamOf(String destination) {
        return destination + "-fallback";
    }
}
