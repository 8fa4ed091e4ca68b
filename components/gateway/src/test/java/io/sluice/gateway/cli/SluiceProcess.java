package io.sluice.gateway.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A {@code sluice} child JVM (as a service manager runs it) whose output is collected line by line. */
final class SluiceProcess implements AutoCloseable {

    final Process process;
    private final List<String> lines = new ArrayList<>();

    SluiceProcess(String... args) throws Exception {
        this(Map.of(), args);
    }

    /** With {@code environment} added to this JVM's. */
    SluiceProcess(Map<String, String> environment, String... args) throws Exception {
        this(List.of(), environment, args);
    }

    /** Started by {@code nohup}, which leaves SIGHUP ignored for the gateway. */
    static SluiceProcess underNohup(String... args) throws Exception {
        return new SluiceProcess(List.of("nohup"), Map.of(), args);
    }

    private SluiceProcess(List<String> launcher, Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SluiceCli.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        process = builder.start();
        Thread reader = new Thread(() -> {
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

    long count(String text) {
        synchronized (lines) {
            return lines.stream().filter(l -> l.contains(text)).count();
        }
    }

    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** Waits (up to 60 s) until {@code times} lines contain {@code text}. */
    void awaitLogged(String text, int times) throws InterruptedException {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> assertTrue(
                count(text) >= times || !process.isAlive(), () -> "'" + text + "' logged " + times + " times:\n" + output()));
        assertTrue(count(text) >= times, "'" + text + "' logged " + times + " times:\n" + output());
    }

    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
    }

    /** SIGTERM, and the exit code. */
    int stop() throws Exception {
        signal("TERM");
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exited:\n" + output());
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
