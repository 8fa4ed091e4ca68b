package io.sluice.runtime.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.sluice.spi.metrics.Metrics;
import java.util.function.Supplier;

/** The SPI's {@link Metrics} on a Micrometer registry, every meter tagged with the owning instance. */
public final class MicrometerMetrics implements Metrics {

    private final MeterRegistry registry;
    private final Tags scope;

    public MicrometerMetrics(MeterRegistry registry, String scopeKey, String scopeName) {
        this.registry = registry;
        this.scope = Tags.of(scopeKey, scopeName);
    }

    @Override
    public Counter counter(String name, String... tags) {
        io.micrometer.core.instrument.Counter c = registry.counter(name, scope.and(tags));
        return new Counter() {
            @Override
            public void increment(long amount) {
                c.increment(amount);
            }

            @Override
            public long count() {
                return (long) c.count();
            }
        };
    }

    @Override
    public void gauge(String name, Supplier<Number> value, String... tags) {
        Gauge.builder(name, () -> {
            Number n = value.get();
            return n == null ? Double.NaN : n.doubleValue();
        }).tags(scope.and(tags)).register(registry);
    }

    @Override
    public Distribution distribution(String name, String... tags) {
        DistributionSummary summary = DistributionSummary.builder(name).tags(scope.and(tags))
                .publishPercentiles(0.5, 0.99).register(registry);
        return summary::record;
    }
}
