package io.sluice.connector.simulator;

import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.Range;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@Doc("Simulated tags for demos, tests and load: every tag produces one sample per interval.")
public record SimulatorConfig(
        @Doc("Time between two samples of each tag (1ms and up). Samples/s = tags / interval.")
        @DefaultValue("1s") Duration interval,
        @Doc("Groups of tags.") List<TagGroup> tags,
        @Doc("Stop after producing this many samples in total; 0 runs forever.") @DefaultValue("0") @Range(min = 0) long limit,
        @Doc("Seed of the random walks, so runs are repeatable.") @DefaultValue("1") long seed) {

    public enum Kind { SINE, RAMP, RANDOM_WALK, STEP, BOOLEAN, COUNTER, STRING }

    @Doc("One or more tags of one kind.")
    public record TagGroup(
            @Doc("Tag name; with `count` > 1 a prefix: `name.0001`, `name.0002`, ...") String name,
            @Doc("sine, ramp, random-walk, step, boolean, counter or string.") Kind kind,
            @Doc("Number of tags in the group.") @DefaultValue("1") @Range(min = 1, max = 10_000_000) int count,
            @Doc("Lowest value (sine, ramp, random-walk, step).") @DefaultValue("0") double min,
            @Doc("Highest value (sine, ramp, random-walk, step).") @DefaultValue("100") double max,
            @Doc("Period of the waveform (sine, ramp, step, boolean, string).") @DefaultValue("60s") Duration period,
            @Doc("Engineering unit attached to the samples.") Optional<String> unit,
            @Doc("Values a string tag cycles through.") List<String> values) {}
}
