package io.sluice.rigs.lorawan;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the packet-forwarder simulator on its own: {@code java -cp ... io.sluice.rigs.lorawan.ForwarderSimulatorMain
 * --port 1700 --gateways 3 --devices 50}. {@code --print-config} prints the connector's profiles and devices as YAML
 * (with the simulated keys) so a gateway config can be pointed at the simulator.
 */
@Command(name = "lorawan-forwarder-sim", mixinStandardHelpOptions = true,
        description = "Virtual LoRa gateways (Semtech UDP packet forwarder v2) sending encrypted ABP uplinks")
public final class ForwarderSimulatorMain implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "server address (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "1700", description = "server UDP port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "local address of the gateways' sockets")
    String bind;

    @Option(names = "--gateways", defaultValue = "3", description = "virtual gateways (default: ${DEFAULT-VALUE})")
    int gateways;

    @Option(names = "--devices", defaultValue = "50", description = "simulated ABP devices (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--uplinks", defaultValue = "1000", description = "uplinks to send in total; 0 = until stopped")
    long uplinks;

    @Option(names = "--rate", defaultValue = "100", description = "uplinks per second (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--heard-by", defaultValue = "0",
            description = "gateways that hear each uplink (duplicates); 0 = all gateways")
    int heardBy;

    @Option(names = "--start-fcnt", defaultValue = "0",
            description = "first frame counter of every device; e.g. 65500 to cross the 16-bit rollover")
    long startFcnt;

    @Option(names = "--replay-every", defaultValue = "0", description = "resend an earlier frame every N uplinks (0 = never)")
    int replayEvery;

    @Option(names = "--bad-mic-every", defaultValue = "0", description = "send a frame with a broken MIC every N uplinks")
    int badMicEvery;

    @Option(names = "--stat-every", defaultValue = "30s", description = "gateway stat report interval")
    String statEvery;

    @Option(names = "--seed", defaultValue = "1", description = "keys, values and radio figures follow from it")
    long seed;

    @Option(names = "--print-config", description = "print the connector's profiles and devices YAML and exit")
    boolean printConfig;

    @Option(names = "--otaa", description = "the devices join over the air first (the connector needs its network-server "
            + "section); each JoinAccept is checked (window timing, MIC) and the uplinks use the derived keys")
    boolean otaa;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ForwarderSimulatorMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        InetSocketAddress server = new InetSocketAddress(InetAddress.getByName(host), port);
        try (PacketForwarderSimulator sim = new PacketForwarderSimulator(server, InetAddress.getByName(bind), gateways,
                devices, startFcnt, seed)) {
            List<OtaaDevice> joining = otaa ? OtaaDevice.many(devices, seed) : List.of();
            if (printConfig) {
                System.out.print(otaa ? OtaaDevice.registryYaml(joining, "") : sim.registryYaml(""));
                return 0;
            }
            int heard = heardBy <= 0 ? gateways : Math.min(heardBy, gateways);
            if (otaa) {
                sim.pullData();
                sim.sendJoins(joining, heard, 8);
                long end = System.nanoTime() + 30_000_000_000L;
                while (sim.joinAccepts() < devices && System.nanoTime() - end < 0) {
                    Thread.sleep(10);
                }
                System.out.printf("joins=%d join_accepts_ok=%d join_accepts_bad=%d downlinks_mistimed=%d%n", devices,
                        sim.joinAccepts(), sim.joinAcceptsBad(), sim.downlinksMistimed());
                if (sim.joinAccepts() < devices) {
                    return 1;
                }
            }
            long statNanos = io.sluice.spi.Durations.parse(statEvery).toNanos();
            long periodNanos = (long) (1e9 / rate);
            long next = System.nanoTime();
            long nextStat = next;
            long nextPull = next;
            List<VirtualDevice.Uplink> history = new ArrayList<>();
            long sent = 0;
            long replays = 0;
            long badMics = 0;
            while (uplinks == 0 || sent < uplinks) {
                long now = System.nanoTime();
                if (now - nextPull >= 0) {
                    sim.pullData();
                    nextPull = now + 10_000_000_000L;
                }
                if (now - nextStat >= 0) {
                    for (int g = 0; g < gateways; g++) {
                        sim.stat(g, (int) sent, (int) sent, (int) sent);
                    }
                    nextStat = now + statNanos;
                }
                VirtualDevice d = otaa ? joining.get((int) (sent % devices)).session() : sim.devices().get((int) (sent % devices));
                VirtualDevice.Uplink u = d.nextUplink();
                sim.send(u, heard);
                sent++;
                history.add(u);
                if (history.size() > 100) history.remove(0);
                if (replayEvery > 0 && sent % replayEvery == 0) {
                    sim.send(history.get(0), 1);
                    replays++;
                }
                if (badMicEvery > 0 && sent % badMicEvery == 0) {
                    sim.send(d.nextUplink().withBadMic(), 1);
                    badMics++;
                }
                next += periodNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000L, (int) (sleep % 1_000_000L));
                }
            }
            boolean acked = sim.awaitAcks(Duration.ofSeconds(5));
            System.out.printf("uplinks=%d replays=%d bad_mics=%d push_sent=%d push_acked=%d pull_acked=%d unexpected_acks=%d all_acked=%s%n",
                    sent, replays, badMics, sim.pushSent(), sim.pushAcked(), sim.pullAcked(), sim.unexpectedAcks(), acked);
            return acked ? 0 : 1;
        }
    }
}
