package io.sluice.rigs.kinesis;

import io.sluice.rigs.process.PeerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kinesis-local emulator (npm {@code kinesis-local@0.6.2}, a Node build of kinesis-mock) on 127.0.0.1, started
 * as a child process and stopped by PID. It serves the Kinesis API over plain HTTP ({@link #endpoint()}) and over
 * HTTPS with a self-signed certificate ({@link #tlsEndpoint()}); any access key is accepted, streams live in
 * memory and become ACTIVE at once.
 *
 * <p>kinesis-local has no host option and listens on all interfaces; a {@code node -r} preload
 * ({@code loopback-only.js}) forces every {@code listen()} onto 127.0.0.1.
 *
 * <p>Node runs with {@value #YOUNG_GENERATION_MB} MB semi-spaces: with Node's default young generation,
 * kinesis-local spent 38 % of its busy time in garbage collection under a steady PutRecords load (10 % with this
 * setting, CPU profile in docs/BENCHMARKS.md), which capped what any client could push through it.
 *
 * <p>The npm package is found in {@code test-rigs/peers/node_modules} (installed by {@code test-rigs/setup-peers.sh}
 * with {@code npm ci}): from the system property {@code sluice.peers.dir} or the environment variable
 * {@code SLUICE_PEERS_DIR} when set, else by walking up from the working directory.
 */
public final class KinesisEmulator implements AutoCloseable {

    public static final String PACKAGE = "kinesis-local";
    /** The access key the emulator maps to its default account; any non-empty key works. */
    public static final String ACCESS_KEY = "AKIDSLUICETEST";
    public static final String SECRET_KEY = "sluice-test-secret";
    public static final String REGION = "us-east-1";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final int YOUNG_GENERATION_MB = 64;

    private final PeerProcess process;
    private final int plainPort;
    private final int tlsPort;

    private KinesisEmulator(PeerProcess process, int plainPort, int tlsPort) {
        this.process = process;
        this.plainPort = plainPort;
        this.tlsPort = tlsPort;
    }

    /** Starts the emulator with default settings; its log and preload script go to {@code workDir}. */
    public static KinesisEmulator start(Path workDir) throws IOException {
        return start(workDir, Map.of());
    }

    /**
     * Starts the emulator with extra environment settings of kinesis-mock (e.g. {@code INITIALIZE_STREAMS},
     * {@code SHARD_LIMIT}, {@code LOG_LEVEL}).
     */
    public static KinesisEmulator start(Path workDir, Map<String, String> settings) throws IOException {
        Path node = PeerProcess.which("node").orElseThrow(() -> new IOException("node is not installed (Node 20 expected)"));
        Path packageDir = locatePackage().orElseThrow(() -> new IOException(
                "npm package " + PACKAGE + " not found in test-rigs/peers/node_modules; run test-rigs/setup-peers.sh"));
        Path dir = Files.createDirectories(workDir.resolve("kinesis-local"));
        Path preload = dir.resolve("loopback-only.js");
        try (InputStream in = KinesisEmulator.class.getResourceAsStream("loopback-only.js")) {
            if (in == null) throw new IOException("loopback-only.js missing from the rig's resources");
            Files.copy(in, preload, StandardCopyOption.REPLACE_EXISTING);
        }
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int plain = PeerProcess.freeLoopbackPort();
            int tls = PeerProcess.freeLoopbackPort();
            if (tls == plain) continue;
            Map<String, String> env = new LinkedHashMap<>();
            env.put("KINESIS_MOCK_CERT_PATH", packageDir.resolve("server.json").toString());
            env.put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(plain));
            env.put("KINESIS_MOCK_TLS_PORT", Integer.toString(tls));
            env.put("CREATE_STREAM_DURATION", "0ms");
            env.put("DELETE_STREAM_DURATION", "0ms");
            env.put("UPDATE_SHARD_COUNT_DURATION", "0ms");
            env.put("SHOULD_PERSIST_DATA", "false");
            env.put("AWS_REGION", REGION);
            env.put("LOG_LEVEL", "WARN");
            env.putAll(settings);
            Path log = dir.resolve("kinesis-local-" + plain + ".log");
            try {
                PeerProcess p = PeerProcess.start("kinesis-local",
                        List.of(node.toString(), "--max-semi-space-size=" + YOUNG_GENERATION_MB, "-r", preload.toString(),
                                packageDir.resolve("main.js").toString()),
                        env, dir, log, List.of(plain, tls), START_TIMEOUT);
                return new KinesisEmulator(p, plain, tls);
            } catch (IOException e) {
                last = e;
                if (!String.valueOf(e.getMessage()).contains("EADDRINUSE")) throw e;
            }
        }
        throw last == null ? new IOException("no two free ports for kinesis-local") : last;
    }

    /** {@code test-rigs/peers/node_modules/kinesis-local}, if installed. */
    public static Optional<Path> locatePackage() {
        String configured = System.getProperty("sluice.peers.dir", System.getenv("SLUICE_PEERS_DIR"));
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured).resolve("node_modules").resolve(PACKAGE);
            return Files.isRegularFile(p.resolve("main.js")) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        }
        List<Path> starts = new java.util.ArrayList<>(List.of(Path.of("").toAbsolutePath()));
        try {
            starts.add(Path.of(KinesisEmulator.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (Exception | Error ignored) {
            // no code source (custom class loader): the working directory must do
        }
        for (Path start : starts) {
            Optional<Path> found = walkUp(start);
            if (found.isPresent()) return found;
        }
        return Optional.empty();
    }

    private static Optional<Path> walkUp(Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("test-rigs/peers/node_modules").resolve(PACKAGE);
            if (Files.isRegularFile(p.resolve("main.js"))) return Optional.of(p);
            Path here = dir.resolve("node_modules").resolve(PACKAGE);
            if (dir.getFileName() != null && dir.getFileName().toString().equals("peers")
                    && Files.isRegularFile(here.resolve("main.js"))) {
                return Optional.of(here);
            }
        }
        return Optional.empty();
    }

    /** The plain-HTTP endpoint, {@code http://127.0.0.1:<port>}: use it as the SDK's endpoint override. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + plainPort);
    }

    /** The HTTPS endpoint (self-signed certificate; a client must trust all certificates to use it). */
    public URI tlsEndpoint() {
        return URI.create("https://127.0.0.1:" + tlsPort);
    }

    public String region() {
        return REGION;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return process.log();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the emulator by its PID; its streams are gone. */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "kinesis-local " + endpoint() + " (pid " + process.pid() + ")";
    }
}
