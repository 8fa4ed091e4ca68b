package io.sluice.bench.soak;

import io.sluice.bench.Benchmark;
import io.sluice.rigs.kinesis.KinesisEmulator;
import io.sluice.rigs.proxy.FaultProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * {@code test-rigs/bench soak [--minutes N] [--kills N]}: the real gateway ({@code java -jar sluice.jar run}) as a
 * child process, counting simulator tags into two streams (drop-oldest and reject-new) exported to a {@code file}
 * destination and, through the fault proxy, to kinesis-local. It is killed with SIGKILL {@code --kills} times at
 * random moments under ingest and export, its data disk (a 24 MB tmpfs, when run as root) is filled and freed, and
 * the Kinesis link is blackholed; then the ingest stops, everything drains, and every delivered value is checked
 * against what the source produced and the store acknowledged. Ends with one line: {@code kills=.. lost=..
 * max_dup_per_crash=.. broken_lines=.. integrity=.. full_recovered=.. refused_but_stored=.. silent_drops=..}
 * (defined in docs/RELIABILITY.md); exit code 0 when every promise held, 1 otherwise.
 */
public final class SoakBenchmark implements Benchmark {

    @Override
    public String name() {
        return "soak";
    }

    @Override
    public String description() {
        return "kill -9, full disk and a blackholed destination against the real gateway; every value checked";
    }

    @Override
    public int run(String[] args) {
        return new CommandLine(new Options()).execute(args);
    }

    @Command(name = "soak", mixinStandardHelpOptions = true,
            description = "Crash, disk-full and outage soak of the real gateway process; checks every value end to end.")
    static final class Options implements Callable<Integer> {

        @Option(names = "--minutes", defaultValue = "20", description = "Length of the fault phases: half of it kills, "
                + "the blackhole lasts 2 minutes per 20 (default ${DEFAULT-VALUE}). Drain and checks come on top.")
        double minutes;

        @Option(names = "--kills", defaultValue = "50", description = "kill -9 of the gateway (default ${DEFAULT-VALUE}).")
        int kills;

        @Option(names = "--tags", defaultValue = "5", description = "Counting tags per stream (default ${DEFAULT-VALUE}).")
        int tags;

        @Option(names = "--interval", defaultValue = "10ms", description = "Simulator interval (default ${DEFAULT-VALUE}; "
                + "samples/s = 2 streams x tags / interval).")
        String interval;

        @Option(names = "--seed", description = "Seed of the kill moments (default: the time).")
        Long seed;

        @Option(names = "--keep", description = "Keep the work folder (store, outputs, logs) even when every check passed.")
        boolean keep;

        @Override
        public Integer call() throws Exception {
            if (kills < 0 || minutes <= 0 || tags < 1) throw new CommandLine.ParameterException(new CommandLine(this),
                    "expected --kills >= 0, --minutes > 0, --tags >= 1");
            Path jar = Path.of(System.getenv().getOrDefault("SLUICE_SOAK_JAR", "components/gateway/target/sluice.jar"));
            if (!Files.isRegularFile(jar)) {
                System.err.println("soak: the gateway jar " + jar + " is missing; run it as test-rigs/bench soak (builds it)");
                return 2;
            }
            long s = seed != null ? seed : System.currentTimeMillis();
            Path work = Files.createTempDirectory("sluice-soak");
            SoakRun run = new SoakRun(jar.toAbsolutePath(), work, minutes, kills, tags, interval, new Random(s));
            System.out.printf("soak: %d kills over %.1f min, 2 streams x %d counting tags every %s, seed %d, work folder %s%n",
                    kills, minutes / 2, tags, interval, s, work);
            SoakFigures figures;
            try {
                figures = run.execute();
            } catch (Exception e) {
                System.out.println("soak: aborted: " + e.getMessage() + " (work folder kept: " + work + ")");
                throw e;
            }
            boolean passed = figures.passed();
            if (passed && !keep) deleteTree(work);
            else System.out.println("soak: work folder kept: " + work);
            System.out.println(figures.line());
            return passed ? 0 : 1;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Builds the Kinesis client the soak reads the stream with (directly, not through the proxy). */
    static KinesisAsyncClient kinesisClient(KinesisEmulator emulator) {
        // JSON instead of CBOR for the soak's own reads: the SDK has failed to parse large CBOR answers of
        // kinesis-local ("Index N out of bounds for length N"); the gateway, a separate process, keeps the default
        System.setProperty("aws.cborEnabled", "false");
        return KinesisAsyncClient.builder().endpointOverride(emulator.endpoint()).region(Region.of(emulator.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(KinesisEmulator.ACCESS_KEY, KinesisEmulator.SECRET_KEY))).build();
    }

    static void createStream(KinesisAsyncClient client, String name, int shards) throws Exception {
        client.createStream(b -> b.streamName(name).shardCount(shards)).get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"ACTIVE".equals(client.describeStreamSummary(b -> b.streamName(name)).get(30, TimeUnit.SECONDS)
                .streamDescriptionSummary().streamStatusAsString())) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("Kinesis stream " + name + " not ACTIVE in 30 s");
            Thread.sleep(100);
        }
    }

    static Map<String, String> awsEnvironment(KinesisEmulator emulator) {
        return Map.of("AWS_ACCESS_KEY_ID", KinesisEmulator.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", KinesisEmulator.SECRET_KEY,
                "AWS_REGION", emulator.region());
    }

    static FaultProxy proxyFor(KinesisEmulator emulator) throws IOException {
        return FaultProxy.start(emulator.endpoint().getPort());
    }

    static final List<String> DESTINATIONS = List.of("file", "kinesis");
}
