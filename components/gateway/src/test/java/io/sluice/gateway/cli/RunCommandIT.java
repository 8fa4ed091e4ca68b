package io.sluice.gateway.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run} as its own process, as a service manager runs it: a clean stop on SIGTERM or SIGINT exits 0
 * with the stop logged, a second gateway on the same data directory fails with one line and exit 1, and
 * {@code sluice status} follows the gateway's lock (running, stopped, killed).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RunCommandIT {

    @TempDir
    Path dir;

    private final List<Gateway> started = new ArrayList<>();

    /** A {@code sluice} child JVM whose stderr is collected line by line. */
    private static final class Gateway {
        final Process process;
        final List<String> lines = new ArrayList<>();
        final Thread reader;

        Gateway(String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), SluiceCli.class.getName()));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (lines) {
                            lines.add(line);
                        }
                    }
                } catch (java.io.IOException ended) {
                    // the process is gone
                }
            }, "child-output");
            reader.setDaemon(true);
            reader.start();
        }

        boolean logged(String text) {
            synchronized (lines) {
                return lines.stream().anyMatch(l -> l.contains(text));
            }
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }

        void awaitLogged(String text) throws InterruptedException {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertTrue(logged(text) || !process.isAlive(), () -> "'" + text + "' logged:\n" + output()));
            assertTrue(logged(text), "'" + text + "' logged:\n" + output());
        }

        int awaitExit() throws Exception {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exited:\n" + output());
            reader.join(TimeUnit.SECONDS.toMillis(10)); // the last lines, up to the end of the stream
            return process.exitValue();
        }

        void signal(String name) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, kill.exitValue());
        }
    }

    @AfterEach
    void killLeftovers() {
        for (Gateway g : started) g.process.destroyForcibly();
    }

    private Gateway start(String... args) throws Exception {
        Gateway g = new Gateway(args);
        started.add(g);
        return g;
    }

    /** What {@code sluice status} prints, stdout and stderr. */
    private static String status(Path data) {
        InProcessCli.Result r = InProcessCli.run("status", "--data", data.toString());
        return r.out() + r.err();
    }

    private Path config() throws Exception {
        return Files.writeString(dir.resolve("gateway.yaml"), """
                connectors:
                  sim:
                    type: simulator
                    stream: telemetry
                    interval: 10ms
                    tags: [{name: c, kind: counter}]
                streams:
                  telemetry:
                    export: [{destination: out}]
                destinations:
                  out: {type: file, directory: "%s"}
                admin:
                  listen: 127.0.0.1:0
                """.formatted(dir.resolve("out")));
    }

    private static void awaitStatus(Path data, String verdict) throws InterruptedException {
        String[] seen = {""};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertTrue((seen[0] = status(data)).contains(verdict), () -> "'" + verdict + "' in:\n" + seen[0]));
    }

    @Test
    void sigtermStopsCleanlyWithExit0AndASecondGatewayOnTheDirectoryFailsWithOneLine() throws Exception {
        Path config = config();
        Path data = dir.resolve("data");
        Gateway gateway = start("run", "--config", config.toString(), "--data", data.toString());
        gateway.awaitLogged("gateway started");
        awaitStatus(data, "(gateway running)");

        Gateway second = start("run", "--config", config.toString(), "--data", data.toString());
        assertEquals(1, second.awaitExit(), second.output());
        List<String> secondLines = second.output().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(List.of("sluice run: data directory " + data + " is in use by another running gateway (stop it first, "
                + "or give this one its own --data directory)"), secondLines);

        gateway.signal("TERM"); // not Process.destroy(): it closes the output we want to read
        assertEquals(0, gateway.awaitExit(), gateway.output());
        for (String line : List.of("shutdown requested (SIGTERM)", "gateway stopping", "gateway stopped")) {
            assertTrue(gateway.logged(line), "'" + line + "' logged:\n" + gateway.output());
        }
        assertFalse(gateway.output().contains("\tat "), gateway.output());
        awaitStatus(data, "gateway stopped");
    }

    @Test
    void aRestartOnAFullDiskEndsInOneLineOrRuns() throws Exception {
        Path mount = dir.resolve("small");
        Files.createDirectories(mount);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString()).redirectErrorStream(true).start();
        boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        org.junit.jupiter.api.Assumptions.assumeTrue(mounted, "needs root to mount a tmpfs (skipped)");
        try {
            Path config = config();
            Path data = mount.resolve("data");
            Gateway first = start("run", "--config", config.toString(), "--data", data.toString());
            first.awaitLogged("gateway started");
            first.signal("TERM");
            assertEquals(0, first.awaitExit(), first.output());
            fill(mount.resolve("filler.bin"));

            Gateway restarted = start("run", "--config", config.toString(), "--data", data.toString());
            // it either starts or exits with a message; both are judged below
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> !restarted.process.isAlive() || restarted.logged("gateway started"));
            if (restarted.logged("gateway started")) {
                // a store that opens on a full disk: then it must also stop cleanly
                restarted.signal("TERM");
                assertEquals(0, restarted.awaitExit(), restarted.output());
            } else {
                assertEquals(1, restarted.awaitExit(), restarted.output());
                List<String> lines = restarted.output().lines().toList();
                assertTrue(lines.get(lines.size() - 1).startsWith("sluice run: "), restarted.output());
            }
            assertFalse(restarted.output().contains("\tat "), "no stack trace:\n" + restarted.output());
        } finally {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Writes to {@code filler} until the file system refuses even one more byte. */
    private static void fill(Path filler) throws java.io.IOException {
        try (java.io.OutputStream out = Files.newOutputStream(filler)) {
            for (int chunk : new int[] {1 << 20, 4096, 1}) {
                byte[] bytes = new byte[chunk];
                try {
                    while (true) {
                        out.write(bytes);
                        out.flush();
                    }
                } catch (java.io.IOException full) {
                    // next, smaller chunk
                }
            }
        } catch (java.io.IOException closingOnAFullDisk) {
            // the stream's close may fail the same way
        }
    }

    @Test
    void ctrlCStopsCleanlyWithExit0AndAKilledGatewayIsCalledKilled() throws Exception {
        Path config = config();
        Path data = dir.resolve("data");
        Gateway gateway = start("run", "--config", config.toString(), "--data", data.toString());
        gateway.awaitLogged("gateway started");
        gateway.signal("INT");
        assertEquals(0, gateway.awaitExit(), gateway.output());
        assertTrue(gateway.logged("shutdown requested (SIGINT)"), gateway.output());
        assertTrue(gateway.logged("gateway stopped"), gateway.output());

        Gateway killed = start("run", "--config", config.toString(), "--data", data.toString());
        killed.awaitLogged("gateway started");
        awaitStatus(data, "(gateway running)");
        killed.signal("KILL"); // no stop; the system drops the lock
        assertEquals(137, killed.awaitExit());
        awaitStatus(data, "gateway not running: killed or crashed");
    }
}
