package io.sluice.demo;

import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The demo's OPC UA simulation server as a process of its own (a small JVM from the same class path), so that the
 * gateway's process holds only the gateway, as it would next to a real PLC. The server stops when the demo closes
 * it, and also when the demo's process ends without closing it (its stdin reaches end of file).
 */
final class SimulationServer implements AutoCloseable {

    private static final String READY = "READY ";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final String endpointUrl;

    private SimulationServer(Process process, String endpointUrl) {
        this.process = process;
        this.endpointUrl = endpointUrl;
    }

    /** Starts the server on {@code port} (loopback), its key store in {@code securityDir}; values change every second. */
    static SimulationServer start(int port, Path securityDir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xms8m", "-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xss512k", "-cp", System.getProperty("java.class.path"), SimulationServer.class.getName(),
                Integer.toString(port), securityDir.toString()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith(READY)) ready.complete(line.substring(READY.length()));
                }
                ready.completeExceptionally(new IOException("the OPC UA simulation server ended (exit " + process.waitFor() + ")"));
            } catch (IOException | InterruptedException e) {
                ready.completeExceptionally(e);
            }
        }, "opcua-simulation-server-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new SimulationServer(process, ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while starting the OPC UA simulation server", e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException("the OPC UA simulation server did not start: " + cause.getMessage(), cause);
        }
    }

    String endpointUrl() {
        return endpointUrl;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close(); // end of file on the server's stdin: it stops
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** The server process: {@code SimulationServer PORT SECURITY_DIR}; prints {@code READY <endpoint>}, runs until stdin ends. */
    public static void main(String[] args) throws Exception {
        RigServer server = RigServer.start(RigServerConfig.defaults().withPort(Integer.parseInt(args[0]))
                .withChangeInterval(Duration.ofSeconds(1)).withSecurityDir(Path.of(args[1])));
        try {
            System.out.println(READY + server.endpointUrl());
            System.out.flush();
            while (System.in.read() >= 0) {
                // nothing to read; end of file means the demo is gone
            }
        } finally {
            server.close();
        }
        System.exit(0);
    }
}
