package io.sluice.bench.soak;

import io.sluice.rigs.kinesis.KinesisEmulator;
import io.sluice.rigs.proxy.FaultProxy;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** One soak, phase by phase: kills, full disk, blackhole, drain, then the checks. Every wait has a deadline. */
final class SoakRun {

    private static final String FILE_PREFIX = "soak";
    private static final String KINESIS_STREAM = "soak";
    private static final Map<String, String> STREAM_OF_CONNECTOR = Map.of("a", "soak-a", "b", "soak-b");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path jar;
    private final Path work;
    private final Path data;
    private final Path disk;
    private final FileOutput output;
    private final Path logs;
    private final double minutes;
    private final int kills;
    private final int tags;
    private final String interval;
    private final Random random;
    private final SoakFigures.Report report = new SoakFigures.Report();

    /** Per gateway life: the file output's size when it began (the Kinesis stream has markers instead). */
    private final List<Long> lifeStartOffsets = new ArrayList<>();
    /** Refusals the connectors reported in the current life (last status seen) and in finished lives, per stream. */
    private final Map<String, Long> refusedThisLife = new LinkedHashMap<>();
    private final Map<String, Long> refusedTotal = new LinkedHashMap<>();
    private KinesisMarks marks;
    private GatewayProcess gateway;
    private Path config;
    private Map<String, String> env;
    private final Set<Integer> crashLives = new java.util.TreeSet<>();
    private int killsDone;
    private int unexpectedExits;

    SoakRun(Path jar, Path work, double minutes, int kills, int tags, String interval, Random random) {
        this.jar = jar;
        this.work = work;
        this.disk = work.resolve("disk");
        this.data = disk.resolve("data");
        this.output = new FileOutput(disk.resolve("file-output"), work.resolve("file-archive"), FILE_PREFIX);
        this.logs = work.resolve("logs");
        this.minutes = minutes;
        this.kills = kills;
        this.tags = tags;
        this.interval = interval;
        this.random = random;
    }

    SoakFigures execute() throws Exception {
        Files.createDirectories(disk);
        Files.createDirectories(output.archive());
        Files.createDirectories(logs);
        Tmpfs tmpfs = null;
        if (Tmpfs.runningAsRoot()) {
            tmpfs = Tmpfs.mount(disk, "24m");
            report.line("data directory and file-destination folder on a 24 MB tmpfs at %s", disk);
        } else {
            report.line("not root: the data directory stays on the normal disk and the disk-full phase is skipped");
        }
        try (KinesisEmulator emulator = KinesisEmulator.start(work);
             KinesisAsyncClient kinesis = SoakBenchmark.kinesisClient(emulator);
             FaultProxy proxy = SoakBenchmark.proxyFor(emulator)) {
            Files.createDirectories(data);
            Files.createDirectories(output.live());
            SoakBenchmark.createStream(kinesis, KINESIS_STREAM, 2);
            marks = new KinesisMarks(kinesis, KINESIS_STREAM);
            env = SoakBenchmark.awsEnvironment(emulator);
            config = work.resolve("gateway.yaml");
            Files.writeString(config, yaml(true, proxy.port()));
            Path drainConfig = work.resolve("drain.yaml");
            Files.writeString(drainConfig, yaml(false, proxy.port()));
            report.line("kinesis-local pid %d at %s, fault proxy on 127.0.0.1:%d", emulator.pid(), emulator.endpoint(), proxy.port());

            startLife();
            killPhase();
            SoakFigures.Recovery recovery = tmpfs == null ? SoakFigures.Recovery.SKIPPED : diskFullPhase(proxy);
            blackholePhase(proxy);
            drainPhase(drainConfig);

            StoreCheck.Result store = StoreCheck.check(data.resolve("streams.db"));
            report.line("store after the run: integrity_check %s; %s", store.integrity(), store.streams().values());
            Ledger ledger = new Ledger(SoakBenchmark.DESTINATIONS, crashLives);
            output.archiveRotated();
            long broken = OutputReaders.readFileOutput(output, "file", lifeStartOffsets, ledger, b -> report.line(
                    "broken line %s:%d (gateway life %d%s): %s", b.file().getFileName(), b.lineNumber(), b.life(),
                    crashLives.contains(b.life()) ? ", which began with a restart after a kill" : "", b.excerpt()));
            report.line("file output: %d files, %,d bytes, %d broken lines", output.files().size(), output.bytes(), broken);
            OutputReaders.KinesisRead k = OutputReaders.readKinesis(kinesis, KINESIS_STREAM, "kinesis", marks,
                    ledger, Duration.ofMinutes(10));
            report.line("kinesis: %,d records, %,d samples, %d undecodable", k.records(), k.samples(), k.undecodable());
            if (unexpectedExits > 0) report.line("the gateway exited by itself %d times (see %s)", unexpectedExits, logs);
            return SoakFigures.compute(killsDone, store, ledger, SoakBenchmark.DESTINATIONS, broken + k.undecodable(),
                    recovery, refusedTotal, report);
        } finally {
            if (gateway != null) gateway.close();
            if (tmpfs != null) {
                keepCopy(disk, work.resolve("disk-copy"));   // the tmpfs goes with the unmount; keep what was on it
                tmpfs.close();
            }
        }
    }

    // ---------------------------------------------------------------- phases

    private void killPhase() throws Exception {
        double phaseSeconds = minutes * 60 / 2;
        double mean = kills == 0 ? phaseSeconds : phaseSeconds / kills;
        report.line("kill phase: %d kills, about %.1f s apart", kills, mean);
        if (kills == 0) watch(Duration.ofMillis((long) (phaseSeconds * 1000)));
        for (int i = 0; i < kills; i++) {
            watch(Duration.ofMillis((long) (1000 * Math.max(1.5, mean * (0.3 + 1.4 * random.nextDouble())))));
            gateway.kill();
            killsDone++;
            endLife();
            report.line("kill %d/%d: pid %d (file output at %,d bytes)", killsDone, kills, gateway.pid(),
                    output.bytes());
            startLife();
        }
    }

    /**
     * Blackholes the Kinesis link (so the store must grow: a disk fills up during an outage), fills the tmpfs and
     * keeps it full until the ingest has been refused or the store reported a state other than OK for a while (at
     * most a bounded time), frees it and waits for the store to take data again without a restart.
     */
    private SoakFigures.Recovery diskFullPhase(FaultProxy proxy) throws Exception {
        Duration maxHold = Duration.ofSeconds((long) Math.max(30, minutes * 6));
        Duration afterEffect = Duration.ofSeconds(5);
        Path filler = disk.resolve("filler.bin");
        long logLinesBefore = problemLines(gateway.log());
        proxy.blackhole();
        report.line("disk-full phase: Kinesis link blackholed, filling the tmpfs and holding it full under ingest "
                + "until the gateway notices (at most %s)", maxHold);
        long filled = fill(filler);
        Set<String> statesSeen = new LinkedHashSet<>();
        long deadline = System.nanoTime() + maxHold.toNanos();
        long noticed = 0;
        long lastWritten = 0;
        long refusedBefore = refusedThisLife.values().stream().mapToLong(Long::longValue).sum();
        while (System.nanoTime() < deadline && (noticed == 0 || System.nanoTime() - noticed < afterEffect.toNanos())) {
            output.archiveRotated();
            filled += fill(filler);   // take back whatever the gateway freed
            StatusFile.Snapshot s = StatusFile.read(data);
            if (s != null && s.writtenMillis() > lastWritten) {
                statesSeen.add(s.storeState());
                lastWritten = s.writtenMillis();
                noteRefusals(s);
            }
            boolean refusing = refusedThisLife.values().stream().mapToLong(Long::longValue).sum() > refusedBefore;
            if (noticed == 0 && (refusing || (s != null && !"OK".equals(s.storeState())))) {
                noticed = System.nanoTime();
                report.line("the gateway noticed the full disk: store %s (%s), connectors refused %s",
                        s == null ? "?" : s.storeState(), s == null ? "" : s.storeDetail(), refusedThisLife);
            }
            if (!gateway.isAlive()) break;
            Thread.sleep(250);
        }
        long staleFor = System.currentTimeMillis() - lastWritten;
        report.line("disk full: %,d filler bytes, %s; store states seen in status.json %s; status.json last written "
                + "%.1f s ago; gateway %s", filled, noticed == 0 ? "NOT NOTICED by the gateway" : "noticed", statesSeen,
                staleFor / 1e3, gateway.isAlive() ? "alive" : "DEAD");
        Files.deleteIfExists(filler);
        proxy.pass();
        long freedAt = System.currentTimeMillis();
        if (!gateway.isAlive()) {
            report.line("the gateway died on the full disk (exit; log %s): %s", gateway.log(), gateway.logTail(600).strip());
            unexpectedExits++;
            endLife();
            startLife();
            return SoakFigures.Recovery.NO;
        }
        Map<String, Long> nextAtFree = new LinkedHashMap<>();
        StatusFile.Snapshot last = StatusFile.read(data);
        if (last != null) last.streams().forEach((k, v) -> nextAtFree.put(k, v.nextSequence()));
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            output.archiveRotated();
            StatusFile.Snapshot s = StatusFile.read(data);
            if (s != null) noteRefusals(s);
            if (s != null && s.writtenMillis() > freedAt && "OK".equals(s.storeState())
                    && STREAM_OF_CONNECTOR.values().stream().allMatch(st -> s.streams().containsKey(st)
                            && s.streams().get(st).nextSequence() > nextAtFree.getOrDefault(st, -1L))) {
                report.line("space freed: store %s and both streams appending again after %.1f s, same pid %d; %d WARN/ERROR "
                        + "lines logged since the fill", s.storeState(), (System.currentTimeMillis() - freedAt) / 1e3,
                        gateway.pid(), problemLines(gateway.log()) - logLinesBefore);
                return SoakFigures.Recovery.YES;
            }
            if (!gateway.isAlive()) break;
            Thread.sleep(250);
        }
        StatusFile.Snapshot s = StatusFile.read(data);
        report.line("space freed but not recovered within 60 s: gateway %s, status %s; %d WARN/ERROR lines logged since the fill",
                gateway.isAlive() ? "alive" : "dead", s == null ? "unreadable" : "store " + s.storeState() + " ("
                        + s.storeDetail() + "), written " + (System.currentTimeMillis() - s.writtenMillis()) / 1e3 + " s ago",
                problemLines(gateway.log()) - logLinesBefore);
        if (!gateway.isAlive()) {
            unexpectedExits++;
            endLife();
            startLife();
        }
        return SoakFigures.Recovery.NO;
    }

    /** Copies the small data disk's files (store, status, current outputs) before it is unmounted. */
    private void keepCopy(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else if (!p.getFileName().toString().equals("filler.bin")) Files.copy(p, target);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            report.line("could not copy %s before unmounting it: %s", from, e.getMessage());
        }
    }

    /** WARN and ERROR lines in a gateway log so far (a log line per episode is the promise, not one per event). */
    private static long problemLines(Path log) {
        try (Stream<String> lines = Files.lines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** Writes to {@code filler} until the file system is full; returns the bytes written. */
    private static long fill(Path filler) {
        long written = 0;
        for (int chunk : new int[] {1 << 20, 64 << 10, 4 << 10, 512}) {
            byte[] bytes = new byte[chunk];
            try (OutputStream out = Files.newOutputStream(filler, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                for (int i = 0; i < 100_000; i++) {
                    out.write(bytes);
                    out.flush();
                    written += chunk;
                }
            } catch (IOException e) {
                // no space left for this chunk size: try the next smaller one
            }
        }
        return written;
    }

    private void blackholePhase(FaultProxy proxy) throws Exception {
        Duration outage = Duration.ofMillis((long) Math.max(10_000, 120_000 * minutes / 20));
        proxy.blackhole();
        report.line("blackhole: the Kinesis link swallows everything for %s", outage);
        watch(outage);
        proxy.pass();
        StatusFile.Snapshot s = StatusFile.read(data);
        report.line("blackhole over (%,d bytes swallowed); kinesis backlog %s", proxy.bytesSwallowed(),
                s == null ? "?" : STREAM_OF_CONNECTOR.values().stream().map(st -> st + "=" + s.backlog(st, "kinesis")).toList());
    }

    private void drainPhase(Path drainConfig) throws Exception {
        int exit = gateway.stop(STOP_TIMEOUT);
        endLife();
        report.line("ingest stopped: SIGTERM, exit code %d", exit);
        config = drainConfig;
        startLife(false);
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (true) {
            output.archiveRotated();
            StatusFile.Snapshot s = StatusFile.read(data);
            boolean drained = s != null && s.writtenMillis() >= gateway.startedMillis();
            if (drained) {
                for (String stream : STREAM_OF_CONNECTOR.values()) {
                    for (String d : SoakBenchmark.DESTINATIONS) drained &= s.backlog(stream, d) == 0;
                }
            }
            if (drained) break;
            if (!gateway.isAlive()) throw new IllegalStateException("the gateway died while draining; log " + gateway.log());
            if (System.nanoTime() > deadline) throw new IllegalStateException("not drained within 10 minutes");
            Thread.sleep(250);
        }
        exit = gateway.stop(STOP_TIMEOUT);
        report.line("drained; stopped with SIGTERM, exit code %d", exit);
        endLife();
    }

    // ---------------------------------------------------------------- lives

    private void startLife() throws Exception {
        startLife(true);
    }

    /** Starts the next gateway life; {@code afterCrash}: the life before ended with a kill -9 or an exit of its own. */
    private void startLife(boolean afterCrash) throws Exception {
        if (afterCrash && !lifeStartOffsets.isEmpty()) crashLives.add(lifeStartOffsets.size());
        lifeStartOffsets.add(output.bytes());
        int life = lifeStartOffsets.size() - 1;
        if (life > 0) marks.mark(life);
        gateway = GatewayProcess.start(jar, config, data, logs.resolve(String.format("gateway-%03d.log", life)), env);
        gateway.awaitRunning(data, START_TIMEOUT);
    }

    private void endLife() {
        refusedThisLife.forEach((stream, n) -> refusedTotal.merge(stream, n, Long::sum));
        refusedThisLife.clear();
    }

    private void noteRefusals(StatusFile.Snapshot s) {
        if (s.writtenMillis() < gateway.startedMillis()) return;
        s.connectorRefused().forEach((connector, n) -> {
            String stream = STREAM_OF_CONNECTOR.get(connector);
            if (stream != null) refusedThisLife.merge(stream, n, Math::max);
        });
    }

    /** Lets the gateway run for {@code d}, following its status; restarts it if it exits by itself. */
    private void watch(Duration d) throws Exception {
        long deadline = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < deadline) {
            output.archiveRotated();
            StatusFile.Snapshot s = StatusFile.read(data);
            if (s != null) noteRefusals(s);
            if (!gateway.isAlive()) {
                unexpectedExits++;
                report.line("the gateway exited by itself: %s", gateway.logTail(600).strip());
                endLife();
                startLife();
            }
            Thread.sleep(250);
        }
    }

    private String yaml(boolean ingest, int kinesisPort) {
        String connectors = ingest ? """
                connectors:
                  a:
                    type: simulator
                    stream: soak-a
                    interval: %1$s
                    tags: [{name: a, kind: counter, count: %2$d}]
                  b:
                    type: simulator
                    stream: soak-b
                    interval: %1$s
                    tags: [{name: b, kind: counter, count: %2$d}]
                """.formatted(interval, tags) : "connectors: {}\n";
        return connectors + """
                streams:
                  soak-a:
                    priority: 1
                    when-full: drop-oldest
                    export: [{destination: file}, {destination: kinesis}]
                  soak-b:
                    priority: 5
                    when-full: reject-new
                    export: [{destination: file}, {destination: kinesis}]
                destinations:
                  file:
                    type: file
                    directory: %s
                    prefix: %s
                    rotate-size: 2MB
                    keep-files: 0
                  kinesis:
                    type: kinesis
                    stream-name: %s
                    region: %s
                    endpoint-override: http://127.0.0.1:%d
                    shard-count: 2
                    max-backoff: 10s
                """.formatted(output.live(), FILE_PREFIX, KINESIS_STREAM, KinesisEmulator.REGION, kinesisPort);
    }
}
