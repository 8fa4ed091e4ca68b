package io.sluice.bench.opcua;

import io.sluice.bench.Benchmark;
import io.sluice.admin.RunningGateway;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.store.ReadBatch;
import io.sluice.runtime.store.StoredSample;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code test-rigs/bench opcua}: OPC UA changes per second from one server into the SQLite store of a running
 * gateway. The rig server runs as a separate JVM (so CPU and RSS are the gateway's alone) with {@code --nodes}
 * Double nodes that all change every {@code --interval}; the gateway subscribes to the whole folder (one
 * subscription, {@code --publishing-interval}, sampling interval 0 = report every change) and commits every change.
 * The publishing interval bounds the latency: a change waits up to one interval on the server before it is sent;
 * the store's group-commit window ({@code --commit-window}, 1 ms here) adds up to one window before the commit. After a warm-up, a reader polls the
 * store every millisecond and takes the latency of each newly committed sample as (time it was seen committed - its
 * source timestamp); this is an upper bound of source-to-commit latency (it includes up to 1 ms of polling). Ends with
 * {@code changes_per_s=N p50_ms=A p99_ms=B cpu_pct=C rss_mb=D}: the medians over the runs; cpu_pct is the gateway
 * process's CPU time over wall time (100 = one core fully busy; it includes this measuring reader, which reads back
 * every sample), rss_mb its resident set at the end of a run.
 *
 * <p>With {@code --admin} the gateway runs with its admin endpoint (Prometheus registry, JVM binders) under the load of
 * an open console, from child processes (curl, so their CPU is not the gateway's): one live tail of the stream
 * (SSE, read as fast as curl reads) and, every second, a scrape of {@code /metrics} and a {@code GET /api/v1/status}.
 */
public final class OpcUaBenchmark implements Benchmark {

    @Override
    public String name() {
        return "opcua";
    }

    @Override
    public String description() {
        return "OPC UA rig server (10,000 nodes every 100 ms) -> subscription -> SQLite store; changes/s, latency, CPU, RSS";
    }

    @Override
    public int run(String[] args) throws Exception {
        return new CommandLine(new Options()).execute(args);
    }

    record Result(double changesPerSecond, double p50, double p99, double cpuPct, double rssMb) {
    }

    @Command(name = "opcua", mixinStandardHelpOptions = true,
            description = "Measures OPC UA changes/s from a rig server into the store of a running gateway.")
    static final class Options implements Callable<Integer> {

        @Option(names = "--runs", defaultValue = "3", description = "Runs; medians are reported (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--nodes", defaultValue = "10000", description = "Changing nodes on the server (default ${DEFAULT-VALUE}).")
        int nodes;

        @Option(names = "--interval", defaultValue = "100", description = "Milliseconds between changes of every node (default ${DEFAULT-VALUE}).")
        int intervalMs;

        @Option(names = "--publishing-interval", defaultValue = "20", description = "Publishing interval of the gateway's subscription in milliseconds (default ${DEFAULT-VALUE}).")
        int publishingIntervalMs;

        @Option(names = "--commit-window", defaultValue = "1ms", description = "store.commit-window of the gateway (default ${DEFAULT-VALUE}, the setting for latency-sensitive sources; the store's own default is 5ms).")
        String commitWindow;

        @Option(names = "--warmup", defaultValue = "5", description = "Seconds before measuring (default ${DEFAULT-VALUE}).")
        int warmupSeconds;

        @Option(names = "--admin", description = "Run with the admin endpoint under console load: an SSE tail and /metrics + /api/v1/status every second.")
        boolean admin;

        @Option(names = "--no-console", description = "With --admin: the endpoint runs but nobody reads it (the baseline for the console's own cost).")
        boolean noConsole;

        @Option(names = "--seconds", defaultValue = "20", description = "Seconds measured per run (default ${DEFAULT-VALUE}).")
        int seconds;

        @Override
        public Integer call() throws Exception {
            Result[] results = new Result[runs];
            for (int i = 0; i < runs; i++) {
                results[i] = once(i + 1);
            }
            System.out.printf("changes_per_s=%d p50_ms=%.1f p99_ms=%.1f cpu_pct=%.0f rss_mb=%.0f%n",
                    Math.round(median(results, Result::changesPerSecond)), median(results, Result::p50),
                    median(results, Result::p99), median(results, Result::cpuPct), median(results, Result::rssMb));
            return 0;
        }

        private static double median(Result[] rs, java.util.function.ToDoubleFunction<Result> f) {
            double[] v = Arrays.stream(rs).mapToDouble(f).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        private Result once(int run) throws Exception {
            int port = freePort();
            Path data = Files.createTempDirectory("sluice-bench-opcua");
            Process server = startServer(port, data.resolve("rig"));
            try {
                String endpoint = "opc.tcp://127.0.0.1:" + port + "/rig";
                var config = ConfigLoader.parse(yaml(endpoint), "bench-opcua.yaml");
                RunningGateway running = admin ? RunningGateway.start(config, data.resolve("gw")) : null;
                Gateway gateway = admin ? running.gateway() : Gateway.start(config, data.resolve("gw"));
                List<Process> console = admin && !noConsole ? consoleLoad(running.admin().orElseThrow().url()) : List.of();
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (gateway.store().nextSequence("opcua") < nodes) {
                        if (System.nanoTime() > deadline) throw new IllegalStateException("no data from the rig server within 60 s");
                        Thread.sleep(50);
                    }
                    Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
                    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                    long cpu0 = os.getProcessCpuTime();
                    long t0 = System.nanoTime();
                    long seq0 = gateway.store().nextSequence("opcua");
                    long from = seq0;
                    long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
                    double[] latencies = new double[1 << 20];
                    double[] toReceive = new double[1 << 20];
                    int n = 0;
                    long seen = 0;
                    while (System.nanoTime() < end) {
                        long next = gateway.store().nextSequence("opcua");
                        if (next > from) {
                            long nowNanos = io.sluice.spi.Sample.toNanos(java.time.Instant.now());
                            while (from < next) {
                                ReadBatch batch = gateway.store().read("opcua", from, (int) Math.min(10_000, next - from));
                                if (batch.isEmpty()) break;
                                for (StoredSample s : batch.samples()) {
                                    if (n == latencies.length) {
                                        latencies = Arrays.copyOf(latencies, n * 2);
                                        toReceive = Arrays.copyOf(toReceive, n * 2);
                                    }
                                    toReceive[n] = (s.sample().receiveTimeNanos() - s.sample().sourceTimeNanos()) / 1e6;
                                    latencies[n++] = (nowNanos - s.sample().sourceTimeNanos()) / 1e6;
                                    seen++;
                                }
                                from = batch.nextSequence();
                            }
                        }
                        Thread.sleep(1);
                    }
                    long t1 = System.nanoTime();
                    long cpu1 = os.getProcessCpuTime();
                    long seq1 = gateway.store().nextSequence("opcua");
                    double wall = (t1 - t0) / 1e9;
                    double rate = (seq1 - seq0) / wall;
                    double[] sorted = Arrays.copyOf(latencies, n);
                    Arrays.sort(sorted);
                    double p50 = n == 0 ? Double.NaN : sorted[(int) Math.floor(0.50 * (n - 1))];
                    double p99 = n == 0 ? Double.NaN : sorted[(int) Math.floor(0.99 * (n - 1))];
                    double[] received = Arrays.copyOf(toReceive, n);
                    Arrays.sort(received);
                    double cpuPct = (cpu1 - cpu0) / 1e9 / wall * 100;
                    double rss = rssMb();
                    System.out.printf("run %d: %d changes committed in %.1f s = %.0f changes/s (expected %.0f); latency of %d "
                                    + "samples p50 %.1f ms p99 %.1f ms max %.1f ms; gateway cpu %.0f%% rss %.0f MB%n",
                            run, seq1 - seq0, wall, rate, nodes * 1000.0 / intervalMs, seen, p50, p99,
                            n == 0 ? Double.NaN : sorted[n - 1], cpuPct, rss);
                    if (n > 0) {
                        System.out.printf("run %d: of which source -> received by the connector p50 %.1f ms p99 %.1f ms%n", run,
                                received[(int) Math.floor(0.50 * (n - 1))], received[(int) Math.floor(0.99 * (n - 1))]);
                    }
                    return new Result(rate, p50, p99, cpuPct, rss);
                } finally {
                    for (Process p : console) p.destroy();
                    if (running != null) running.close();
                    else gateway.close();
                }
            } finally {
                server.destroy();
                if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
                deleteTree(data);
            }
        }

        /** What an open console costs: a live tail and a scrape of /metrics plus the status every second, from curl. */
        private static List<Process> consoleLoad(String url) throws IOException {
            Process tail = new ProcessBuilder("curl", "-sN", url + "/api/v1/streams/opcua/tail")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Process scrape = new ProcessBuilder("bash", "-c", "while true; do curl -s " + url + "/metrics >/dev/null; curl -s "
                    + url + "/api/v1/status >/dev/null; sleep 1; done")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            return List.of(tail, scrape);
        }

        private String yaml(String endpoint) {
            return """
                    connectors:
                      rig:
                        type: opcua
                        stream: opcua
                        asset: {site: bench, area: opcua}
                        endpoint: %s
                        groups:
                          - name: load
                            publishing-interval: %dms
                            sampling-interval: 0ms
                            queue-size: 10
                            folders:
                              - root: /Rig/Load
                                max-depth: 1
                    streams:
                      opcua:
                        priority: 5
                    store:
                      commit-window: %s
                    admin:
                      listen: 127.0.0.1:0
                    """.formatted(endpoint, publishingIntervalMs, commitWindow);
        }

        private Process startServer(int port, Path securityDir) throws Exception {
            return RigServerProcess.start(port, nodes, intervalMs, securityDir);
        }
    }

    static double rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        Runtime r = Runtime.getRuntime();
        return (r.totalMemory() - r.freeMemory()) / 1048576.0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
