package io.sluice.bench.export;

import io.sluice.bench.Benchmark;
import io.sluice.rigs.sitewise.SiteWiseStandIn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code test-rigs/bench export-sitewise}: samples/s delivered end to end — SQLite stream store, publisher (rate
 * limits included), SiteWise destination with the real AWS SDK client — into the SiteWise stand-in on loopback, and
 * samples per BatchPutAssetPropertyValue call. Each run ({@link ExportRun}) first lets the simulator connector fill
 * the store while the destination is disabled, then enables it, drains {@code --warmup} samples untimed and times the
 * drain of the rest of the backlog until the destination's cursor reaches its end, so neither the producer nor the
 * JIT compiler competes for the CPU with what is measured. {@code --latency-ms N} makes the stand-in answer each call N ms late (its own
 * simulated service round trip). Ends with {@code delivered_samples_per_s=N samples_per_call=M latency_ms=L}
 * (medians).
 */
public final class ExportSiteWiseBenchmark implements Benchmark {

    @Override
    public String name() {
        return "export-sitewise";
    }

    @Override
    public String description() {
        return "store backlog -> publisher -> SiteWise destination -> SiteWise stand-in; delivered samples/s";
    }

    @Override
    public int run(String[] args) throws Exception {
        return new CommandLine(new Options()).execute(args);
    }

    @Command(name = "export-sitewise", mixinStandardHelpOptions = true,
            description = "Measures samples/s delivered to the SiteWise stand-in through the whole gateway.")
    static final class Options implements Callable<Integer> {

        @Option(names = "--runs", defaultValue = "3", description = "Runs; the medians are reported (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--samples", defaultValue = "200000",
                description = "Samples timed per run, drained after the warm-up (default ${DEFAULT-VALUE}).")
        int samples;

        @Option(names = "--warmup", defaultValue = "50000",
                description = "Samples delivered before the clock starts, warming up the JIT of the gateway, the SDK and the stand-in (default ${DEFAULT-VALUE}).")
        long warmup;

        @Option(names = "--tags", defaultValue = "100", description = "Simulated tags = SiteWise properties (default ${DEFAULT-VALUE}).")
        int tags;

        @Option(names = "--calls-per-second", description = "Rate limit of requests; default: the destination's default (1000/s).")
        Double callsPerSecond;

        @Option(names = "--entries-per-second", description = "Rate limit of entries; default: the destination's default (10000/s).")
        Double entriesPerSecond;

        @Option(names = "--max-calls-in-flight", description = "max-calls-in-flight of the destination (default: the destination's default).")
        Integer maxCallsInFlight;

        @Option(names = "--latency-ms", defaultValue = "0", description = "Simulated service round trip of the stand-in (default ${DEFAULT-VALUE}).")
        int latencyMillis;

        @Override
        public Integer call() throws Exception {
            // as sluice's main does (SluiceCli): calls in flight keep their connections
            if (System.getProperty("http.maxConnections") == null) System.setProperty("http.maxConnections", "64");
            System.setProperty("aws.accessKeyId", System.getProperty("aws.accessKeyId", "AKIDBENCHMARK"));
            System.setProperty("aws.secretAccessKey", System.getProperty("aws.secretAccessKey", "benchmark"));
            if (latencyMillis < 0) throw new CommandLine.ParameterException(new CommandLine(this), "--latency-ms must not be negative");
            if (latencyMillis > 0) System.out.println(latencyMillis + " ms service round trip in the stand-in");
            List<ExportRun.Result> results = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                try (SiteWiseStandIn standIn = SiteWiseStandIn.start().acceptUnknownAliases(true)
                        .latency(Duration.ofMillis(latencyMillis))) {
                    long total = warmup + samples;
                    ExportRun.Result r = ExportRun.run(enabled -> yaml(standIn, enabled, total), "telemetry", "sitewise",
                            total, warmup, () -> standIn.acceptedCount() >= total);
                    results.add(r);
                    System.out.println("run " + run + ": " + r.describe());
                }
            }
            double rate = ExportRun.median(results.stream().mapToDouble(ExportRun.Result::samplesPerSecond).toArray());
            double perCall = ExportRun.median(results.stream().mapToDouble(ExportRun.Result::samplesPerCall).toArray());
            System.out.printf("delivered_samples_per_s=%d samples_per_call=%.1f latency_ms=%d%n", Math.round(rate), perCall,
                    latencyMillis);
            return 0;
        }

        private String yaml(SiteWiseStandIn standIn, boolean enabled, long total) {
            StringBuilder rate = new StringBuilder();
            if (callsPerSecond != null || entriesPerSecond != null) {
                rate.append("    rate: {");
                if (callsPerSecond != null) rate.append("calls-per-second: ").append(callsPerSecond);
                if (callsPerSecond != null && entriesPerSecond != null) rate.append(", ");
                if (entriesPerSecond != null) rate.append("packets-per-second: ").append(entriesPerSecond);
                rate.append("}\n");
            }
            return """
                    connectors:
                      sim:
                        type: simulator
                        stream: telemetry
                        asset: {site: bench, area: hall-1, machine: m1}
                        interval: 1ms
                        limit: %d
                        tags: [{name: value, kind: random-walk, count: %d}]
                    streams:
                      telemetry:
                        priority: 2
                        export: [{destination: sitewise}]
                    destinations:
                      sitewise:
                        type: sitewise
                        enabled: %s
                        region: eu-central-1
                        endpoint-override: %s
                    %s%s""".formatted(total, tags, enabled, standIn.endpoint(),
                    maxCallsInFlight == null ? "" : "    max-calls-in-flight: " + maxCallsInFlight + "\n", rate);
        }
    }
}
