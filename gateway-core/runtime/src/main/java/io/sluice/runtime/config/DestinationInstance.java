package io.sluice.runtime.config;

import io.sluice.spi.destination.DestinationFactory;
import java.time.Duration;

/** One configured destination: common keys, typed options and its factory. */
public record DestinationInstance(String name, String type, boolean enabled, String deadLetterStream,
                                  RateOverride rate, Duration maxBackoff, Duration drainOnStop, Record options, DestinationFactory<?> factory) {

    public boolean sameAs(DestinationInstance other) {
        return other != null && type.equals(other.type) && enabled == other.enabled
                && deadLetterStream.equals(other.deadLetterStream) && rate.equals(other.rate)
                && maxBackoff.equals(other.maxBackoff) && drainOnStop.equals(other.drainOnStop) && options.equals(other.options);
    }
}
