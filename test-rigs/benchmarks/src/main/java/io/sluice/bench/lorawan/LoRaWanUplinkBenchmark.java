package io.sluice.bench.lorawan;

import io.sluice.bench.Benchmark;
import io.sluice.rigs.lorawan.PacketForwarderSimulator;
import io.sluice.rigs.lorawan.VirtualDevice;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code test-rigs/bench lorawan}: LoRaWAN uplinks per second through the whole UDP path of a running gateway —
 * Semtech PUSH_DATA parsing and PUSH_ACK, PHYPayload parsing, MIC check, counter check, FRMPayload decryption,
 * payload decoding (Cayenne LPP and byte layout, half the devices each), de-duplication window, and commit into the
 * SQLite stream store. The simulator's frames are encrypted before the clock starts; they are sent from
 * {@code --gateways} virtual gateways over loopback UDP with at most {@code --in-flight} unacknowledged PUSH_DATA
 * (the PUSH_ACK is the flow control, so the kernel buffer never overflows). The clock stops when the store holds
 * every sample. Ends with {@code uplinks_per_s=N} (the median of the runs).
 *
 * <p>{@code --otaa}: each run first measures the ABP baseline as above, then starts a gateway whose connector is the
 * network server of {@code --devices} OTAA devices, sends all their JoinRequests at once (a join storm after a power
 * cut) and times until every JoinAccept came back over PULL_RESP and verified (the simulator checks MIC and window
 * timing), then sends the uplinks with the derived keys as above. Ends with {@code joins_per_s}, {@code uplinks_per_s}
 * (after the joins) and {@code abp_uplinks_per_s} (medians).
 */
public final class LoRaWanUplinkBenchmark implements Benchmark {

    @Override
    public String name() {
        return "lorawan";
    }

    @Override
    public String description() {
        return "Semtech UDP -> MIC, decrypt, decode, dedup -> SQLite store; uplinks/s";
    }

    @Override
    public int run(String[] args) throws Exception {
        return new CommandLine(new Options()).execute(args);
    }

    @Command(name = "lorawan", mixinStandardHelpOptions = true,
            description = "Measures LoRaWAN uplinks/s from UDP datagram to committed samples through a running gateway.")
    static final class Options implements Callable<Integer> {

        @Option(names = "--runs", defaultValue = "3", description = "Runs; the median is reported (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--uplinks", defaultValue = "200000", description = "Uplinks per run (default ${DEFAULT-VALUE}).")
        int uplinks;

        @Option(names = "--warmup", defaultValue = "50000",
                description = "Uplinks of a first run that is not counted, so the JIT has compiled the hot paths (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--devices", defaultValue = "1000", description = "Simulated ABP devices (default ${DEFAULT-VALUE}).")
        int devices;

        @Option(names = "--gateways", defaultValue = "3", description = "Virtual gateways (default ${DEFAULT-VALUE}).")
        int gateways;

        @Option(names = "--heard-by", defaultValue = "1",
                description = "Gateways that hear each uplink; more than 1 adds de-duplicated copies (default ${DEFAULT-VALUE}).")
        int heardBy;

        @Option(names = "--rxpk-per-push", defaultValue = "8",
                description = "Receptions a gateway packs into one PUSH_DATA (default ${DEFAULT-VALUE}).")
        int rxpkPerPush;

        @Option(names = "--in-flight", defaultValue = "64",
                description = "PUSH_DATA sent but not yet acknowledged, at most (default ${DEFAULT-VALUE}).")
        int inFlight;

        @Option(names = "--dedup-window", defaultValue = "200ms", description = "The connector's dedup-window (default ${DEFAULT-VALUE}).")
        String window;

        @Option(names = "--otaa", description = "Also a join storm of --devices OTAA devices, then their uplinks (see the class comment).")
        boolean otaa;

        @Option(names = "--radio-metadata", defaultValue = "compact",
                description = "The connector's radio-metadata: compact, full or off (default ${DEFAULT-VALUE}).")
        String radio;

        @Override
        public Integer call() throws Exception {
            double[] rates = new double[runs];
            double[] otaaRates = new double[runs];
            double[] joinRates = new double[runs];
            if (warmup > 0) {
                int measured = uplinks;
                uplinks = warmup;
                System.out.println("warm-up run (not counted):");
                once(0);
                if (otaa) {
                    otaaOnce(0, new double[1], 0);
                }
                uplinks = measured;
            }
            for (int run = 0; run < runs; run++) {
                rates[run] = once(run + 1);
                if (otaa) {
                    otaaRates[run] = otaaOnce(run + 1, joinRates, run);
                }
            }
            if (otaa) {
                System.out.printf("joins_per_s=%d%n", Math.round(median(joinRates)));
                System.out.printf("uplinks_per_s=%d%n", Math.round(median(otaaRates)));
                System.out.printf("abp_uplinks_per_s=%d%n", Math.round(median(rates)));
            } else {
                System.out.printf("uplinks_per_s=%d%n", Math.round(median(rates)));
            }
            return 0;
        }

        private static double median(double[] values) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        /** One OTAA run: the join storm, then the uplinks of the joined devices; returns uplinks/s, stores joins/s. */
        private double otaaOnce(int run, double[] joinRates, int slot) throws Exception {
            Path data = Files.createTempDirectory("sluice-bench-lorawan-otaa");
            int port = freeUdpPort();
            List<io.sluice.rigs.lorawan.OtaaDevice> joining = io.sluice.rigs.lorawan.OtaaDevice.many(devices, 2000 + run);
            try (PacketForwarderSimulator sim = new PacketForwarderSimulator(new InetSocketAddress("127.0.0.1", port),
                    InetAddress.getLoopbackAddress(), gateways, 0, 0, 2000 + run)) {
                String yaml = """
                        connectors:
                          lora:
                            type: lorawan
                            stream: lora
                            asset: {site: bench, area: field}
                            bind-address: 127.0.0.1
                            port: %d
                            dedup-window: %s
                            radio-metadata: %s
                            network-server:
                              net-id: "000013"
                        %s
                        streams:
                          lora:
                            priority: 3
                        """.formatted(port, window, radio, io.sluice.rigs.lorawan.OtaaDevice.registryYaml(joining, "    "));
                Gateway gateway = Gateway.start(ConfigLoader.parse(yaml, "bench-lorawan-otaa.yaml"), data);
                try {
                    Thread.sleep(300); // the connector binds its socket
                    sim.pullData();
                    sim.awaitAcks(java.time.Duration.ofSeconds(5));
                    long start = System.nanoTime();
                    sim.sendJoins(joining, Math.max(1, Math.min(heardBy, gateways)), rxpkPerPush);
                    long deadline = start + 60_000_000_000L;
                    while (sim.joinAccepts() < devices && System.nanoTime() < deadline) {
                        Thread.sleep(1);
                    }
                    double joinSeconds = (System.nanoTime() - start) / 1e9;
                    joinRates[slot] = sim.joinAccepts() / joinSeconds;
                    System.out.printf("run %d (otaa): %d of %d joins accepted and verified in %.2f s = %.0f joins/s; bad accepts %d, "
                                    + "mistimed downlinks %d%n", run, sim.joinAccepts(), devices, joinSeconds, joinRates[slot],
                            sim.joinAcceptsBad(), sim.downlinksMistimed());
                    if (sim.joinAccepts() < devices) {
                        System.out.printf("run %d (otaa): INCOMPLETE join storm, connector counters: %s%n", run, counters(gateway));
                        return 0;
                    }
                    List<VirtualDevice> sessions = joining.stream().map(io.sluice.rigs.lorawan.OtaaDevice::session).toList();
                    return measure(run + " (otaa)", sim, sessions, gateway, true);
                } finally {
                    gateway.close();
                }
            } finally {
                deleteTree(data);
            }
        }

        private double once(int run) throws Exception {
            Path data = Files.createTempDirectory("sluice-bench-lorawan");
            int port = freeUdpPort();
            try (PacketForwarderSimulator sim = new PacketForwarderSimulator(new InetSocketAddress("127.0.0.1", port),
                    InetAddress.getLoopbackAddress(), gateways, devices, 100, 1000 + run)) {
                String yaml = yaml(port, sim);
                Gateway gateway = Gateway.start(ConfigLoader.parse(yaml, "bench-lorawan.yaml"), data);
                try {
                    Thread.sleep(300); // the connector binds its socket
                    return measure(Integer.toString(run), sim, sim.devices(), gateway, false);
                } finally {
                    gateway.close();
                }
            } finally {
                deleteTree(data);
            }
        }

        /** Encrypts {@code uplinks} frames of {@code devs} before the clock starts, sends them, waits for the store. */
        private double measure(String run, PacketForwarderSimulator sim, List<VirtualDevice> devs, Gateway gateway,
                               boolean timed) throws Exception {
            int perDevice = (uplinks + devs.size() - 1) / devs.size();
            List<VirtualDevice.Uplink> frames = new ArrayList<>(uplinks);
            long samples = 0;
            for (int k = 0; k < perDevice && frames.size() < uplinks; k++) {
                for (VirtualDevice d : devs) {
                    if (frames.size() == uplinks) break;
                    VirtualDevice.Uplink u = d.nextUplink();
                    frames.add(u);
                    samples += u.expected().size() + ("off".equals(radio) ? 0 : 1);
                }
            }
            int copies = Math.max(1, Math.min(heardBy, gateways));
            List<byte[]> datagrams = new ArrayList<>();
            List<Integer> senders = new ArrayList<>();
            for (int from = 0; from < frames.size(); from += rxpkPerPush) {
                List<VirtualDevice.Uplink> chunk = frames.subList(from, Math.min(frames.size(), from + rxpkPerPush));
                String json = timed ? sim.timedBatchJson(chunk) : sim.batchJson(chunk);
                for (int c = 0; c < copies; c++) {
                    int g = (from / rxpkPerPush + c) % gateways;
                    datagrams.add(sim.pushDatagram(g, json));
                    senders.add(g);
                }
            }
            long storedBefore = gateway.store().stats("lora").storedSamples();
            samples += storedBefore;
            long pushAckedBefore = sim.pushAcked();
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpuStart = os.getProcessCpuTime();
            double loadBefore = os.getSystemLoadAverage();
            long start = System.nanoTime();
            long lostGuess = 0;
            long lastProgress = System.nanoTime();
            long lastAcked = 0;
            for (int i = 0; i < datagrams.size(); i++) {
                while (i - (sim.pushAcked() - pushAckedBefore) - lostGuess >= inFlight) {
                    long acked = sim.pushAcked() - pushAckedBefore;
                    if (acked != lastAcked) {
                        lastAcked = acked;
                        lastProgress = System.nanoTime();
                    } else if (System.nanoTime() - lastProgress > 500_000_000L) {
                        lostGuess = i - acked; // no ACK for 0.5 s: treat the rest in flight as lost
                        lastProgress = System.nanoTime();
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000L);
                }
                sim.sendDatagram(senders.get(i), datagrams.get(i));
            }
            long sentDone = System.nanoTime();
            long deadline = System.nanoTime() + 60_000_000_000L;
            long stored = 0;
            long lastStored = -1;
            long stallSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                stored = gateway.store().stats("lora").storedSamples();
                if (stored >= samples) break;
                if (stored != lastStored) {
                    lastStored = stored;
                    stallSince = System.nanoTime();
                } else if (System.nanoTime() - stallSince > 20_000_000_000L) {
                    break;
                }
                Thread.sleep(1);
            }
            long end = System.nanoTime();
            long cpuNanos = os.getProcessCpuTime() - cpuStart;
            double seconds = (end - start) / 1e9;
            stored -= storedBefore;
            samples -= storedBefore;
            long committedUplinks = stored >= samples ? frames.size() : Math.round(frames.size() * (double) stored / samples);
            double rate = committedUplinks / seconds;
            System.out.printf("run %s: %d uplinks (%d datagrams, %d samples committed of %d) in %.2f s "
                            + "(sending took %.2f s) = %.0f uplinks/s, %.0f samples/s; push acked %d/%d%n",
                    run, committedUplinks, datagrams.size(), stored, samples, seconds, (sentDone - start) / 1e9,
                    rate, stored / seconds, sim.pushAcked(), sim.pushSent());
            if (stored < samples) {
                System.out.printf("run %s: INCOMPLETE, connector counters: %s%n", run, counters(gateway));
            }
            System.out.printf("run %s: process CPU %.1f us per uplink (gateway and simulator together, %.1f cores busy); "
                            + "system load average %.1f on %d CPUs%n", run, cpuNanos / 1e3 / Math.max(1, committedUplinks),
                    cpuNanos / 1e9 / seconds, loadBefore, Runtime.getRuntime().availableProcessors());
            if (timed) {
                System.out.printf("run %s: downlinks %d (mistimed %d)%n", run, sim.dataDownlinks(), sim.downlinksMistimed());
            }
            return rate;
        }

        private String yaml(int port, PacketForwarderSimulator sim) {
            return """
                    connectors:
                      lora:
                        type: lorawan
                        stream: lora
                        asset: {site: bench, area: field}
                        bind-address: 127.0.0.1
                        port: %d
                        dedup-window: %s
                        radio-metadata: %s
                    %s
                    streams:
                      lora:
                        priority: 3
                    """.formatted(port, window, radio, sim.registryYaml("    "));
        }
    }

    private static String counters(Gateway gateway) {
        StringBuilder sb = new StringBuilder();
        for (String name : new String[] {"lorawan.datagrams.received", "lorawan.datagrams.malformed", "lorawan.frames.accepted",
                "lorawan.frames.mic-failed", "lorawan.frames.replayed", "lorawan.frames.unknown-device",
                "lorawan.samples.emitted", "lorawan.samples.refused"}) {
            double v = gateway.registry().find(name).counters().stream().mapToDouble(c -> c.count()).sum();
            sb.append(name).append('=').append((long) v).append(' ');
        }
        return sb.toString().trim();
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // temp dir; best effort
                }
            });
        } catch (IOException ignored) {
            // temp dir; best effort
        }
    }
}
