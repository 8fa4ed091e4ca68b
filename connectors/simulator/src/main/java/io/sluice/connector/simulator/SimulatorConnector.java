package io.sluice.connector.simulator;

import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.config.ProblemReporter;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.ConnectorFactory;
import io.sluice.spi.connector.HealthState;
import io.sluice.support.SampleIntake;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Produces simulated tags at a fixed rate. Each tick makes one batch with one sample per tag and hands it to the
 * sink without waiting for the commit; the sink's back-pressure slows the ticks when the store cannot keep up.
 */
public final class SimulatorConnector implements Connector {

    private final SimulatorConfig config;
    private final List<TagGenerator> generators = new ArrayList<>();
    private ConnectorContext context;
    private ScheduledFuture<?> task;
    private SampleIntake intake;
    private long total;

    SimulatorConnector(SimulatorConfig config) {
        this.config = config;
        for (SimulatorConfig.TagGroup group : config.tags()) {
            for (int i = 0; i < group.count(); i++) generators.add(new TagGenerator(group, i, config.seed()));
        }
    }

    @Override
    public void start(ConnectorContext context) {
        this.context = context;
        intake = SampleIntake.of("simulator", context);
        long periodNanos = config.interval().toNanos();
        task = context.scheduler().scheduleAtFixedRate(this::tick, 0, periodNanos, TimeUnit.NANOSECONDS);
        context.health().report(HealthState.CONNECTED, generators.size() + " tags every " + io.sluice.spi.Durations.format(config.interval()));
    }

    private void tick() {
        try {
            long now = context.clock().millis() * 1_000_000L + System.nanoTime() % 1_000_000L;
            int n = generators.size();
            if (config.limit() > 0) n = (int) Math.min(n, config.limit() - total);
            if (n <= 0) {
                task.cancel(false);
                context.health().report(HealthState.STOPPED, "limit of " + config.limit() + " samples reached");
                return;
            }
            List<Sample> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                TagGenerator g = generators.get(i);
                batch.add(new Sample(g.tag, g.next(now), Quality.GOOD, 0, now, now, g.unit));
            }
            total += n;
            intake.publish(batch);
        } catch (RuntimeException e) {
            context.logger().warn("simulator tick failed: {}", e.getMessage());
        }
    }

    @Override
    public void stop() {
        if (task != null) task.cancel(false);
    }

    public static final class Factory implements ConnectorFactory<SimulatorConfig> {
        public String type() { return "simulator"; }

        public String description() { return "simulated tags (sine, ramp, random walk, step, boolean, counter, string)"; }

        public Class<SimulatorConfig> configType() { return SimulatorConfig.class; }

        public void validate(SimulatorConfig config, ProblemReporter problems) {
            if (config.interval().toNanos() < 1_000_000L) problems.report("interval", "expected at least 1ms, got " + io.sluice.spi.Durations.format(config.interval()));
            if (config.tags().isEmpty()) problems.report("tags", "expected at least one tag group");
            for (int i = 0; i < config.tags().size(); i++) {
                SimulatorConfig.TagGroup g = config.tags().get(i);
                if (g.max() < g.min()) problems.report("tags[" + i + "].max", "expected max >= min (" + g.min() + "), got " + g.max());
                if (g.period().isZero() || g.period().isNegative()) problems.report("tags[" + i + "].period", "expected a positive duration");
                if (g.name().isBlank()) problems.report("tags[" + i + "].name", "expected a tag name");
            }
        }

        public Connector create(String name, SimulatorConfig config) { return new SimulatorConnector(config); }
    }
}
