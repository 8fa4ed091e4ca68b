package io.sluice.connector.simmem;

import io.sluice.connector.simmem.layout.Field;
import io.sluice.connector.simmem.layout.Layout;
import io.sluice.connector.simmem.layout.LayoutException;
import io.sluice.connector.simmem.layout.Layouts;
import io.sluice.connector.simmem.layout.PageDecoder;
import io.sluice.spi.Value;
import io.sluice.spi.cli.CliCommand;
import io.sluice.spi.cli.CliExtension;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice sim layouts | dump | check}: look at simulator layouts and live pages without running a gateway. */
public final class SimCli implements CliExtension {

    @Override
    public String name() {
        return "sim";
    }

    @Override
    public CliCommand command() {
        return new Sim();
    }

    @Command(name = "sim", description = "Simulator shared memory: list layouts, dump a live page, check a layout file.",
            mixinStandardHelpOptions = true, subcommands = {Sim.LayoutsCmd.class, Sim.DumpCmd.class, Sim.CheckCmd.class})
    public static final class Sim implements Callable<Integer>, CliCommand {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 2;
        }

        @Command(name = "layouts", description = {"Lists the shipped layouts (or the fields of one).",
                "With --emit-config, prints a connector entry to paste under `connectors:` with a page per LAYOUT and "
                        + "its fields, their types and units as comments."},
                mixinStandardHelpOptions = true,
                footer = {"", "Examples:", "  sluice sim layouts acc-physics",
                        "  sluice sim layouts acc-physics acc-graphics --emit-config --connector race-sim"})
        static final class LayoutsCmd implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Parameters(arity = "0..*", paramLabel = "LAYOUT", description = "Show this layout's fields (shipped name or layout file).")
            List<String> layouts = new ArrayList<>();

            @Option(names = "--emit-config", description = "Print a simmem connector entry reading these layouts' pages.")
            boolean emitConfig;

            @Option(names = "--connector", defaultValue = "sim", description = "With --emit-config: the connector's name (default: ${DEFAULT-VALUE}).")
            String connectorName;

            @Option(names = "--stream", defaultValue = "telemetry", description = "With --emit-config: its stream (default: ${DEFAULT-VALUE}).")
            String stream;

            @Override
            public Integer call() {
                PrintWriter out = spec.commandLine().getOut();
                if (emitConfig) {
                    if (layouts.isEmpty()) {
                        spec.commandLine().getErr().println("--emit-config needs at least one LAYOUT (`sluice sim layouts` lists them)");
                        return 2;
                    }
                    List<Layout> resolved = new ArrayList<>();
                    for (String name : layouts) {
                        try {
                            resolved.add(Layouts.resolve(name, Path.of("")));
                        } catch (LayoutException e) {
                            spec.commandLine().getErr().println(e.getMessage());
                            return 1;
                        }
                    }
                    out.print(emitConfig("sluice sim layouts " + String.join(" ", layouts) + " --emit-config", connectorName, stream,
                            layouts, resolved));
                    out.flush();
                    return 0;
                }
                for (String layout : layouts) {
                    Layout l;
                    try {
                        l = Layouts.resolve(layout, Path.of(""));
                    } catch (LayoutException e) {
                        spec.commandLine().getErr().println(e.getMessage());
                        return 1;
                    }
                    printFields(out, l);
                }
                if (!layouts.isEmpty()) return 0;
                out.printf("%-18s %6s %-9s %-8s %-24s %-26s %s%n", "LAYOUT", "BYTES", "FIELDS", "COUNTER",
                        "WINDOWS MAPPING", "POSIX PATH", "DESCRIPTION");
                for (Layout l : Layouts.allShipped()) {
                    out.printf("%-18s %6d %-9d %-8s %-24s %-26s %s%n", l.name(), l.size(), l.fields().size(),
                            l.updateCounter().orElse("-"), l.mappingName(), l.path(), l.description());
                }
                return 0;
            }
        }

        @Command(name = "dump", description = "Reads one consistent snapshot of a live page and prints it decoded.",
                mixinStandardHelpOptions = true)
        static final class DumpCmd implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--layout", required = true, description = "Shipped layout name or layout file.")
            String layout;

            @Option(names = "--path", description = "POSIX path overriding the layout's.")
            String path;

            @Option(names = "--mapping-name", description = "Windows mapping name overriding the layout's.")
            String mappingName;

            @Option(names = "--fields", split = ",", description = "Only these fields.")
            List<String> fields = List.of();

            @Override
            public Integer call() {
                PrintWriter out = spec.commandLine().getOut();
                PrintWriter err = spec.commandLine().getErr();
                Layout l;
                PageDecoder decoder;
                try {
                    l = Layouts.resolve(layout, Path.of(""));
                    decoder = new PageDecoder(l, fields);
                } catch (LayoutException | IllegalArgumentException e) {
                    err.println(e.getMessage());
                    return 1;
                }
                String posix = path != null ? path : l.path() != null ? l.path() : "/dev/shm/" + l.name();
                try (PageReader reader = new PageReader(l, mappingName != null ? mappingName : l.mappingName(),
                        Path.of(posix), 1000)) {
                    switch (reader.open()) {
                        case ABSENT -> {
                            err.println("simulator not running: " + reader.location() + " not found");
                            return 3;
                        }
                        case TOO_SMALL -> {
                            err.println(reader.location() + " is " + reader.openedSize() + " bytes but layout "
                                    + l.name() + " needs " + l.size());
                            return 1;
                        }
                        case OPEN -> { }
                    }
                    byte[] bytes = new byte[l.size()];
                    if (!reader.snapshot(bytes)) {
                        err.println("the page changed during every one of 1000 copies; try again");
                        return 1;
                    }
                    out.printf("# %s from %s (%d bytes)%n", l.name(), reader.location(), l.size());
                    Map<String, Value> values = decoder.decode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
                    for (Field f : decoder.selected()) {
                        out.printf("%-28s %s%s%n", f.name(), Value.render(values.get(f.name())),
                                f.unit() == null ? "" : " " + f.unit());
                    }
                    return 0;
                } catch (RuntimeException e) {
                    err.println("cannot read " + posix + ": " + e.getMessage());
                    return 1;
                }
            }
        }

        @Command(name = "check", description = "Checks a layout file (overlaps, sizes, types) and prints its fields.",
                mixinStandardHelpOptions = true)
        static final class CheckCmd implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Parameters(paramLabel = "FILE", description = "Layout file (.yaml, .yml or .json).")
            Path file;

            @Override
            public Integer call() {
                try {
                    Layout l = Layouts.resolve(file.toString().matches(".*\\.(ya?ml|json)$") ? file.toString()
                            : file + ".yaml", Path.of(""));
                    printFields(spec.commandLine().getOut(), l);
                    spec.commandLine().getOut().println("OK");
                    return 0;
                } catch (LayoutException e) {
                    spec.commandLine().getErr().println(e.getMessage());
                    return 1;
                }
            }
        }
    }

    /**
     * A simmem connector entry (for {@code connectors:}) with a page per layout, every field listed with its type and
     * unit as comments (delete the fields you do not need; an empty list reads them all).
     */
    static String emitConfig(String command, String connector, String stream, List<String> names, List<Layout> layouts) {
        StringBuilder sb = new StringBuilder();
        sb.append("# written by `").append(command).append("`.\n");
        sb.append("# Paste under `connectors:`; stream '").append(stream).append("' must be defined under `streams:`.\n");
        sb.append("  ").append(connector).append(":\n");
        sb.append("    type: simmem\n");
        sb.append("    stream: ").append(stream).append('\n');
        sb.append("    pages:\n");
        for (int i = 0; i < layouts.size(); i++) {
            Layout l = layouts.get(i);
            sb.append("      - layout: \"").append(names.get(i).replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\"   # ").append(l.description()).append('\n');
            sb.append("        fields:   # delete what you do not need; an empty list reads every field\n");
            for (Field f : l.fields()) {
                sb.append("          - \"").append(f.name()).append("\"   # ").append(f.type())
                        .append(f.unit() == null || f.unit().isEmpty() ? "" : ", " + f.unit()).append('\n');
            }
        }
        return sb.toString();
    }

    static void printFields(PrintWriter out, Layout l) {
        out.printf("# %s: %s%n# %d bytes, Windows %s, POSIX %s, counter %s, refresh %s%n", l.name(), l.description(),
                l.size(), l.mappingName(), l.path(), l.updateCounter().orElse("-"),
                l.refresh().name().toLowerCase(java.util.Locale.ROOT));
        out.printf("%6s %6s  %-16s %-28s %s%n", "OFFSET", "BYTES", "TYPE", "FIELD", "UNIT");
        for (Field f : l.fields()) {
            out.printf("%6d %6d  %-16s %-28s %s%n", f.offset(), f.size(), f.type(), f.name(),
                    f.unit() == null ? "" : f.unit());
        }
    }
}
