package io.sluice.bench.opcua;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The OPC UA rig server ({@code test-rigs/opcua-server}) as a separate JVM on the benchmark's class path, so that its
 * CPU and memory are not the gateway's: {@code nodes} Double nodes under {@code /Rig/Load} that all change every
 * {@code intervalMs}. Endpoint {@code opc.tcp://127.0.0.1:<port>/rig}.
 */
public final class RigServerProcess {

    private RigServerProcess() {}

    /** Starts the server and waits (up to 60 s) until it says it listens; its output is drained in the background. */
    public static Process start(int port, int nodes, int intervalMs, Path securityDir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                "io.sluice.rigs.opcua.RigMain", "--port", String.valueOf(port), "--load-nodes", String.valueOf(nodes),
                "--scalars-per-type", "1", "--change-interval", String.valueOf(intervalMs),
                "--security-dir", securityDir.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("OPC UA rig server:")) break;
            if (System.nanoTime() > deadline) break;
        }
        if (line == null) {
            p.destroyForcibly();
            throw new IllegalStateException("the rig server did not start");
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe empty
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "rig-output");
        drain.setDaemon(true);
        drain.start();
        return p;
    }
}
