package io.sluice.rigs.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A peer (broker, emulator) running as a child process: output goes to a log file, readiness is a TCP port on
 * 127.0.0.1 that accepts connections, and {@link #close()} stops exactly this PID (SIGTERM, then SIGKILL).
 */
public final class PeerProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private PeerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code command} in {@code workDir} with {@code extraEnv}, stdout and stderr appended to {@code log}, and
     * waits until every port in {@code ports} accepts a connection on 127.0.0.1. Throws with the log's tail when the
     * process dies first or {@code timeout} passes.
     */
    public static PeerProcess start(String name, List<String> command, Map<String, String> extraEnv, Path workDir,
                                    Path log, List<Integer> ports, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(extraEnv);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage()
                    + "; run test-rigs/setup-peers.sh to install the test peers", e);
        }
        PeerProcess peer = new PeerProcess(name, process, log);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (int port : ports) {
                while (!accepts(port)) {
                    if (!process.isAlive()) {
                        throw new IOException(name + " exited with code " + process.exitValue() + " before listening on "
                                + port + "; log:\n" + peer.logTail(4000));
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IOException(name + " did not listen on 127.0.0.1:" + port + " within " + timeout
                                + "; log:\n" + peer.logTail(4000));
                    }
                    Thread.sleep(50);
                }
            }
        } catch (InterruptedException e) {
            peer.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + name, e);
        } catch (IOException | RuntimeException e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    /** True when a TCP connection to 127.0.0.1:{@code port} succeeds. */
    public static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port that was free on 127.0.0.1 a moment ago (bound with port 0 and released). */
    public static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** Finds an executable on PATH (or the given absolute path). */
    public static Optional<Path> which(String program) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin:/sbin";
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** The last {@code maxChars} characters of the log. */
    public String logTail(int maxChars) {
        try {
            if (!Files.exists(log)) return "";
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() <= maxChars ? text : text.substring(text.length() - maxChars);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops the process by its PID: SIGTERM, up to 5 s grace, then SIGKILL. Idempotent. */
    @Override
    public void close() {
        ProcessHandle handle = process.toHandle();
        if (!handle.isAlive()) return;
        handle.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                handle.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            handle.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + "]";
    }
}
