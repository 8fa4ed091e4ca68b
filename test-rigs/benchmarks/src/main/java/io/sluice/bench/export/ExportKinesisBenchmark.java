package io.sluice.bench.export;

import io.sluice.bench.Benchmark;
import io.sluice.rigs.kinesis.KinesisEmulator;
import io.sluice.rigs.proxy.FaultProxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * {@code test-rigs/bench export-kinesis [--one-shard]}: samples/s delivered end to end — SQLite store backlog,
 * publisher with its token buckets, Kinesis destination (gzip'd JSON Lines records, AWS SDK v2) — into the
 * kinesis-local emulator, and samples per PutRecords call. {@code --one-shard} writes to a one-shard stream with
 * the rate limiter at one shard's quota (1,000 records/s, 1 MiB/s). {@code --latency-ms N} puts the fault proxy's
 * delay line between the destination and the emulator: N ms each way. Ends with
 * {@code delivered_samples_per_s=N samples_per_call=M latency_ms=L} (medians of the runs).
 */
public final class ExportKinesisBenchmark implements Benchmark {

    @Override
    public String name() {
        return "export-kinesis";
    }

    @Override
    public String description() {
        return "store backlog -> publisher -> Kinesis destination -> kinesis-local; delivered samples/s";
    }

    @Override
    public int run(String[] args) throws Exception {
        return new CommandLine(new Options()).execute(args);
    }

    @Command(name = "export-kinesis", mixinStandardHelpOptions = true,
            description = "Measures samples/s delivered to the Kinesis emulator through the whole gateway.")
    static final class Options implements Callable<Integer> {

        @Option(names = "--runs", defaultValue = "3", description = "Runs; medians are reported (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--samples", description = "Samples timed per run (default 1000000).")
        Long samples;

        @Option(names = "--warmup", defaultValue = "500000", description = "Samples delivered before the clock starts, warming up the gateway's and the emulator's JIT (default ${DEFAULT-VALUE}).")
        long warmup;

        @Option(names = "--tags", defaultValue = "16", description = "Simulated tags = partition keys (default ${DEFAULT-VALUE}; kinesis-local spends most of its time per record, so fewer keys, bigger records).")
        int tags;

        @Option(names = "--partition-key", defaultValue = "{connector}/{tag}",
                description = "partition-key of the destination (default ${DEFAULT-VALUE}: one key per tag; the destination's own default is one key per asset, and the benchmark has one asset).")
        String partitionKey;

        @Option(names = "--shards", defaultValue = "16", description = "Shards of the stream and shard-count of the destination (default ${DEFAULT-VALUE}: the destination keeps each shard within 1 MiB/s, and the 16 keys hash unevenly, 4 of them to the busiest of 16 shards, 7 to the busiest of 4).")
        int shards;

        @Option(names = "--one-shard", description = "One shard, rate limiter at one shard's quota: 1,000 records/s and 1 MiB/s.")
        boolean oneShard;

        @Option(names = "--window", description = "window-samples of the destination (default: the destination's default).")
        Integer window;

        @Option(names = "--records-per-call", description = "max-records-per-request of the destination (default: the destination's default).")
        Integer recordsPerCall;

        @Option(names = "--compression-level", defaultValue = "6", description = "gzip level of the records (default ${DEFAULT-VALUE}).")
        int level;

        @Option(names = "--latency-ms", defaultValue = "0", description = "Network latency between the gateway and the emulator, each way, added by the fault proxy (default ${DEFAULT-VALUE}: no proxy).")
        int latencyMillis;

        @Option(names = "--record-format", defaultValue = "series", description = "record-format of the destination: series or jsonl (default ${DEFAULT-VALUE}).")
        String recordFormat;

        @Override
        public Integer call() throws Exception {
            if (latencyMillis < 0) throw new CommandLine.ParameterException(new CommandLine(this), "--latency-ms must not be negative");
            System.setProperty("aws.accessKeyId", KinesisEmulator.ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", KinesisEmulator.SECRET_KEY);
            int shardCount = oneShard ? 1 : shards;
            long total = samples != null ? samples : 1_000_000;
            Path work = Files.createTempDirectory("sluice-bench-kinesis");
            List<ExportRun.Result> results = new ArrayList<>();
            System.out.printf("%,d samples of %d tags per run after a warm-up of %,d, %d shard(s)%s, record-format %s; a fresh kinesis-local per run%s%n",
                    total, tags, warmup, shardCount, oneShard ? ", rate limiter at one shard's quota" : "", recordFormat,
                    latencyMillis > 0 ? "; " + latencyMillis + " ms latency each way (fault proxy)" : "");
            try {
                for (int run = 1; run <= runs; run++) {
                    // kinesis-local keeps every record in memory and slows down as it fills: a fresh one per run
                    try (KinesisEmulator emulator = KinesisEmulator.start(work.resolve("run-" + run));
                         FaultProxy proxy = latencyMillis > 0 ? FaultProxy.start(emulator.endpoint().getPort()) : null;
                         KinesisAsyncClient admin = KinesisAsyncClient.builder().endpointOverride(emulator.endpoint())
                                 .region(Region.of(emulator.region())).credentialsProvider(StaticCredentialsProvider.create(
                                         AwsBasicCredentials.create(KinesisEmulator.ACCESS_KEY, KinesisEmulator.SECRET_KEY))).build()) {
                        String stream = "bench-" + run;
                        admin.createStream(b -> b.streamName(stream).shardCount(shardCount)).get(30, TimeUnit.SECONDS);
                        if (proxy != null) proxy.latency(Duration.ofMillis(latencyMillis));
                        URI endpoint = proxy == null ? emulator.endpoint() : URI.create("http://127.0.0.1:" + proxy.port());
                        ExportRun.Result r = ExportRun.run(enabled -> yaml(emulator, endpoint, stream, shardCount, warmup + total, enabled),
                                "telemetry", "cloud", warmup + total, warmup, () -> true);
                        results.add(r);
                        System.out.println("run " + run + ": " + r.describe());
                    }
                }
            } finally {
                ExportRun.deleteTree(work);
            }
            double rate = ExportRun.median(results.stream().mapToDouble(ExportRun.Result::samplesPerSecond).toArray());
            double perCall = ExportRun.median(results.stream().mapToDouble(ExportRun.Result::samplesPerCall).toArray());
            System.out.printf("delivered_samples_per_s=%d samples_per_call=%.1f latency_ms=%d%n", Math.round(rate), perCall,
                    latencyMillis);
            return 0;
        }

        private String yaml(KinesisEmulator emulator, URI endpoint, String stream, int shardCount, long total, boolean enabled) {
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
                        export: [{destination: cloud}]
                    destinations:
                      cloud:
                        type: kinesis
                        enabled: %s
                        stream-name: %s
                        region: %s
                        endpoint-override: %s
                        shard-count: %d
                        compression-level: %d
                        record-format: %s
                        partition-key: "%s"
                    %s""".formatted(total, tags, enabled, stream, emulator.region(), endpoint, shardCount, level,
                    recordFormat, partitionKey,
                    (window == null ? "" : "    window-samples: " + window + "\n")
                            + (recordsPerCall == null ? "" : "    max-records-per-request: " + recordsPerCall + "\n"));
        }
    }
}
