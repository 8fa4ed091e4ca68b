package io.sluice.rigs.browser;

import io.sluice.rigs.process.PeerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Node script that drives Debian's headless Chromium ({@code /usr/bin/chromium}) through npm
 * {@code playwright-core} (pinned in {@code test-rigs/peers/package-lock.json}; it never downloads a browser). Both
 * are installed by {@code test-rigs/setup-peers.sh}. The script finds {@code playwright-core} through
 * {@code NODE_PATH} (so it must use {@code require}, e.g. a {@code .cjs} file), and gets the browser's path in
 * {@code CHROMIUM}.
 *
 * <p>{@link #run} is bounded: past its timeout the script, and every browser process it started, are killed by PID.
 */
public final class HeadlessChromium {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final String PACKAGE = "playwright-core";

    /** The exit code and the standard output of a script; its standard error is in {@code log}. */
    public record Result(int exitCode, String stdout, Path log) {
        /** The last non-blank line of the standard output (the scripts here end with one JSON line). */
        public String lastLine() {
            List<String> lines = stdout.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    private HeadlessChromium() {}

    /**
     * Runs {@code node script} in {@code workDir} with {@code env} added, waiting at most {@code timeout}.
     *
     * @throws IOException when node, Chromium or playwright-core is missing (with the command that installs them),
     *                     or when the script did not finish in time (with the tail of its log)
     */
    public static Result run(Path script, Map<String, String> env, Path workDir, Duration timeout)
            throws IOException, InterruptedException {
        Path node = PeerProcess.which("node").orElseThrow(() -> new IOException("node is not installed (Node 20 expected)"));
        if (!Files.isExecutable(CHROMIUM)) {
            throw new IOException(CHROMIUM + " is missing; run test-rigs/setup-peers.sh (installs Debian's chromium)");
        }
        Path modules = nodeModules().orElseThrow(() -> new IOException(
                "npm package " + PACKAGE + " not found in test-rigs/peers/node_modules; run test-rigs/setup-peers.sh"));
        Path out = workDir.resolve(script.getFileName() + ".out");
        Path log = workDir.resolve(script.getFileName() + ".log");
        ProcessBuilder pb = new ProcessBuilder(node.toString(), script.toString()).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(log.toFile());
        pb.environment().put("NODE_PATH", modules.toString());
        pb.environment().put("CHROMIUM", CHROMIUM.toString());
        pb.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        pb.environment().putAll(env);
        Process process = pb.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("browser script " + script.getFileName() + " did not finish within " + timeout
                        + "; its log:\n" + tail(log, 4000) + "\nits output:\n" + tail(out, 4000));
            }
        } finally {
            stop(process);
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), log);
    }

    /** Kills the process and whatever it started that is still running (browser processes), by PID. */
    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
        family.add(process.toHandle());
        for (ProcessHandle p : family) p.destroy();
        for (ProcessHandle p : family) {
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                p.destroyForcibly();
            }
        }
    }

    private static String tail(Path file, int maxChars) {
        try {
            if (!Files.exists(file)) return "";
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() <= maxChars ? text : text.substring(text.length() - maxChars);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** {@code test-rigs/peers/node_modules} with playwright-core in it, found as the Kinesis emulator's package is. */
    public static Optional<Path> nodeModules() {
        String configured = System.getProperty("sluice.peers.dir", System.getenv("SLUICE_PEERS_DIR"));
        List<Path> candidates = new ArrayList<>();
        if (configured != null && !configured.isBlank()) {
            candidates.add(Path.of(configured).resolve("node_modules"));
        } else {
            for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
                candidates.add(dir.resolve("test-rigs/peers/node_modules"));
                if (dir.getFileName() != null && dir.getFileName().toString().equals("peers")) candidates.add(dir.resolve("node_modules"));
            }
        }
        return candidates.stream().filter(p -> Files.isRegularFile(p.resolve(PACKAGE).resolve("package.json")))
                .map(Path::toAbsolutePath).findFirst();
    }
}
