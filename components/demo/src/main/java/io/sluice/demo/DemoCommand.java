package io.sluice.demo;

import io.sluice.spi.cli.CliCommand;
import io.sluice.admin.RunningGateway;
import io.sluice.gateway.cli.StopSignals;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.GatewayStatus;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.publish.DestinationStatus;
import io.sluice.rigs.shm.ShmWriter;
import io.sluice.spi.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sluice demo}: the gateway with simulated sources; in the demo jar, not the product jar. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs the embedded demo: simulated sources -> local stream store -> JSON Lines files; no AWS account needed.")
final class DemoCommand implements Callable<Integer>, CliCommand {

    @Option(names = "--duration", defaultValue = "30s", description = "How long to run, e.g. 10s, 2m (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = {"-d", "--data"}, defaultValue = "./data", description = "Data directory (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--lap-time", defaultValue = "20s",
            description = "Base lap time of the simulated race car, at least 1s (default ${DEFAULT-VALUE}); laps vary by +-200ms.")
    String lapTime;

    @Option(names = "--admin-listen", defaultValue = "127.0.0.1:9180",
            description = "Where the admin endpoint and web console listen, host:port (port 0 picks a free one; "
                    + "<data>/admin.json tells which) or off (default ${DEFAULT-VALUE}).")
    String adminListen;

    @Option(names = "--print-config", description = "Print the demo's YAML configuration and exit (a good starting point).")
    boolean printConfig;

    @Spec
    CommandSpec spec;

    static final String DEFAULT_OPCUA_ENDPOINT = "opc.tcp://127.0.0.1:4840/rig";

    /** The shared-memory names of the demo's racing simulator; printed configs use it as it is. */
    static final String DEFAULT_SHM_PREFIX = "sluice_demo_";

    static String demoConfig(Path data, String opcUaEndpoint, String adminListen, String shmPrefix) throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/io/sluice/demo/demo.yaml")) {
            String template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return template.replace("{{DATA}}", data.toString().replace('\\', '/')).replace("{{OPCUA_ENDPOINT}}", opcUaEndpoint)
                    .replace("{{ADMIN_LISTEN}}", adminListen).replace("{{SHM_PREFIX}}", shmPrefix);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (printConfig) {
            System.out.print(demoConfig(data, DEFAULT_OPCUA_ENDPOINT, adminListen, DEFAULT_SHM_PREFIX));
            return 0;
        }
        Duration runFor = Durations.parse(duration);
        Duration lap = Durations.parse(lapTime);
        if (lap.toMillis() < 1000) throw new ParameterException(spec.commandLine(),
                "--lap-time must be at least 1s, got " + lapTime);
        Path absolute = data.toAbsolutePath().normalize();
        SimulationServer opcUaServer = SimulationServer.start(freePort(), absolute.resolve("opcua-simulation-server"));
        // names of this process's own, so that two demos (or a demo and a test) on one machine keep apart
        String shmPrefix = DEFAULT_SHM_PREFIX + ProcessHandle.current().pid() + "_";
        ShmWriter raceSimulator = startRaceSimulator(lap, shmPrefix);
        try {
            return runDemo(demoConfig(data, opcUaServer.endpointUrl(), adminListen, shmPrefix), runFor, absolute,
                    opcUaServer.endpointUrl(), shmPrefix);
        } finally {
            if (raceSimulator != null) raceSimulator.close();
            opcUaServer.close();
        }
    }

    /** The shared-memory writer, or null (with a note) where it cannot run: not Linux, or no gcc to build it. */
    private static ShmWriter startRaceSimulator(Duration lap, String shmPrefix) {
        if (!System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            System.out.println("  (racing simulator source: shared-memory writer runs on Linux only; skipped)");
            return null;
        }
        try {
            return ShmWriter.acc(shmPrefix, 333, "--lap-ms", Long.toString(lap.toMillis()));
        } catch (IOException | RuntimeException e) {
            System.out.println("  (racing simulator source skipped: " + e.getMessage() + ")");
            return null;
        }
    }

    private int runDemo(String yaml, Duration runFor, Path absolute, String opcUaEndpoint, String shmPrefix) throws Exception {
        GatewayConfig config = ConfigLoader.parse(yaml, "demo.yaml (embedded)");
        System.out.println("Sluice demo: simulated press line + OPC UA simulation server (" + opcUaEndpoint + ")");
        System.out.println("             + racing simulator shared memory (/dev/shm/" + shmPrefix + "*)");
        System.out.println("             -> stream store -> JSON Lines files");
        System.out.println("  store   : " + absolute.resolve(Gateway.STORE_FILE));
        System.out.println("  output  : " + absolute.resolve("export").resolve("samples.jsonl"));
        System.out.println("  config  : embedded; `sluice demo --print-config` prints it");
        System.out.println("  duration: " + Durations.format(runFor) + " (Ctrl-C stops earlier)");
        boolean console = System.console() != null;
        try (StopSignals signals = StopSignals.install(); RunningGateway running = RunningGateway.start(config, data)) {
            Gateway gateway = running.gateway();
            running.admin().ifPresent(a -> System.out.println("  console : " + a.url() + "/"
                    + ("token".equals(a.address().auth()) ? " (token in " + a.address().tokenFile() + ")" : "")));
            Runtime.getRuntime().addShutdownHook(new Thread(running::close));
            long start = System.nanoTime();
            long end = start + runFor.toNanos();
            long lastExported = 0;
            long lastTime = start;
            while (System.nanoTime() < end && !signals.requested()) {
                Thread.sleep(Math.max(1, Math.min(1000, (end - System.nanoTime()) / 1_000_000)));
                long now = System.nanoTime();
                GatewayStatus status = gateway.status();
                long committed = status.connectors().stream().mapToLong(GatewayStatus.ConnectorStatus::samplesCommitted).sum();
                long exported = status.destinations().stream().mapToLong(DestinationStatus::samplesSent).sum();
                double rate = (exported - lastExported) / Math.max(1e-9, (now - lastTime) / 1e9);
                String line = String.format("[%5.1fs] committed %,d  exported %,d  (%,.0f samples/s)",
                        (now - start) / 1e9, committed, exported, rate);
                if (console) System.out.print("\r" + line + "   ");
                else System.out.println(line);
                lastExported = exported;
                lastTime = now;
            }
            if (console) System.out.println();
            if (signals.requested()) System.out.println("stopped early (" + signals.await() + ")");
            // let the exporter catch up with what was committed before stopping (bounded)
            GatewayStatus atEnd = gateway.status();
            long committedAtEnd = atEnd.connectors().stream().mapToLong(GatewayStatus.ConnectorStatus::samplesCommitted).sum();
            long drainDeadline = System.nanoTime() + 10_000_000_000L;
            long exported = 0;
            while (System.nanoTime() < drainDeadline) {
                exported = gateway.status().destinations().stream().mapToLong(DestinationStatus::samplesSent).sum();
                if (exported >= committedAtEnd) break;
                Thread.sleep(50);
            }
            System.out.printf("exported %,d samples (%,d committed when the run ended)%n", exported, committedAtEnd);
        }
        System.out.println("done: samples are in " + absolute.resolve("export") + "; inspect the store with `sluice streams list --data " + data + "`");
        return 0;
    }
}
