package io.sluice.connector.opcda.cli;

import io.sluice.spi.cli.CliCommand;
import io.sluice.connector.opcda.AddressSpaceWalker;
import io.sluice.connector.opcda.OpcDaConnectorConfig;
import io.sluice.connector.opcda.OpcDaServerSession;
import io.sluice.connector.opcda.OpcDaSessionFactory;
import io.sluice.connector.opcda.ServerId;
import io.sluice.connector.opcda.dcom.JiSessionFactory;
import io.sluice.connector.opcda.dcom.OpcEnumClient;
import io.sluice.spi.SluiceException;
import io.sluice.spi.config.Secret;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice opcda servers|browse}: look at a DCOM host before writing the connector config. */
@Command(name = "opcda", description = "Inspect classic OPC DA servers over DCOM", mixinStandardHelpOptions = true,
        subcommands = {OpcDaCommand.Servers.class, OpcDaCommand.Browse.class})
public final class OpcDaCommand implements Callable<Integer>, CliCommand {

    final OpcDaSessionFactory sessions;

    @Spec
    CommandSpec spec;

    public OpcDaCommand() {
        this(new JiSessionFactory());
    }

    /** With another session factory (tests). */
    public OpcDaCommand(OpcDaSessionFactory sessions) {
        this.sessions = sessions;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    /** Connection options shared by the subcommands. */
    static final class Logon {
        @Option(names = "--host", required = true, description = "Host running the OPC server")
        String host;

        @Option(names = "--domain", defaultValue = "", description = "Windows domain (machine name for a local account)")
        String domain;

        @Option(names = "--user", required = true, description = "Windows user")
        String user;

        @Option(names = "--password-env", defaultValue = "SLUICE_OPCDA_PASSWORD",
                description = "Environment variable holding the password (default: ${DEFAULT-VALUE})")
        String passwordEnv;

        @Option(names = "--password", interactive = true, arity = "0..1",
                description = "Prompt for the password instead of reading --password-env")
        char[] password;

        @Option(names = "--timeout", defaultValue = "10s", converter = DurationConverter.class,
                description = "DCOM socket timeout (default: ${DEFAULT-VALUE})")
        Duration timeout;

        @Option(names = "--session-security", description = "Sign and seal DCOM traffic (see the connector README)")
        boolean sessionSecurity;

        Secret secret() {
            if (password != null && password.length > 0) return new Secret(new String(password));
            String env = System.getenv(passwordEnv);
            if (env == null || env.isEmpty()) {
                throw new SluiceException("no password: set " + passwordEnv + " or pass --password to be prompted", false);
            }
            return new Secret(env);
        }

        OpcDaSessionFactory.ConnectionSettings settings(ServerId server, OpcDaConnectorConfig.ProgIdResolution resolution) {
            return new OpcDaSessionFactory.ConnectionSettings(host, domain, user, secret(), server, resolution, timeout,
                    sessionSecurity, "sluice-cli", 0, java.time.ZoneId.systemDefault());
        }
    }

    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return io.sluice.spi.Durations.parse(value);
        }
    }

    @Command(name = "servers", mixinStandardHelpOptions = true, description = "List the OPC DA servers OPCEnum knows on a host")
    static final class Servers implements Callable<Integer> {
        @Mixin
        Logon logon;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            var settings = logon.settings(new ServerId.Clsid("00000000-0000-0000-0000-000000000000"),
                    OpcDaConnectorConfig.ProgIdResolution.OPCENUM);
            var session = io.sluice.connector.opcda.dcom.JiSessions.open(settings);
            try {
                List<OpcEnumClient.ServerInfo> servers = new OpcEnumClient(session, logon.host).servers();
                if (servers.isEmpty()) {
                    out.println("OPCEnum on " + logon.host + " lists no OPC DA servers");
                }
                for (OpcEnumClient.ServerInfo s : servers) {
                    out.printf("%-40s {%s}  %s  %s%n", s.progId(), s.clsid(), String.join(",", s.specifications()), s.description());
                }
                out.flush();
                return 0;
            } finally {
                io.sluice.connector.opcda.dcom.JiSessions.close(session);
            }
        }
    }

    @Command(name = "browse", mixinStandardHelpOptions = true, description = "Print a server's item tree")
    static final class Browse implements Callable<Integer> {
        @Mixin
        Logon logon;

        @Option(names = "--progid", description = "ProgID, e.g. Matrikon.OPC.Simulation.1")
        String progId;

        @Option(names = "--clsid", description = "CLSID instead of a ProgID")
        String clsid;

        @Option(names = "--resolve", defaultValue = "opcenum", description = "ProgID resolution: opcenum or registry (default: ${DEFAULT-VALUE})")
        String resolve;

        @Option(names = "--path", split = "/", description = "Start branch, names separated by '/' (e.g. 'Simulation Items/Random')")
        List<String> path = new ArrayList<>();

        @Option(names = "--flat", description = "One flat listing (OPC_FLAT) instead of walking branches")
        boolean flat;

        @Option(names = "--filter", defaultValue = "", description = "Server-side leaf filter, e.g. *Real*")
        String filter;

        @Option(names = "--max-depth", defaultValue = "8", description = "Levels to descend (default: ${DEFAULT-VALUE})")
        int maxDepth;

        @Option(names = "--max-items", defaultValue = "5000", description = "Stop after this many items (default: ${DEFAULT-VALUE})")
        int maxItems;

        @Option(names = "--access-paths", description = "Also list each item's access paths")
        boolean accessPaths;

        @Option(names = "--emit-config", description = "Print a connector entry to paste under `connectors:` instead of the "
                + "tree: one group with every item found (named by --connector, writing to --stream)")
        boolean emitConfig;

        @Option(names = "--connector", defaultValue = "opcda", description = "With --emit-config: the connector's name (default: ${DEFAULT-VALUE})")
        String connectorName;

        @Option(names = "--stream", defaultValue = "telemetry", description = "With --emit-config: its stream (default: ${DEFAULT-VALUE})")
        String stream;

        @picocli.CommandLine.ParentCommand
        OpcDaCommand parent;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if ((progId == null) == (clsid == null)) {
                spec.commandLine().getErr().println("give exactly one of --progid and --clsid");
                return 2;
            }
            ServerId server = clsid != null ? ServerId.parse(clsid) : ServerId.parse(progId);
            OpcDaConnectorConfig.ProgIdResolution resolution = OpcDaConnectorConfig.ProgIdResolution.valueOf(resolve.toUpperCase(java.util.Locale.ROOT));
            try (OpcDaServerSession session = parent.sessions.open(logon.settings(server, resolution))) {
                OpcDaServerSession.Browser browser = session.browser();
                if (emitConfig) return emit(browser, out);
                int[] count = {0};
                AddressSpaceWalker.walk(browser, path, flat ? OpcDaConnectorConfig.BrowseMode.FLAT : OpcDaConnectorConfig.BrowseMode.AUTO,
                        filter, maxDepth, new AddressSpaceWalker.Visitor() {
                            @Override
                            public boolean branch(List<String> at, String name) {
                                out.println("  ".repeat(at.size()) + name + "/");
                                return true;
                            }

                            @Override
                            public boolean leaf(List<String> at, String name, String itemId) {
                                if (count[0]++ >= maxItems) {
                                    out.println("... stopped at --max-items " + maxItems);
                                    return false;
                                }
                                String line = "  ".repeat(at.size()) + name + (name.equals(itemId) ? "" : "  [" + itemId + "]");
                                if (accessPaths) {
                                    List<String> paths = browser.accessPaths(itemId);
                                    if (!paths.isEmpty()) line += "  access paths: " + String.join(", ", paths);
                                }
                                out.println(line);
                                return true;
                            }
                        });
                out.println(Math.min(count[0], maxItems) + " items");
                out.flush();
                return 0;
            }
        }

        private int emit(OpcDaServerSession.Browser browser, PrintWriter out) {
            List<OpcDaConfigEmitter.Item> items = new ArrayList<>();
            AddressSpaceWalker.walk(browser, path, flat ? OpcDaConnectorConfig.BrowseMode.FLAT : OpcDaConnectorConfig.BrowseMode.AUTO,
                    filter, maxDepth, new AddressSpaceWalker.Visitor() {
                        @Override
                        public boolean branch(List<String> at, String name) {
                            return true;
                        }

                        @Override
                        public boolean leaf(List<String> at, String name, String itemId) {
                            if (items.size() >= maxItems) return false;
                            items.add(new OpcDaConfigEmitter.Item(List.copyOf(at), name, itemId));
                            return true;
                        }
                    });
            String command = "sluice opcda browse --host " + logon.host + (progId != null ? " --progid " + progId : " --clsid " + clsid)
                    + (path.isEmpty() ? "" : " --path '" + String.join("/", path) + "'") + " --emit-config";
            try {
                out.print(OpcDaConfigEmitter.emit(command, new OpcDaConfigEmitter.Connection(connectorName, stream, logon.host,
                        logon.domain, logon.user, logon.passwordEnv, java.util.Optional.ofNullable(progId),
                        java.util.Optional.ofNullable(clsid), resolve.toLowerCase(java.util.Locale.ROOT), logon.sessionSecurity),
                        OpcDaConfigEmitter.groupName(path), items));
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return 1;
            }
            out.flush();
            return 0;
        }
    }
}
