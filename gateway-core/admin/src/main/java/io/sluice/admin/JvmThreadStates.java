package io.sluice.admin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * {@code jvm.threads.states}, the gauges Micrometer's {@code JvmThreadMetrics} registers (same name, tag, unit and
 * description), counted from one snapshot of every thread's info for all six states instead of one snapshot per state
 * and read, and that snapshot reused for {@link #MAX_AGE_NANOS}: the status file reads every gauge each second, and
 * each snapshot walks all threads. {@link #bindTo} also binds {@code JvmThreadMetrics} for the other thread meters.
 */
final class JvmThreadStates {

    static final String NAME = "jvm.threads.states";
    private static final String REGISTERED_AS = "sluice.jvm.threads.states";
    private static final String DROPPED = "sluice.jvm.threads.states.dropped";

    /** How long one snapshot of the threads' states answers the gauges. */
    static final long MAX_AGE_NANOS = 500_000_000L;

    private final ThreadMXBean threads;
    private final long[] counts = new long[Thread.State.values().length];
    private long takenAtNanos;
    private boolean taken;
    private volatile boolean bindingMicrometers;

    JvmThreadStates(ThreadMXBean threads) {
        this.threads = threads;
    }

    /**
     * Registers the state gauges, then Micrometer's {@code JvmThreadMetrics} for the other thread meters, its own
     * state gauges denied by {@link #filter()} (which the registry must have before any meter is registered).
     */
    void bindTo(MeterRegistry registry) {
        for (Thread.State state : Thread.State.values()) {
            Gauge.builder(REGISTERED_AS, this, s -> s.count(state))
                    .tag("state", state.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .description("The current number of threads")
                    .baseUnit("threads")
                    .strongReference(true)
                    .register(registry);
        }
        bindingMicrometers = true;
        try {
            new JvmThreadMetrics().bindTo(registry);
        } finally {
            bindingMicrometers = false;
        }
    }

    /**
     * Names these gauges {@code jvm.threads.states}, and drops Micrometer's own (one snapshot per state and read)
     * while its binder registers them. A registry takes a registration of an id it already holds as a duplicate (and
     * logs a warning) before asking its filters whether to accept it, so these gauges are registered under another
     * name that the filter maps, and Micrometer's are mapped to a name the filter denies.
     */
    MeterFilter filter() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getName().equals(REGISTERED_AS)) return id.withName(NAME);
                if (bindingMicrometers && id.getName().equals(NAME)) return id.withName(DROPPED);
                return id;
            }

            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return id.getName().equals(DROPPED) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
            }
        };
    }

    /** Threads in {@code state}, from a snapshot at most {@link #MAX_AGE_NANOS} old. */
    synchronized long count(Thread.State state) {
        long now = System.nanoTime();
        if (!taken || now - takenAtNanos >= MAX_AGE_NANOS) {
            java.util.Arrays.fill(counts, 0);
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null) counts[info.getThreadState().ordinal()]++;
            }
            takenAtNanos = now;
            taken = true;
        }
        return counts[state.ordinal()];
    }
}
