package io.sluice.bench.opcuamqtt;

import io.sluice.bench.Benchmark;
import io.sluice.bench.ProcessProbe;
import io.sluice.bench.opcua.RigServerProcess;
import io.sluice.rigs.mqtt.MosquittoRig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code test-rigs/bench opcua-mqtt}: the whole path at plant rates, each part its own process. The OPC UA rig server
 * (a JVM, {@code --nodes} Double nodes changing every {@code --interval}) → a Sluice gateway started as a user starts
 * it ({@code ./sluice run} with a generated YAML, so the launcher's JVM defaults apply; one opcua connector
 * subscribing to every node, sampling interval 0, the store with its defaults, one {@code iotcore} destination) →
 * mosquitto with mutual TLS → a counting subscriber in this process that decodes the documented payload format.
 *
 * <p>Per run, after a warm-up, over {@code --seconds}: values and distinct values ({@code seq}) received per second,
 * the p95 of source timestamp → receipt by the subscriber, the gateway's CPU (utime + stime of
 * {@code /proc/<pid>/stat}) per value received, and its VmRSS at the end. Ends with the medians:
 * {@code values_per_s=… distinct_per_s=… p95_ms=… us_per_value=… rss_mb=…}.
 */
public final class OpcUaMqttBenchmark implements Benchmark {

    @Override
    public String name() {
        return "opcua-mqtt";
    }

    @Override
    public String description() {
        return "OPC UA rig server -> sluice run (opcua -> store -> iotcore) -> mosquitto (mTLS) -> subscriber; CPU/value, RSS, p95";
    }

    @Override
    public int run(String[] args) throws Exception {
        return new CommandLine(new Options()).execute(args);
    }

    record Result(double valuesPerSecond, double distinctPerSecond, double p95, double microsPerValue, double rssMb,
                  double messagesPerSecond, double bytesPerValue) {}

    @Command(name = "opcua-mqtt", mixinStandardHelpOptions = true,
            description = "Measures CPU per value, RSS and latency of a gateway process carrying OPC UA changes to MQTT (mutual TLS).")
    static final class Options implements Callable<Integer> {

        @Option(names = "--runs", defaultValue = "3", description = "Runs, each with a fresh gateway process; medians are reported (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--nodes", defaultValue = "1000", description = "Changing nodes on the server (default ${DEFAULT-VALUE}).")
        int nodes;

        @Option(names = "--interval", defaultValue = "100", description = "Milliseconds between changes of every node (default ${DEFAULT-VALUE}).")
        int intervalMs;

        @Option(names = "--publishing-interval", description = "Publishing interval of the gateway's subscription in ms (default: --interval).")
        Integer publishingIntervalMs;

        @Option(names = "--payload", defaultValue = "json-gzip", description = "payload-format of the iotcore destination: json or json-gzip (default ${DEFAULT-VALUE}).")
        String payload;

        @Option(names = "--json-layout", defaultValue = "auto", description = "json-layout of the iotcore destination: auto, series or wide (default ${DEFAULT-VALUE}).")
        String jsonLayout;

        @Option(names = "--iot-quotas", description = "Keep IoT Core's per-connection quotas (100 publishes/s, 512 KB/s); by default they are "
                + "raised (mosquitto has none) so that the gateway, not the quota, is measured.")
        boolean iotQuotas;

        @Option(names = "--batch-interval", description = "batch-interval of the stream's export to the iotcore destination, e.g. 1s "
                + "(default: none, samples go at once). Messages then carry several values per tag.")
        String batchInterval;

        @Option(names = "--iot", description = "Another key of the iotcore destination, key=value (repeatable), e.g. window-samples=100000.")
        List<String> iotKeys = new ArrayList<>();

        @Option(names = "--dump-payloads", defaultValue = "0", description = "Write the first N payloads received in the first run's "
                + "measured window to payload-NNN.bin in the work folder (implies --keep), to look at what the bytes are.")
        int dumpPayloads;

        @Option(names = "--synchronous", defaultValue = "full", description = "store.synchronous of the gateway: full or normal (default ${DEFAULT-VALUE}, the store's default).")
        String synchronous;

        @Option(names = "--commit-window", defaultValue = "5ms", description = "store.commit-window of the gateway (default ${DEFAULT-VALUE}, the store's default).")
        String commitWindow;

        @Option(names = "--store", description = "Another key of the gateway's store section, key=value (repeatable), e.g. keep-receipts=0s.")
        List<String> storeKeys = new ArrayList<>();

        @Option(names = "--warmup", defaultValue = "15", description = "Seconds after the first values arrive before measuring (default ${DEFAULT-VALUE}).")
        int warmupSeconds;

        @Option(names = "--seconds", defaultValue = "30", description = "Seconds measured per run (default ${DEFAULT-VALUE}).")
        int seconds;

        @Option(names = "--gateway-java-opts", defaultValue = "", description = "Put in SLUICE_JAVA_OPTS of the gateway, e.g. a JFR recording "
                + "or -Xmx (which replaces the launcher's edge defaults).")
        String gatewayJavaOpts;

        @Option(names = "--threads", description = "Also print the gateway's CPU per thread name over the measured window.")
        boolean threads;

        @Option(names = "--keep", description = "Keep the work folder (gateway config, data, log) and print where it is.")
        boolean keep;

        @Option(names = "--no-admin", description = "Run the gateway without its admin endpoint (no HTTP server, no Prometheus registry or JVM binders).")
        boolean noAdmin;

        @Override
        public Integer call() throws Exception {
            if (!payload.equals("json") && !payload.equals("json-gzip")) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--payload must be json or json-gzip");
            }
            String launcher = System.getenv("SLUICE_LAUNCHER");
            if (launcher == null) throw new IllegalStateException("SLUICE_LAUNCHER is not set; run through test-rigs/bench");
            Path work = Files.createTempDirectory("sluice-bench-opcua-mqtt");
            if (dumpPayloads > 0) keep = true;
            List<Result> results = new ArrayList<>();
            double load = loadAverage();
            try (MosquittoRig broker = MosquittoRig.startMutualTls(work)) {
                System.out.printf("%,d nodes every %d ms (%,.0f changes/s offered), publishing interval %d ms, payload %s (layout %s), "
                                + "%s quotas, batch-interval %s, iotcore %s, store %s / %s %s, admin endpoint %s; mosquitto %s; load average %.2f%n", nodes,
                        intervalMs, nodes * 1000.0 / intervalMs, publishingInterval(), payload, jsonLayout, iotQuotas ? "IoT Core" : "raised",
                        batchInterval == null ? "none" : batchInterval, iotKeys, synchronous, commitWindow, storeKeys, noAdmin ? "off" : "on", broker.uri(), load);
                for (int run = 1; run <= runs; run++) {
                    results.add(once(run, broker, work.resolve("run-" + run)));
                }
            } finally {
                if (keep) System.out.println("work folder: " + work);
                else deleteTree(work);
            }
            System.out.printf("values_per_s=%.0f distinct_per_s=%.0f p95_ms=%.1f us_per_value=%.2f rss_mb=%.0f messages_per_s=%.1f "
                            + "bytes_per_value=%.2f%n",
                    median(results, Result::valuesPerSecond), median(results, Result::distinctPerSecond), median(results, Result::p95),
                    median(results, Result::microsPerValue), median(results, Result::rssMb), median(results, Result::messagesPerSecond),
                    median(results, Result::bytesPerValue));
            return 0;
        }

        private int publishingInterval() {
            return publishingIntervalMs == null ? intervalMs : publishingIntervalMs;
        }

        private Result once(int run, MosquittoRig broker, Path dir) throws Exception {
            Files.createDirectories(dir);
            int port = freePort();
            Process server = RigServerProcess.start(port, nodes, intervalMs, dir.resolve("rig"));
            Process gateway = null;
            try (CountingSubscriber subscriber = new CountingSubscriber(broker, "bench/#")) {
                Path config = dir.resolve("gateway.yaml");
                Files.writeString(config, yaml("opc.tcp://127.0.0.1:" + port + "/rig", broker.uri(),
                        broker.clientCertificatePath(), broker.clientKeyPath(), broker.caCertificatePath()), StandardCharsets.UTF_8);
                Path log = dir.resolve("gateway.log");
                ProcessBuilder pb = new ProcessBuilder(System.getenv("SLUICE_LAUNCHER"), "run", "--config", config.toString(),
                        "--data", dir.resolve("data").toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                pb.environment().put("SLUICE_JAVA_OPTS", gatewayJavaOpts);
                gateway = pb.start();
                ProcessProbe probe = new ProcessProbe(gateway.pid());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (subscriber.counts().distinct() < nodes) {
                    if (!gateway.isAlive()) throw new IllegalStateException("the gateway exited with " + gateway.exitValue() + "; log: " + log);
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("fewer than " + nodes + " values within 120 s (" + subscriber.counts() + "); log: " + log);
                    }
                    Thread.sleep(50);
                }
                Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));

                Map<String, Long> threads0 = threads ? probe.cpuByThreadName() : Map.of();
                long cpu0 = probe.cpuNanos();
                if (run == 1 && dumpPayloads > 0) subscriber.dumpPayloads(dir, dumpPayloads);
                subscriber.startMeasuring();
                CountingSubscriber.Counts c0 = subscriber.counts();
                long t0 = System.nanoTime();
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                long cpu1 = probe.cpuNanos();
                CountingSubscriber.Counts c1 = subscriber.counts();
                long t1 = System.nanoTime();
                double[] latencies = subscriber.stopMeasuring();
                Map<String, Long> threads1 = threads ? probe.cpuByThreadName() : Map.of();
                double rss = probe.rssMb();
                int threadCount = probe.threads();
                if (!gateway.isAlive()) throw new IllegalStateException("the gateway exited during the run; log: " + log);

                double wall = (t1 - t0) / 1e9;
                long values = c1.values() - c0.values();
                long distinct = c1.distinct() - c0.distinct();
                long messages = c1.messages() - c0.messages();
                double cpuSeconds = (cpu1 - cpu0) / 1e9;
                double p95 = percentile(latencies, 0.95);
                double bytesPerValue = values == 0 ? 0.0 : (double) (c1.payloadBytes() - c0.payloadBytes()) / values;
                Result r = new Result(values / wall, distinct / wall, p95, values == 0 ? Double.NaN : cpuSeconds * 1e6 / values, rss,
                        messages / wall, bytesPerValue);
                System.out.printf("run %d: values_per_s=%.0f distinct_per_s=%.0f p95_ms=%.1f us_per_value=%.2f rss_mb=%.0f   "
                                + "(p50 %.1f ms, p99 %.1f ms; %.0f messages/s, %.1f values/message, %.1f payload bytes/value; "
                                + "gateway cpu %.1f %% of a core, %d threads; %d decode errors)%n",
                        run, r.valuesPerSecond(), r.distinctPerSecond(), p95, r.microsPerValue(), rss,
                        percentile(latencies, 0.50), percentile(latencies, 0.99), messages / wall,
                        messages == 0 ? 0.0 : (double) values / messages,
                        bytesPerValue,
                        cpuSeconds / wall * 100, threadCount, c1.decodeErrors());
                if (c1.decodeErrors() > 0) System.out.println("run " + run + ": first decode error: " + subscriber.firstDecodeError());
                if (threads) printThreads(threads0, threads1, cpu1 - cpu0);
                return r;
            } finally {
                if (gateway != null) {
                    gateway.destroy();
                    if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
                        gateway.destroyForcibly();
                        gateway.waitFor(30, TimeUnit.SECONDS);
                    }
                }
                server.destroy();
                if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
            }
        }

        private static void printThreads(Map<String, Long> before, Map<String, Long> after, long total) {
            after.entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                    .filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> System.out.printf("    %-40s %6.2f s  %4.1f %%%n", e.getKey(), e.getValue() / 1e9,
                            100.0 * e.getValue() / Math.max(1, total)));
        }

        /** The gateway's config: the rig's OPC UA {@code endpoint} into one iotcore destination at the broker {@code mqttUri}. */
        String yaml(String endpoint, String mqttUri, Path certificate, Path privateKey, Path caCertificate) {
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
                        export: [{destination: iot%s}]
                    destinations:
                      iot:
                        type: iotcore
                        endpoint: %s
                        client-id: bench-gateway
                        certificate: %s
                        private-key: %s
                        ca-certificate: %s
                        topic: bench/{site}/{stream}
                        payload-format: %s
                        json-layout: %s
                    %s
                    %s
                    store:
                      synchronous: %s
                      commit-window: %s
                    %s
                    %s
                    """.formatted(endpoint, publishingInterval(), batchInterval == null ? "" : ", batch-interval: " + batchInterval, mqttUri, certificate,
                    privateKey, caCertificate, payload, jsonLayout,
                    iotQuotas ? "" : "    publishes-per-second: 10000\n    bytes-per-second: 100MB", section("    ", iotKeys),
                    synchronous, commitWindow, section("  ", storeKeys), noAdmin ? "" : "admin:\n  listen: 127.0.0.1:0");
        }

        /** key=value pairs as YAML lines of a section, indented by {@code indent}. */
        private static String section(String indent, List<String> keyValues) {
            return keyValues.stream().map(kv -> indent + kv.replaceFirst("=", ": ")).reduce((a, b) -> a + "\n" + b).orElse("");
        }

        private static double percentile(double[] sorted, double q) {
            return sorted.length == 0 ? Double.NaN : sorted[(int) Math.floor(q * (sorted.length - 1))];
        }

        private static double median(List<Result> rs, ToDoubleFunction<Result> f) {
            double[] v = rs.stream().mapToDouble(f).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        private static double loadAverage() {
            try {
                return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            }
        }
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
