package io.sluice.bench.simmem;

import io.sluice.bench.Benchmark;
import io.sluice.connector.simmem.SimMemConfig;
import io.sluice.connector.simmem.SimMemConnector;
import io.sluice.rigs.shm.ShmWriter;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.testkit.FakeConnectorContext;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * CPU the simmem connector uses to sample the full ACC physics page (85 fields, one sample per field) at the
 * writer's rate, default 1 kHz. Starts the C writer as a separate process, runs the connector with a sink that only
 * counts and checks samples (no store), and measures this process's CPU time over the run after a warm-up.
 * torn counts snapshots whose self-check field (absVibrations, written first) differs from packetId (written last).
 * It also prints the CPU of each thread (the native poller, the Java reader that drains it, the decoder) and, with
 * {@code --floor}, runs the bare C floor reader beside the connector: what a loop that only looks at the counter every
 * 200 us misses on this machine, and what one timer wake-up costs.
 */
public final class SimMemBenchmark implements Benchmark {

    @Override
    public String name() {
        return "simmem";
    }

    @Override
    public String description() {
        return "CPU for sampling the full ACC physics page from shared memory at 1 kHz (C writer process)";
    }

    @Override
    public int run(String[] args) throws Exception {
        double rate = 1000;
        int seconds = 20;
        int warmup = 15; // the JIT compiles the per-snapshot path after some 10,000 snapshots; a gateway runs for hours
        boolean nativePoller = true;
        boolean adaptive = false;
        boolean floor = false;
        int pollThreads = 2;
        int floorThreads = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--java-poller" -> nativePoller = false;
                case "--adaptive" -> adaptive = true;
                case "--floor" -> floor = true;
                case "--floor-threads" -> floorThreads = Integer.parseInt(args[++i]);
                case "--threads" -> pollThreads = Integer.parseInt(args[++i]);
                case "--help", "-h" -> {
                    System.out.println("usage: test-rigs/bench simmem [--rate 1000] [--seconds 20] [--warmup 15] [--java-poller] [--adaptive] [--threads 2] [--floor [--floor-threads 1]]");
                    return 0;
                }
                default -> {
                    System.err.println("unknown option " + args[i]);
                    return 2;
                }
            }
        }
        String prefix = "sluice_bench_" + ProcessHandle.current().pid() + "_";
        AtomicLong samples = new AtomicLong();
        AtomicLong torn = new AtomicLong();
        long[] packet = {Long.MIN_VALUE};
        Consumer<List<Sample>> tally = batch -> {
            for (Sample s : batch) {
                samples.incrementAndGet();
                if (s.tag().equals("physics.packetId")) {
                    packet[0] = ((Value.IntValue) s.value()).value();
                } else if (s.tag().equals("physics.absVibrations")
                        && ((Value.FloatValue) s.value()).value() != (double) (float) packet[0]) {
                    torn.incrementAndGet();
                }
            }
        };
        SimMemConfig.PageConfig physics = new SimMemConfig.PageConfig("acc-physics",
                Optional.of("/dev/shm/" + prefix + "physics"), Optional.empty(), List.of(), 0, Duration.ofMillis(100),
                Optional.empty(), SimMemConfig.Shape.TAGS);
        SimMemConfig config = new SimMemConfig(List.of(physics), false, "lap", Duration.ofNanos(200_000),
                Duration.ofSeconds(1), Duration.ofMillis(20), true, nativePoller, adaptive, pollThreads, 65_536);
        SimMemConnector connector = new SimMemConnector("bench", config);
        Path state = Files.createTempDirectory("simmem-bench");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long count = Math.round(rate * (seconds + warmup + 1));
        System.out.printf("writer %.0f Hz for %d s (+%d s warm-up), full physics page (85 fields), %s poller%s%n", rate,
                seconds, warmup, nativePoller ? "native" : "Java", nativePoller ? (adaptive ? ", adaptive" : ", fixed interval") : "");
        // the testkit's context: a sink that only counts (the hook above checks each batch), no samples kept
        FakeConnectorContext context = new FakeConnectorContext("bench", state, scheduler).keepSamples(false).beforeAppend(tally);
        connector.start(context);
        ShmWriter floorReader = floor
                ? ShmWriter.floorReader(Path.of("/dev/shm/" + prefix + "physics"), 0, count, 200, floorThreads) : null;
        try (ShmWriter writer = ShmWriter.acc(prefix, rate, "--count", Long.toString(count), "--realtime")) {
            Thread.sleep(warmup * 1000L);
            SimMemConnector.PageStats before = connector.stats().get(0);
            long snapshots0 = before.snapshots();
            Map<String, Long> threads0 = ThreadCpu.byRole();
            long cpu0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long cpu1 = os.getProcessCpuTime();
            long wall1 = System.nanoTime();
            Map<String, Long> threads1 = ThreadCpu.byRole();
            SimMemConnector.PageStats after = connector.stats().get(0);
            long snapshots1 = after.snapshots();
            writer.awaitExit(Duration.ofSeconds(30));
            Thread.sleep(200);
            connector.stop();
            SimMemConnector.PageStats stats = connector.stats().get(0);
            double wallSeconds = (wall1 - wall0) / 1e9;
            double rateHz = (snapshots1 - snapshots0) / wallSeconds;
            double cpuPct = 100.0 * (cpu1 - cpu0) / (wall1 - wall0);
            System.out.printf("snapshots=%d samples=%d dropped=%d copy_retries=%d native=%s poller_threads=%d looks_per_s=%.0f locked=%.0f%%%n",
                    stats.snapshots(), samples.get(), stats.dropped(), stats.copyRetries(), stats.nativePoller(), stats.pollerThreads(),
                    (after.nativeLooks() - before.nativeLooks()) / wallSeconds,
                    100.0 * (after.lockedLooks() - before.lockedLooks()) / Math.max(1, after.nativeLooks() - before.nativeLooks()));
            System.out.println("threads_cpu_pct " + ThreadCpu.percentages(threads0, threads1, wall1 - wall0));
            if (floorReader != null) {
                System.out.println("floor " + floorLine(floorReader.awaitExit(Duration.ofSeconds(30))));
            }
            System.out.printf("rate_hz=%.0f missed=%d torn=%d cpu_pct=%.1f%n", rateHz, stats.missed(), torn.get(), cpuPct);
            return 0;
        } finally {
            scheduler.shutdownNow();
            if (floorReader != null) floorReader.close();
        }
    }

    /** The floor reader's DONE line as missed=M looks_per_s=L cpu_pct=C us_per_look=U [threads=2 missed_0= missed_1=]. */
    private static String floorLine(String done) {
        Map<String, Long> f = new java.util.HashMap<>();
        for (String kv : done.trim().split("\\s+")) {
            String[] p = kv.split("=", 2);
            if (p.length == 2 && p[1].matches("-?\\d+")) f.put(p[0], Long.parseLong(p[1]));
        }
        if (!f.containsKey("cpu_ms") || f.getOrDefault("wall_ms", 0L) == 0) return "(no result: " + done.trim() + ")";
        double wallS = f.get("wall_ms") / 1000.0;
        String line = String.format("missed=%d looks_per_s=%.0f cpu_pct=%.1f us_per_look=%.1f", f.get("missed"),
                f.get("looks") / wallS, 100.0 * f.get("cpu_ms") / f.get("wall_ms"),
                1000.0 * f.get("cpu_ms") / Math.max(1, f.get("looks")));
        if (f.containsKey("missed_0")) {
            line += String.format(" threads=2 missed_0=%d missed_1=%d", f.get("missed_0"), f.get("missed_1"));
        }
        return line;
    }
}
