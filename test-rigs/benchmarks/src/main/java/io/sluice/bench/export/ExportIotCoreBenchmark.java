package io.sluice.bench.export;

import io.sluice.bench.Benchmark;
import io.sluice.rigs.mqtt.MosquittoRig;
import io.sluice.rigs.proxy.FaultProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code test-rigs/bench export-iotcore}: samples/s delivered end to end — SQLite store backlog, publisher with the
 * IoT Core default rates (100 publishes/s, 512 KB/s per connection), IoT Core destination (MQTT 3.1.1, QoS 1, mutual
 * TLS, gzip'd JSON payloads) — into mosquitto, and samples per publish (the MQTT "call"). Ends with
 * {@code delivered_samples_per_s=N samples_per_call=M} (medians of the runs).
 *
 * <p>{@code --live} measures live data instead of a backlog: the simulator feeds {@code --rate} values/s of
 * {@code --tags} tags (each tag once per interval, all at one source time) while the destination drains, and each
 * run reports values/s, bytes/value, publishes/s and whether the backlog grows ({@link LiveExportRun}). With
 * {@code --json-layout} (a comma-separated list, e.g. {@code auto,series}) each run measures every layout in turn,
 * so a baseline is measured on the same machine in the same minutes; medians per layout end the output.
 */
public final class ExportIotCoreBenchmark implements Benchmark {

    @Override
    public String name() {
        return "export-iotcore";
    }

    @Override
    public String description() {
        return "store backlog -> publisher (100 publishes/s, 512 KB/s) -> IoT Core destination -> mosquitto (mTLS)";
    }

    @Override
    public int run(String[] args) throws Exception {
        return new CommandLine(new Options()).execute(args);
    }

    @Command(name = "export-iotcore", mixinStandardHelpOptions = true,
            description = "Measures samples/s delivered to mosquitto (mutual TLS) through the whole gateway, within IoT Core's per-connection quotas.")
    static final class Options implements Callable<Integer> {

        @Option(names = "--runs", defaultValue = "3", description = "Runs; medians are reported (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--samples", defaultValue = "1500000", description = "Samples per run (default ${DEFAULT-VALUE}).")
        long samples;

        @Option(names = "--tags", defaultValue = "100", description = "Simulated tags (default ${DEFAULT-VALUE}).")
        int tags;

        @Option(names = "--payload-format", defaultValue = "json-gzip", description = "json, json-gzip or snapshot (default ${DEFAULT-VALUE}).")
        String payloadFormat;

        @Option(names = "--json-layout", defaultValue = "auto", split = ",", description = "json-layout of the destination, one or more (comma-separated; each run measures each): auto, series or wide (default ${DEFAULT-VALUE}).")
        List<String> layouts;

        @Option(names = "--live", description = "Live data: the simulator feeds --rate values/s while the destination drains (instead of draining a backlog).")
        boolean live;

        @Option(names = "--rate", defaultValue = "10000", description = "With --live: values/s fed, all --tags tags once per interval (default ${DEFAULT-VALUE}).")
        int rate;

        @Option(names = "--warmup-s", defaultValue = "10", description = "With --live: seconds before measuring (default ${DEFAULT-VALUE}).")
        int warmupSeconds;

        @Option(names = "--measure-s", defaultValue = "30", description = "With --live: seconds measured per run (default ${DEFAULT-VALUE}).")
        int measureSeconds;

        @Option(names = "--latency-ms", defaultValue = "0", description = "Network latency between the gateway and mosquitto, each way, added by the fault proxy (default ${DEFAULT-VALUE}: no proxy).")
        int latencyMillis;

        @Override
        public Integer call() throws Exception {
            if (latencyMillis < 0) throw new CommandLine.ParameterException(new CommandLine(this), "--latency-ms must not be negative");
            long intervalMillis = Math.max(1, Math.round(tags * 1000.0 / rate));
            double feedRate = tags * 1000.0 / intervalMillis;
            Path work = Files.createTempDirectory("sluice-bench-iotcore");
            Map<String, List<ExportRun.Result>> backlogResults = new LinkedHashMap<>();
            Map<String, List<LiveExportRun.Result>> liveResults = new LinkedHashMap<>();
            try (MosquittoRig broker = MosquittoRig.startMutualTls(work);
                 FaultProxy proxy = latencyMillis > 0 ? FaultProxy.start(broker.port()) : null) {
                if (proxy != null) proxy.latency(Duration.ofMillis(latencyMillis));
                String uri = proxy == null ? broker.uri() : "ssl://127.0.0.1:" + proxy.port();
                String what = live ? String.format("live: %d tags every %d ms (%,.0f values/s), %d s warm-up, %d s measured",
                        tags, intervalMillis, feedRate, warmupSeconds, measureSeconds)
                        : String.format("%,d samples of %d tags per run", samples, tags);
                System.out.printf("mosquitto at %s (pid %d); %s, payload %s, json-layout %s%s%n", broker.uri(), broker.pid(),
                        what, payloadFormat, String.join(",", layouts),
                        proxy == null ? "" : "; " + latencyMillis + " ms latency each way (fault proxy at " + uri + ")");
                for (int run = 1; run <= runs; run++) {
                    for (String layout : layouts) {
                        String label = "run " + run + " " + layout + ": ";
                        if (live) {
                            LiveExportRun.Result r = LiveExportRun.run(yaml(uri, broker, true, layout, intervalMillis, 0),
                                    "telemetry", "iot", Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(measureSeconds), feedRate);
                            liveResults.computeIfAbsent(layout, k -> new ArrayList<>()).add(r);
                            System.out.println(label + r.describe() + quota(r.publishesPerSecond(), r.bytesPerSecond()));
                        } else {
                            ExportRun.Result r = ExportRun.run(enabled -> yaml(uri, broker, enabled, layout, 1, samples),
                                    "telemetry", "iot", samples, 0, () -> true);
                            backlogResults.computeIfAbsent(layout, k -> new ArrayList<>()).add(r);
                            System.out.println(label + r.describe() + quota(r.packetsPerSecond(), r.bytesPerSecond()));
                        }
                    }
                }
            } finally {
                ExportRun.deleteTree(work);
            }
            for (String layout : layouts) {
                if (live) {
                    List<LiveExportRun.Result> rs = liveResults.get(layout);
                    long growing = rs.stream().filter(LiveExportRun.Result::grows).count();
                    System.out.printf("json_layout=%s delivered_values_per_s=%d bytes_per_value=%.1f publishes_per_s=%.1f"
                                    + " bytes_per_s=%d backlog_slope_values_per_s=%+d backlog_grows=%s (%d of %d runs)%n", layout,
                            Math.round(median(rs, LiveExportRun.Result::valuesPerSecond)), median(rs, LiveExportRun.Result::bytesPerValue),
                            median(rs, LiveExportRun.Result::publishesPerSecond), Math.round(median(rs, LiveExportRun.Result::bytesPerSecond)),
                            Math.round(median(rs, LiveExportRun.Result::backlogSlope)), growing * 2 > rs.size() ? "yes" : "no",
                            growing, rs.size());
                } else {
                    List<ExportRun.Result> rs = backlogResults.get(layout);
                    System.out.printf("json_layout=%s delivered_samples_per_s=%d samples_per_call=%.1f bytes_per_value=%.1f"
                                    + " publishes_per_s=%.1f latency_ms=%d%n", layout,
                            Math.round(median(rs, ExportRun.Result::samplesPerSecond)), median(rs, ExportRun.Result::samplesPerPacket),
                            median(rs, ExportRun.Result::bytesPerSample), median(rs, ExportRun.Result::packetsPerSecond), latencyMillis);
                }
            }
            return 0;
        }

        private static <T> double median(List<T> results, java.util.function.ToDoubleFunction<T> field) {
            return ExportRun.median(results.stream().mapToDouble(field).toArray());
        }

        private static String quota(double publishesPerSecond, double bytesPerSecond) {
            return publishesPerSecond > 100.5 || bytesPerSecond > 512 * 1024 * 1.005 ? "  ABOVE THE QUOTA"
                    : "  (within 100 publishes/s, 512 KB/s)";
        }

        private String yaml(String uri, MosquittoRig broker, boolean enabled, String layout, long intervalMillis, long limit) {
            return """
                    connectors:
                      sim:
                        type: simulator
                        stream: telemetry
                        asset: {site: bench, area: hall-1, machine: m1}
                        interval: %dms
                        limit: %d
                        tags: [{name: value, kind: random-walk, count: %d, unit: bar}]
                    streams:
                      telemetry:
                        priority: 2
                        export: [{destination: iot}]
                    destinations:
                      iot:
                        type: iotcore
                        enabled: %s
                        endpoint: %s
                        client-id: bench-gateway
                        certificate: %s
                        private-key: %s
                        ca-certificate: %s
                        topic: plant/{site}/{stream}
                        payload-format: %s
                        json-layout: %s
                    """.formatted(intervalMillis, limit, tags, enabled, uri, broker.clientCertificatePath(),
                    broker.clientKeyPath(), broker.caCertificatePath(), payloadFormat, layout);
        }
    }
}
