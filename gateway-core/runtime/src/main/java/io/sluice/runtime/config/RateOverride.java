package io.sluice.runtime.config;

import io.sluice.spi.config.Doc;
import io.sluice.spi.config.Range;
import java.util.Optional;

@Doc("Overrides of a destination's default rate limits; 0 means unlimited.")
public record RateOverride(
        @Doc("Service calls per second.") @Range(min = 0) Optional<Double> callsPerSecond,
        @Doc("Packets (records, entries, messages) per second.") @Range(min = 0) Optional<Double> packetsPerSecond,
        @Doc("Payload bytes per second.") @Range(min = 0) Optional<Double> bytesPerSecond) {

    public static final RateOverride NONE = new RateOverride(Optional.empty(), Optional.empty(), Optional.empty());
}
