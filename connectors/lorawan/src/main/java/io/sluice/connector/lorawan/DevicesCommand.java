package io.sluice.connector.lorawan;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice lorawan devices list|show|forget}: the network-server state of the UDP connectors' devices, read from
 * {@code <data>/state/connectors/<connector>/lorawan-sessions.json} (and the uplink counters next to it). Keys are
 * never printed. {@code forget} needs the gateway stopped: a running gateway keeps the sessions in memory and would
 * write them back.
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "LoRaWAN devices known to the UDP connectors: OTAA sessions, counters, last seen.",
        subcommands = {DevicesCommand.ListCommand.class, DevicesCommand.ShowCommand.class, DevicesCommand.ForgetCommand.class})
public final class DevicesCommand implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every subcommand shares. */
    static class Where {
        @Option(names = {"-d", "--data"}, defaultValue = "./data", description = "Data directory (default ${DEFAULT-VALUE}).")
        Path data;

        @Option(names = {"-c", "--connector"}, description = "Only this connector (default: every LoRaWAN connector).")
        String connector;

        /** connector name -> its state directory holding a session file. */
        Map<String, Path> stateDirectories() throws IOException {
            Map<String, Path> out = new java.util.TreeMap<>();
            Path root = data.resolve("state").resolve("connectors");
            if (!Files.isDirectory(root)) {
                return out;
            }
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
                for (Path d : dirs) {
                    String name = d.getFileName().toString();
                    if ((connector == null || connector.equals(name)) && Files.isRegularFile(SessionStore.fileIn(d))) {
                        out.put(name, d);
                    }
                }
            }
            return out;
        }
    }

    /** One device's row. */
    record Row(String connector, Path directory, DeviceState state, long uplinkFcnt) {}

    static List<Row> rows(Where where) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Path> e : where.stateDirectories().entrySet()) {
            Map<String, Long> counters = counters(e.getValue());
            for (DeviceState s : SessionStore.read(SessionStore.fileIn(e.getValue())).values()) {
                String key = s.joined ? s.name + "~" + s.appNonce : s.name;
                rows.add(new Row(e.getKey(), e.getValue(), s, counters.getOrDefault(key, -1L)));
            }
        }
        return rows;
    }

    private static Map<String, Long> counters(Path dir) throws IOException {
        Map<String, Long> out = new HashMap<>();
        Path f = dir.resolve(FrameCounterStore.FILE);
        if (!Files.exists(f)) return out;
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            String[] p = line.trim().split("\\s+");
            if (p.length == 3 && !p[0].startsWith("#")) {
                try {
                    out.put(p[0], Long.parseLong(p[2]));
                } catch (NumberFormatException ignored) {
                    // the gateway reports unreadable lines itself
                }
            }
        }
        return out;
    }

    static Row find(Where where, String id) throws IOException {
        Row found = null;
        for (Row r : rows(where)) {
            if (id.equalsIgnoreCase(r.state().devEui == null ? "" : r.state().devEui) || id.equals(r.state().name)) {
                if (found != null) {
                    throw new CommandLine.ParameterException(new CommandLine(new DevicesCommand()),
                            id + " is known to connectors " + found.connector() + " and " + r.connector() + "; choose one with --connector");
                }
                found = r;
            }
        }
        return found;
    }

    static String time(long millis) {
        return millis <= 0 ? "-" : Instant.ofEpochMilli(millis).toString();
    }

    /** {@code devices list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "One line per device.")
    public static final class ListCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        Where where = new Where();

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            List<Row> rows = rows(where);
            if (rows.isEmpty()) {
                out.println("no LoRaWAN device state under " + where.data.resolve("state").resolve("connectors"));
                return 0;
            }
            out.printf("%-14s %-18s %-16s %-5s %-8s %5s %10s %9s %-24s %s%n", "CONNECTOR", "DEVICE", "DEV-EUI", "MODE",
                    "DEV-ADDR", "JOINS", "FCNT-UP", "FCNT-DOWN", "LAST-SEEN", "BATTERY");
            for (Row r : rows) {
                DeviceState s = r.state();
                out.printf("%-14s %-18s %-16s %-5s %-8s %5d %10s %9d %-24s %s%n", r.connector(), s.name,
                        s.devEui == null ? "-" : s.devEui, s.joined ? "otaa" : "abp", s.joined ? PhyPayload.devAddrHex(s.devAddr) : "-",
                        s.joins, r.uplinkFcnt() < 0 ? "-" : Long.toString(r.uplinkFcnt()), s.fcntDown, time(s.lastSeenMillis),
                        s.battery < 0 ? "-" : Integer.toString(s.battery));
            }
            out.flush();
            return 0;
        }
    }

    /** {@code devices show DEVEUI}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Everything known about one device (keys hidden).")
    public static final class ShowCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        Where where = new Where();

        @Parameters(paramLabel = "DEVEUI", description = "DevEUI (16 hex digits) or device name")
        String id;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            Row r = find(where, id);
            if (r == null) {
                spec.commandLine().getErr().println("no device " + id + " under " + where.data);
                return 1;
            }
            DeviceState s = r.state();
            out.printf("Connector       %s%n", r.connector());
            out.printf("Device          %s%n", s.name);
            out.printf("DevEUI          %s%n", s.devEui == null ? "-" : s.devEui);
            out.printf("Activation      %s%n", s.joined ? "OTAA (joined)" : "ABP / not joined");
            if (s.joined) {
                out.printf("DevAddr         %s%n", PhyPayload.devAddrHex(s.devAddr));
                out.printf("Session keys    present (not shown)%n");
                out.printf("AppNonce        %d%n", s.appNonce);
                out.printf("Joined at       %s%n", time(s.joinedAtMillis));
            }
            out.printf("Joins           %d%n", s.joins);
            out.printf("Last DevNonce   %s (%d remembered)%n", s.lastDevNonce < 0 ? "-" : Integer.toString(s.lastDevNonce), s.devNonces.size());
            out.printf("Uplink FCnt     %s%n", r.uplinkFcnt() < 0 ? "-" : Long.toString(r.uplinkFcnt()));
            out.printf("Downlink FCnt   %d (next)%n", s.fcntDown);
            out.printf("Last seen       %s%n", time(s.lastSeenMillis));
            out.printf("Battery         %s%n", s.battery < 0 ? "-" : s.battery == 0 ? "external power" : s.battery == 255
                    ? "unknown" : String.format(Locale.ROOT, "%d/254", s.battery));
            out.printf("Margin          %s%n", s.margin == DeviceState.NO_MARGIN ? "-" : s.margin + " dB");
            out.printf("Status at       %s%n", time(s.statusMillis));
            out.flush();
            return 0;
        }
    }

    /** {@code devices forget DEVEUI}. */
    @Command(name = "forget", mixinStandardHelpOptions = true,
            description = "Drop a device's session, DevNonce history and counters, so that it must join again (the gateway must be stopped).")
    public static final class ForgetCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        Where where = new Where();

        @Parameters(paramLabel = "DEVEUI", description = "DevEUI (16 hex digits) or device name")
        String id;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (gatewayRunning(where.data)) {
                err.println("a gateway is running on " + where.data + "; stop it first (it keeps the sessions in memory and would write them back)");
                return 1;
            }
            Row r = find(where, id);
            if (r == null) {
                err.println("no device " + id + " under " + where.data);
                return 1;
            }
            Path file = SessionStore.fileIn(r.directory());
            Map<String, DeviceState> all = SessionStore.read(file);
            all.remove(r.state().name);
            SessionStore.writePrivate(file, SessionStore.render(all));
            FrameCounterStore counters = new FrameCounterStore(r.directory());
            counters.load();
            counters.forget(r.state().name);
            counters.forget(r.state().name + "~" + r.state().appNonce);
            counters.saveIfDirty();
            out.println("forgot device " + r.state().name + " of connector " + r.connector() + "; it must join again");
            out.flush();
            return 0;
        }
    }

    /** Whether a gateway holds the data directory's lock (the runtime's {@code .lock}, taken exclusively while running). */
    static boolean gatewayRunning(Path data) throws IOException {
        Path file = data.resolve(".lock");
        if (!Files.exists(file)) return false;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock shared = ch.tryLock(0, Long.MAX_VALUE, true);
            if (shared == null) return true;
            shared.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        }
    }
}
