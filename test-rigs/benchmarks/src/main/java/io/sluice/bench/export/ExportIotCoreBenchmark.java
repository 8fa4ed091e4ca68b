package io.sluice.bench.export;

import io.sluice.bench.Benchmark;
import io.sluice.rigs.mqtt.MosquittoRig;
import io.sluice.rigs.proxy.FaultProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code test-rigs/bench export-iotcore}: samples/s delivered end to end — SQLite store backlog, publisher with the
 * IoT Core default rates (100 publishes/s, 512 KB/s per connection), IoT Core destination (MQTT 3.1.1, QoS 1, mutual
 * TLS, gzip'd JSON payloads) — into mosquitto, and samples per publish (the MQTT "call"). Ends with
 * {@code delivered_samples_per_s=N samples_per_call=M} (medians of the runs).
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

        @Option(names = "--latency-ms", defaultValue = "0", description = "Network latency between the gateway and mosquitto, each way, added by the fault proxy (default ${DEFAULT-VALUE}: no proxy).")
        int latencyMillis;

        @Override
        public Integer call() throws Exception {
            if (latencyMillis < 0) throw new CommandLine.ParameterException(new CommandLine(this), "--latency-ms must not be negative");
            Path work = Files.createTempDirectory("sluice-bench-iotcore");
            List<ExportRun.Result> results = new ArrayList<>();
            try (MosquittoRig broker = MosquittoRig.startMutualTls(work);
                 FaultProxy proxy = latencyMillis > 0 ? FaultProxy.start(broker.port()) : null) {
                if (proxy != null) proxy.latency(Duration.ofMillis(latencyMillis));
                String uri = proxy == null ? broker.uri() : "ssl://127.0.0.1:" + proxy.port();
                System.out.printf("mosquitto at %s (pid %d); %,d samples of %d tags per run, payload %s%s%n",
                        broker.uri(), broker.pid(), samples, tags, payloadFormat,
                        proxy == null ? "" : "; " + latencyMillis + " ms latency each way (fault proxy at " + uri + ")");
                for (int run = 1; run <= runs; run++) {
                    ExportRun.Result r = ExportRun.run(enabled -> yaml(broker, uri, enabled), "telemetry", "iot", samples, 0, () -> true);
                    results.add(r);
                    System.out.println("run " + run + ": " + r.describe() + (r.packetsPerSecond() > 100.5
                            || r.bytesPerSecond() > 512 * 1024 * 1.005 ? "  ABOVE THE QUOTA" : "  (within 100 publishes/s, 512 KB/s)"));
                }
            } finally {
                ExportRun.deleteTree(work);
            }
            double rate = ExportRun.median(results.stream().mapToDouble(ExportRun.Result::samplesPerSecond).toArray());
            double perPublish = ExportRun.median(results.stream().mapToDouble(ExportRun.Result::samplesPerPacket).toArray());
            System.out.printf("delivered_samples_per_s=%d samples_per_call=%.1f latency_ms=%d%n", Math.round(rate), perPublish,
                    latencyMillis);
            return 0;
        }

        private String yaml(MosquittoRig broker, String uri, boolean enabled) {
            return """
                    connectors:
                      sim:
                        type: simulator
                        stream: telemetry
                        asset: {site: bench, area: hall-1, machine: m1}
                        interval: 1ms
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
                    """.formatted(samples, tags, enabled, uri, broker.clientCertificatePath(),
                    broker.clientKeyPath(), broker.caCertificatePath(), payloadFormat);
        }
    }
}
