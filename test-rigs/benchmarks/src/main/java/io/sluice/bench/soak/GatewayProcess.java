package io.sluice.bench.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One life of the real gateway as a child process: {@code java -jar sluice.jar run --config C --data D}, its
 * standard output and error in a log file. Killed with SIGKILL ({@link #kill()}) or stopped with SIGTERM
 * ({@link #stop(Duration)}); every wait is bounded.
 */
final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final long startedMillis;

    private GatewayProcess(Process process, Path log, long startedMillis) {
        this.process = process;
        this.log = log;
        this.startedMillis = startedMillis;
    }

    static GatewayProcess start(Path jar, Path config, Path data, Path log, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of("run", "--config", config.toString(), "--data", data.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        long now = System.currentTimeMillis();
        return new GatewayProcess(pb.start(), log, now);
    }

    long pid() {
        return process.pid();
    }

    long startedMillis() {
        return startedMillis;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** kill -9, then waits (bounded) until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("gateway " + pid() + " survived SIGKILL for 30 s");
    }

    /** SIGTERM and waits up to {@code timeout}; SIGKILL after that. Returns the exit code. */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    /**
     * Waits until {@code status.json} in {@code data} was written by this life, i.e. the gateway opened its store and
     * runs; fails if the process exits first or the deadline passes.
     */
    void awaitRunning(Path data, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway exited with " + process.exitValue() + " while starting; log: " + log);
            }
            StatusFile.Snapshot s = StatusFile.read(data);
            if (s != null && s.writtenMillis() >= startedMillis && "RUNNING".equalsIgnoreCase(s.state())) return;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the gateway did not report running within " + timeout + "; log: " + log);
            }
            Thread.sleep(100);
        }
    }

    String logTail(int maxChars) {
        try {
            String s = Files.readString(log);
            return s.length() <= maxChars ? s : s.substring(s.length() - maxChars);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
