package io.sluice.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * The gateway's meter registry when the admin endpoint serves {@code /metrics}: Micrometer's Prometheus registry
 * with the JVM (memory, GC, threads, class loading), process (CPU, uptime, file descriptors) and data-disk binders
 * next to every Sluice meter. Names follow Prometheus conventions ({@code sluice.store.commits} becomes
 * {@code sluice_store_commits_total}); docs/operations.md lists them.
 */
public final class AdminMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;

    private AdminMetrics() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        JvmThreadStates threadStates = new JvmThreadStates(ManagementFactory.getThreadMXBean());
        registry.config().meterFilter(threadStates.filter()).meterFilter(MeterDescriptions.filter());
        new JvmMemoryMetrics().bindTo(registry);
        this.gc = new JvmGcMetrics();
        gc.bindTo(registry);
        threadStates.bindTo(registry); // JvmThreadMetrics with its per-state gauges fed by one shared snapshot
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** A registry with the JVM and process binders; {@link #bindDataDisk} adds the data directory's disk. */
    public static AdminMetrics create() {
        return new AdminMetrics();
    }

    /** Adds {@code disk.free} and {@code disk.total} for the file system holding {@code dataDir}. */
    public void bindDataDisk(Path dataDir) {
        new DiskSpaceMetrics(dataDir.toFile()).bindTo(registry);
    }

    public PrometheusMeterRegistry prometheus() {
        return registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
