package io.sluice.gateway.bench;

import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.config.StreamConfig;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StreamSettings;
import io.sluice.spi.Durations;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code sluice bench store}: durable ingest (samples whose append completed, i.e. committed, within the measured
 * time) into the stream store, the same for a naive baseline (one INSERT per sample into a table with one row per
 * sample, commits batched by the same window, same synchronous mode), and drain through the real publisher to a
 * discarding destination. Ends with one summary line of medians.
 */
public final class StoreBenchmark {

    private final int seconds;
    private final int runs;
    private final String synchronous;
    private final Duration commitWindow;
    private final int batch;
    private final int producers;
    private final Path dir;

    public StoreBenchmark(int seconds, int runs, String synchronous, String commitWindow, int batch, int producers, Path dir) {
        this.seconds = seconds;
        this.runs = runs;
        this.synchronous = synchronous.toUpperCase(java.util.Locale.ROOT);
        this.commitWindow = Durations.parse(commitWindow);
        this.batch = batch;
        this.producers = producers;
        this.dir = dir;
    }

    private List<Sample> batchOfSamples() {
        List<Sample> samples = new ArrayList<>(batch);
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int i = 0; i < batch; i++) {
            samples.add(new Sample("line-" + (i % 10) + ".machine-" + (i % 100) + ".value-" + i, Value.of(20 + Math.sin(i) * 5),
                    Quality.GOOD, 0, now + i * 1000L, now + i * 1000L, i % 3 == 0 ? "degC" : null));
        }
        return samples;
    }

    public int run() throws Exception {
        Path root = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sluice-bench-store");
        System.out.printf("stream store benchmark: %d runs x %ds, synchronous=%s, commit window %s, %d producers x %d samples per append%n",
                runs, seconds, synchronous, Durations.format(commitWindow), producers, batch);
        System.out.printf("machine: %d cores, %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"));
        double[] ingest = new double[runs];
        double[] baseline = new double[runs];
        double[] drain = new double[runs];
        double[] ratio = new double[runs];
        for (int r = 0; r < runs; r++) {
            Path runDir = root.resolve("run-" + r);
            ingest[r] = measureIngest(runDir);
            baseline[r] = measureBaseline(runDir.resolve("baseline.db"));
            drain[r] = measureDrain(runDir);
            ratio[r] = ingest[r] / baseline[r];
            System.out.printf("run %d: ingest %,.0f samples/s, baseline %,.0f samples/s (ratio %.1f), drain %,.0f samples/s%n",
                    r + 1, ingest[r], baseline[r], ingest[r] / baseline[r], drain[r]);
            deleteTree(runDir);
        }
        if (dir == null) deleteTree(root);
        double i = median(ingest);
        double b = median(baseline);
        double d = median(drain);
        // the ratio is the median of the per-run ratios: each compares two figures measured back to back
        System.out.printf("ingest_samples_per_s=%.0f baseline_samples_per_s=%.0f ratio=%.1f drain_samples_per_s=%.0f%n", i, b, median(ratio), d);
        return 0;
    }

    private double measureIngest(Path runDir) throws Exception {
        Files.createDirectories(runDir);
        SqliteStreamStore.StoreOptions options = SqliteStreamStore.StoreOptions.defaults()
                .withSynchronous(synchronous).withCommitWindow(commitWindow);
        List<Sample> samples = batchOfSamples();
        try (SqliteStreamStore store = SqliteStreamStore.open(runDir.resolve(Gateway.STORE_FILE), options)) {
            store.configure(List.of(new StreamSettings("bench", Long.MAX_VALUE / 2, Duration.ofDays(7),
                    StreamConfig.WhenFull.REJECT_NEW, true, Set.of("discard"))));
            AtomicBoolean counting = new AtomicBoolean(false);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong committed = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        store.append("bench", "bench", samples, null).thenRun(() -> {
                            if (counting.get()) committed.addAndGet(samples.size());
                        });
                    }
                }, "bench-producer-" + p);
                t.start();
                threads.add(t);
            }
            Thread.sleep(1000); // warm-up
            counting.set(true);
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            counting.set(false);
            long elapsed = System.nanoTime() - start;
            running.set(false);
            for (Thread t : threads) t.join();
            Durations.await(store.flush(), Duration.ofMinutes(2));
            return committed.get() / (elapsed / 1e9);
        }
    }

    private double measureBaseline(Path file) throws Exception {
        List<Sample> samples = batchOfSamples();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=" + synchronous);
                st.execute("CREATE TABLE samples(id INTEGER PRIMARY KEY, stream TEXT NOT NULL, seq INTEGER NOT NULL, tag TEXT NOT NULL,"
                        + " type TEXT NOT NULL, value REAL, quality TEXT NOT NULL, status INTEGER NOT NULL, source_time INTEGER NOT NULL,"
                        + " receive_time INTEGER NOT NULL, unit TEXT)");
                st.execute("CREATE UNIQUE INDEX samples_by_stream ON samples(stream, seq)");
            }
            c.setAutoCommit(false);
            long windowNanos = commitWindow.toNanos();
            long seq = 0;
            long committed = 0;
            long uncommitted = 0;
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO samples(stream, seq, tag, type, value, quality, status, source_time, receive_time, unit) VALUES(?,?,?,?,?,?,?,?,?,?)")) {
                long warmupEnd = System.nanoTime() + 1_000_000_000L;
                long start = 0;
                long end = Long.MAX_VALUE;
                long windowStart = System.nanoTime();
                while (true) {
                    for (Sample s : samples) {
                        insert.setString(1, "bench");
                        insert.setLong(2, seq++);
                        insert.setString(3, s.tag());
                        insert.setString(4, s.value().typeName());
                        insert.setDouble(5, ((Value.FloatValue) s.value()).value());
                        insert.setString(6, s.quality().name());
                        insert.setLong(7, s.statusCode());
                        insert.setLong(8, s.sourceTimeNanos());
                        insert.setLong(9, s.receiveTimeNanos());
                        insert.setString(10, s.unit());
                        insert.executeUpdate();
                        uncommitted++;
                        long now = System.nanoTime();
                        if (now - windowStart >= windowNanos) {
                            c.commit();
                            windowStart = System.nanoTime();
                            if (start != 0) committed += uncommitted;
                            uncommitted = 0;
                            if (start == 0 && windowStart >= warmupEnd) {
                                start = windowStart;
                                end = start + seconds * 1_000_000_000L;
                            }
                            if (windowStart >= end) return committed / ((windowStart - start) / 1e9);
                        }
                    }
                }
            }
        }
    }

    private double measureDrain(Path runDir) throws Exception {
        GatewayConfig config = ConfigLoader.parse("""
                store:
                  synchronous: %s
                streams:
                  bench:
                    max-size: 100GB
                    export: [{destination: discard}]
                destinations:
                  discard: {type: discard}
                """.formatted(synchronous.toLowerCase(java.util.Locale.ROOT)), "bench");
        try (Gateway gateway = Gateway.start(config, runDir)) {
            long target = gateway.store().nextSequence("bench");
            // time from the first confirmed window to the last, so start-up is not counted
            long firstCursor;
            while ((firstCursor = gateway.store().cursor("bench", "discard")) == 0) Thread.onSpinWait();
            long start = System.nanoTime();
            while (gateway.store().cursor("bench", "discard") < target) Thread.sleep(1);
            long elapsed = System.nanoTime() - start;
            return (target - firstCursor) / (elapsed / 1e9);
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static void deleteTree(Path root) throws java.io.IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
