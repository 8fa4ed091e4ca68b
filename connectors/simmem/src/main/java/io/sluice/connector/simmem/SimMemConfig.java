package io.sluice.connector.simmem;

import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.ExistingFile;
import io.sluice.spi.config.Range;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@Doc("Reads simulator telemetry (Assetto Corsa Competizione, Assetto Corsa, Tennessee Eastman, or any page described "
        + "by a layout file) from shared memory, keeping every update, and derives lap records.")
public record SimMemConfig(
        @Doc("The pages to read. Each names a shipped layout (`acc-physics`, `acc-graphics`, `acc-static`, `ac1-physics`, "
                + "`ac1-graphics`, `ac1-static`, `tennessee-eastman`) or a layout file.")
        List<PageConfig> pages,
        @Doc("Emit one lap record (tag `lap-tag`) each time the completed-laps counter of a page with lap fields increments.")
        @DefaultValue("true") boolean laps,
        @Doc("Tag of lap records; route it to its own stream with a `routes:` rule.")
        @DefaultValue("lap") String lapTag,
        @Doc("How often update counters are looked at. Must be well below the fastest page's update period "
                + "(ACC physics: 3 ms) so no update is missed.")
        @DefaultValue("200us") Duration pollInterval,
        @Doc("A counter that has not moved for this long makes the connector check whether the simulator closed or "
                + "restarted its pages.")
        @DefaultValue("1s") Duration staleAfter,
        @Doc("How often a page that is absent (simulator not running) or too small is looked for again.")
        @DefaultValue("1s") Duration retryInterval,
        @Doc("Run the reader thread at real-time priority (Linux SCHED_FIFO 10, needs root or CAP_SYS_NICE; Windows "
                + "THREAD_PRIORITY_TIME_CRITICAL) so a busy machine does not make it miss updates. The thread sleeps "
                + "between polls. Without the privilege it runs at normal priority and says so in the log.")
        @DefaultValue("true") boolean realtimeReader,
        @Doc("Poll pages that have an update counter from a native thread where the bundled poller exists "
                + "(Linux x86-64). It keeps polling while the JVM pauses (garbage collection, safepoints), which a Java "
                + "thread cannot; needed for 1 kHz pages. Elsewhere, or when false, a Java thread polls.")
        @DefaultValue("true") boolean nativePoller,
        @Doc("With the native poller: once a page's counter has moved by one at a steady rate for 64 updates, wake "
                + "once per update, half-way between two expected writes, instead of every `poll-interval` (about "
                + "a third of the CPU at 1 kHz), re-measuring the writer's rate every 64 updates; any irregularity (no "
                + "new value, a skipped value) returns to polling every `poll-interval`. Off by default: on a VM with "
                + "scheduling stalls it missed more updates than fixed-interval polling, and while locked on, the bound "
                + "that keeps copies from mixing two updates rests on an estimate of the writer's phase.")
        @DefaultValue("false") boolean adaptivePolling,
        @Doc("Threads of the native poller: 2 (two threads pinned to two CPUs take turns, so together they look every "
                + "`poll-interval`) or 1. A CPU can stall for a millisecond or more (a hypervisor taking a vCPU away, a "
                + "kernel section that is not preempted), which hides a 1 kHz update from a thread on it but rarely "
                + "from one on another CPU. Adaptive polling and a process allowed a single CPU use one thread.")
        @DefaultValue("2") @Range(min = 1, max = 2) int pollThreads,
        @Doc("Snapshots waiting to be decoded and handed to the store; when full (the store is slower than the "
                + "simulator) snapshots are dropped and counted.")
        @DefaultValue("4096") @Range(min = 16, max = 1_000_000) int queueCapacity) {

    /** Where samples of a page go: one tag per field, or one structured record per snapshot. */
    public enum Shape { TAGS, RECORD }

    @Doc("One shared-memory page.")
    public record PageConfig(
            @Doc("A shipped layout name, or the path of a layout file ending in .yaml, .yml or .json.")
            @ExistingFile(value = "layout file", suffixes = {".yaml", ".yml", ".json"}) String layout,
            @Doc("POSIX path of the page, overriding the layout's (e.g. /dev/shm/acpmf_physics).")
            Optional<String> path,
            @Doc("Windows file-mapping name, overriding the layout's (e.g. Local\\acpmf_physics).")
            Optional<String> mappingName,
            @Doc("Fields to emit; all when empty.")
            List<String> fields,
            @Doc("At most this many snapshots per second are emitted for a page with an update counter "
                    + "(decimation); 0 emits every update.")
            @DefaultValue("0") @Range(min = 0, max = 100_000) double maxRate,
            @Doc("Sampling interval of a page without update counter.")
            @DefaultValue("100ms") Duration interval,
            @Doc("Tag prefix, overriding the layout's (`physics` gives tags like `physics.speedKmh`).")
            Optional<String> tagPrefix,
            @Doc("`tags`: one sample per field; `record`: one structured sample per snapshot, tagged with the prefix.")
            @DefaultValue("tags") Shape shape) {}
}
