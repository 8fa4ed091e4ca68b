package io.sluice.rigs.shm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A shared-memory writer running as a separate process: the ACC writer ({@link #acc}) or the Tennessee Eastman
 * writer ({@link #tennesseeEastman}). The C sources ship in this jar; the first start compiles them with
 * {@code gcc} into a folder keyed by the sources' hash ({@code sluice.shm-writers.dir}, default
 * {@code ${java.io.tmpdir}/sluice-shm-writers}), so tests, benchmarks and demos all run the same binary.
 *
 * <pre>{@code
 * try (ShmWriter writer = ShmWriter.acc("demo_", 333, "--lap-ms", "60000")) {   // /dev/shm/demo_physics ...
 *     ...
 * }
 * }</pre>
 */
public final class ShmWriter implements AutoCloseable {

    private static final String[] SOURCES = {"acc_pages.h", "acc_writer.c", "te_writer.c", "floor_reader.c"};
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final List<String> command;

    private ShmWriter(List<String> command) throws IOException {
        this.command = List.copyOf(command);
        this.process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread pump = new Thread(this::pump, "shm-writer-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
        try {
            ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while starting " + command, e);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            process.destroyForcibly();
            throw new IOException("writer did not become ready: " + command + " output " + output, e);
        }
    }

    /**
     * Starts the ACC writer: pages {@code /dev/shm/<prefix>physics}, {@code graphics}, {@code static} (and
     * {@code types} with {@code --types}), physics at {@code rateHz}.
     *
     * @param extraArgs more writer options: {@code --graphics-rate 60}, {@code --lap-ms 4000}, {@code --count N},
     *                  {@code --types}
     */
    public static ShmWriter acc(String prefix, double rateHz, String... extraArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary("acc_writer").toString(), "--prefix", prefix,
                "--rate", Double.toString(rateHz)));
        cmd.addAll(List.of(extraArgs));
        return new ShmWriter(cmd);
    }

    /** Starts the Tennessee Eastman writer: page {@code /dev/shm/<name>} (424 bytes) at {@code rateHz}. */
    public static ShmWriter tennesseeEastman(String name, double rateHz, String... extraArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary("te_writer").toString(), "--name", name,
                "--rate", Double.toString(rateHz)));
        cmd.addAll(List.of(extraArgs));
        return new ShmWriter(cmd);
    }

    /**
     * Starts the floor reader on a page: it polls a 32-bit counter every {@code pollMicros} at real-time priority
     * until it reaches {@code until}, and ends with {@code DONE seen=S missed=M first=F last=L} — what a bare C
     * loop misses on this machine, to compare a reader with. It waits for the page to appear.
     */
    public static ShmWriter floorReader(Path page, int counterOffset, long until, long pollMicros) throws IOException {
        return floorReader(page, counterOffset, until, pollMicros, 1);
    }

    /**
     * The floor reader with {@code threads} (1 or 2) looking: two are pinned to two CPUs and take turns, and a value
     * counts as seen when either saw it (the line also gives {@code missed_0=} and {@code missed_1=}).
     */
    public static ShmWriter floorReader(Path page, int counterOffset, long until, long pollMicros, int threads)
            throws IOException {
        return new ShmWriter(List.of(binary("floor_reader").toString(), "--path", page.toString(), "--counter-offset",
                Integer.toString(counterOffset), "--until", Long.toString(until), "--poll-us", Long.toString(pollMicros),
                "--threads", Integer.toString(threads), "--realtime"));
    }

    /** The compiled program {@code acc_writer}, {@code te_writer} or {@code floor_reader}, compiling it first if needed. */
    public static synchronized Path binary(String program) throws IOException {
        if (!program.equals("acc_writer") && !program.equals("te_writer") && !program.equals("floor_reader")) {
            throw new IllegalArgumentException("unknown writer " + program);
        }
        byte[][] sources = new byte[SOURCES.length][];
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < SOURCES.length; i++) {
            try (InputStream in = ShmWriter.class.getResourceAsStream("c/" + SOURCES[i])) {
                if (in == null) throw new IOException("missing C source c/" + SOURCES[i] + " in the rig jar");
                sources[i] = in.readAllBytes();
                sha.update(sources[i]);
            }
        }
        Path root = Path.of(System.getProperty("sluice.shm-writers.dir",
                Path.of(System.getProperty("java.io.tmpdir"), "sluice-shm-writers").toString()));
        Path dir = root.resolve(HexFormat.of().formatHex(sha.digest()).substring(0, 16));
        Path exe = dir.resolve(program);
        if (Files.isExecutable(exe)) return exe;
        Files.createDirectories(dir);
        for (int i = 0; i < SOURCES.length; i++) Files.write(dir.resolve(SOURCES[i]), sources[i]);
        Path tmp = dir.resolve(program + ".tmp" + ProcessHandle.current().pid());
        List<String> gcc = List.of("gcc", "-O2", "-Wall", "-Wextra", "-std=c11", "-pthread", "-o", tmp.toString(),
                dir.resolve(program + ".c").toString(), "-lrt");
        Process p = new ProcessBuilder(gcc).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("gcc failed for " + program + ": " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while compiling " + program, e);
        }
        Files.move(tmp, exe, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return exe;
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.add(line);
                if (line.equals("READY")) ready.complete(null);
            }
        } catch (IOException e) {
            ready.completeExceptionally(new UncheckedIOException(e));
        }
        ready.completeExceptionally(new IOException("writer exited with " + exitCodeOrUnknown() + ": " + output));
    }

    private String exitCodeOrUnknown() {
        try {
            return process.waitFor(1, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public List<String> command() {
        return command;
    }

    /** Lines the writer printed on stdout so far. */
    public List<String> output() {
        return List.copyOf(output);
    }

    /**
     * Asks the writer to stop (SIGTERM: it removes its pages, as a closing simulator does) and waits for it.
     *
     * @return the writer's final line, e.g. {@code DONE physics=20000 graphics=1200 laps=4}
     */
    public String stop() {
        // Through the handle: Process.destroy() would also close our end of the writer's stdout and lose "DONE".
        process.toHandle().destroy();
        return awaitExit(Duration.ofSeconds(10));
    }

    /** Kills the writer without letting it clean up (SIGKILL): its pages stay behind, frozen. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** Waits for the writer to end on its own (after {@code --count}); returns its final line. */
    public String awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("writer did not exit within " + timeout + ": " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted", e);
        }
        for (int i = 0; i < 50 && output.stream().noneMatch(l -> l.startsWith("DONE")); i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return output.stream().filter(l -> l.startsWith("DONE")).findFirst().orElse("exit " + process.exitValue());
    }

    @Override
    public void close() {
        if (process.isAlive()) stop();
    }
}
