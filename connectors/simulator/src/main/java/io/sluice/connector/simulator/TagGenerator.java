package io.sluice.connector.simulator;

import io.sluice.connector.simulator.SimulatorConfig.TagGroup;
import io.sluice.spi.Value;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic values for one simulated tag as a function of time (and, for walks and counters, of its past). */
final class TagGenerator {

    private static final List<String> DEFAULT_STRINGS = List.of("idle", "running", "stopped");

    final String tag;
    final String unit;
    private final TagGroup group;
    private final double phase;
    private final SplittableRandom random;
    private double walk;
    private long counter;

    TagGenerator(TagGroup group, int index, long seed) {
        this.group = group;
        this.tag = group.count() == 1 ? group.name() : String.format("%s.%04d", group.name(), index + 1);
        this.unit = group.unit().orElse(null);
        this.phase = group.count() == 1 ? 0 : 2 * Math.PI * index / group.count();
        this.random = new SplittableRandom(seed * 1_000_003L + tag.hashCode());
        this.walk = (group.min() + group.max()) / 2;
    }

    Value next(long timeNanos) {
        double span = group.max() - group.min();
        double periodNanos = Math.max(1, group.period().toNanos());
        double cycle = (timeNanos % (long) periodNanos) / periodNanos;
        switch (group.kind()) {
            case SINE:
                return Value.of(group.min() + span * (0.5 + 0.5 * Math.sin(2 * Math.PI * cycle + phase)));
            case RAMP:
                return Value.of(group.min() + span * cycle);
            case RANDOM_WALK:
                walk += (random.nextDouble() - 0.5) * span / 50;
                walk = Math.max(group.min(), Math.min(group.max(), walk));
                return Value.of(walk);
            case STEP:
                return Value.of(cycle < 0.5 ? group.min() : group.max());
            case BOOLEAN:
                return Value.of(cycle >= 0.5);
            case COUNTER:
                return Value.of(counter++);
            case STRING:
            default:
                List<String> values = group.values().isEmpty() ? DEFAULT_STRINGS : group.values();
                return Value.of(values.get((int) (cycle * values.size()) % values.size()));
        }
    }
}
