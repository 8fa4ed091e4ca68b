package io.sluice.connector.opcua;

import io.sluice.connector.opcua.OpcUaConnectorConfig.SecurityMode;
import io.sluice.spi.Durations;
import io.sluice.spi.cli.CliCommand;
import io.sluice.spi.cli.CliExtension;
import io.sluice.spi.config.Secret;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UByte;
import org.eclipse.milo.opcua.stack.core.types.enumerated.NodeClass;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice opcua browse|trust|cert}. */
public final class OpcUaCli implements CliExtension {

    @Override
    public String name() {
        return "opcua";
    }

    @Override
    public CliCommand command() {
        return new OpcUaCommand();
    }

    @Command(name = "opcua", description = "OPC UA tools: browse a server, manage trusted server certificates and the "
            + "gateway's own certificate.",
            mixinStandardHelpOptions = true, subcommands = {BrowseCommand.class, TrustCommand.class, CertCommand.class})
    public static final class OpcUaCommand extends CommandGroup {
    }

    /** Where the PKI folder is: --pki, or the connector's state folder under the data directory. */
    public static final class PkiOptions {
        @Option(names = "--pki", description = "PKI folder (default: <data>/state/connectors/<connector>/pki).")
        Path pki;

        // --data as in `sluice run`; --data-dir is the name of earlier versions
        @Option(names = {"-d", "--data", "--data-dir"}, defaultValue = "./data",
                description = "Gateway data directory (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--connector", defaultValue = "opcua", description = "Connector instance name (default: ${DEFAULT-VALUE}).")
        String connector;

        Path resolve() {
            return pki != null ? pki : dataDir.resolve("state").resolve("connectors").resolve(connector).resolve("pki");
        }
    }

    @Command(name = "browse", mixinStandardHelpOptions = true,
            description = {"Prints the address space as a tree with node ids, data types and access levels.",
                    "With --emit-config, prints a connector entry to paste under `connectors:` instead: one group with "
                            + "every variable below --path (to --depth levels) by nsu= node id, its unit from "
                            + "EngineeringUnits, its data type and access level as comments."},
            footer = {"", "Examples:", "  sluice opcua browse opc.tcp://10.0.0.5:4840 --path /Plant --depth 2",
                    "  sluice opcua browse opc.tcp://10.0.0.5:4840 --path /Plant --depth 3 --emit-config --connector press-4"})
    public static final class BrowseCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", description = "Endpoint URL, e.g. opc.tcp://10.0.0.5:4840")
        String endpoint;

        @Option(names = "--path", defaultValue = "/", description = "Start at this browse path or node id (default: /, the Objects folder).")
        String path;

        @Option(names = "--depth", defaultValue = "3", description = "Levels to print (default: ${DEFAULT-VALUE}).")
        int depth;

        @Option(names = "--security-policy", defaultValue = "none",
                description = "none, basic256sha256, aes128-sha256-rsaoaep, aes256-sha256-rsapss (default: ${DEFAULT-VALUE}).")
        String securityPolicy;

        @Option(names = "--security-mode", description = "none, sign or sign-and-encrypt (default: by policy).")
        String securityMode;

        @Option(names = "--username", description = "User name (password from --password-env).")
        String username;

        @Option(names = "--password-env", description = "Name of the environment variable holding the password.")
        String passwordEnv;

        @Option(names = "--user-certificate", description = "X.509 user identity certificate file.")
        String userCertificate;

        @Option(names = "--user-private-key", description = "X.509 user identity PKCS#8 key file.")
        String userPrivateKey;

        @Option(names = "--trust-all", description = "LAB ONLY: do not check the server certificate.")
        boolean trustAll;

        @Option(names = "--timeout", defaultValue = "10s", description = "Connect and request timeout (default: ${DEFAULT-VALUE}).")
        String timeout;

        @Option(names = "--emit-config", description = "Print a connector entry for the config instead of the tree "
                + "(named by --connector, writing to --stream).")
        boolean emitConfig;

        @Option(names = "--stream", defaultValue = "telemetry", description = "With --emit-config: the stream the connector "
                + "writes to (default: ${DEFAULT-VALUE}).")
        String stream;

        @Option(names = "--max-nodes", defaultValue = "10000", description = "With --emit-config: most variables to list "
                + "(default: ${DEFAULT-VALUE}).")
        int maxNodes;

        @Mixin
        PkiOptions pkiOptions;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Optional<SecurityMode> mode;
            Duration t;
            try {
                mode = Optional.ofNullable(securityMode).map(m -> SecurityMode.valueOf(m.toUpperCase().replace('-', '_')));
                t = Durations.parse(timeout);
            } catch (IllegalArgumentException e) {
                err.println("error: " + e.getMessage());
                return 2;
            }
            Optional<Secret> password = Optional.empty();
            if (passwordEnv != null) {
                String value = System.getenv(passwordEnv);
                if (value == null) {
                    err.println("error: environment variable " + passwordEnv + " is not set");
                    return 2;
                }
                password = Optional.of(new Secret(value));
            }
            List<String> problems = new ArrayList<>();
            OpcUaConnectorFactory.validateConnection(endpoint, securityPolicy, mode, Optional.ofNullable(username), password,
                    Optional.ofNullable(userCertificate), Optional.ofNullable(userPrivateKey),
                    (key, message) -> problems.add(key + ": " + message));
            if (!problems.isEmpty()) {
                problems.forEach(p -> err.println("error: " + p));
                return 2;
            }
            ConnectionOptions options = new ConnectionOptions(endpoint, securityPolicy, mode, Optional.ofNullable(username),
                    password, Optional.ofNullable(userCertificate), Optional.ofNullable(userPrivateKey), pkiOptions.resolve(),
                    trustAll, ConnectionOptions.defaultApplicationUri(), t, t, Duration.ofMinutes(1), Duration.ofSeconds(5),
                    OpcUaConnectorConfig.DEFAULT_MAX_OUTSTANDING_PUBLISH);
            try (OpcUaPki pki = new OpcUaPki(options.pkiDirectory())) {
                OpcUaClient client;
                try {
                    client = OpcUaClients.connect(options, pki);
                } catch (Exception e) {
                    err.println("error: " + e.getMessage());
                    return 1;
                }
                try {
                    if (emitConfig) {
                        NodeId root = Tree.resolve(client, new OpcUaBrowser(client, t), path);
                        var variables = OpcUaConfigEmitter.collect(client, t, root, depth, maxNodes);
                        out.print(OpcUaConfigEmitter.emit("sluice opcua browse " + endpoint + " --path " + path + " --depth "
                                        + depth + " --emit-config",
                                new OpcUaConfigEmitter.Connection(pkiOptions.connector, stream, endpoint, securityPolicy,
                                        Optional.ofNullable(securityMode), Optional.ofNullable(username), Optional.ofNullable(passwordEnv)),
                                OpcUaConfigEmitter.groupName(path), variables));
                        out.flush();
                    } else {
                        new Tree(client, t, out).print(path, depth);
                    }
                    return 0;
                } catch (RuntimeException e) {
                    err.println("error: " + e.getMessage());
                    return 1;
                } finally {
                    OpcUaClients.disconnectQuietly(client, t);
                }
            }
        }
    }

    /** Prints one level at a time, reading DataType, ValueRank and AccessLevel of the variables in one call. */
    static final class Tree {
        private final OpcUaClient client;
        private final OpcUaBrowser browser;
        private final OpcUaValues values;
        private final PrintWriter out;
        private final Map<NodeId, String> typeNames = new HashMap<>();
        private final Duration timeout;

        Tree(OpcUaClient client, Duration timeout, PrintWriter out) {
            this.client = client;
            this.timeout = timeout;
            this.browser = new OpcUaBrowser(client, timeout);
            this.values = new OpcUaValues(client.getNamespaceTable(), client.getStaticEncodingContext());
            this.out = out;
        }

        /** The node a browse starts at: {@code /} (the Objects folder), a node id or a browse path. */
        static NodeId resolve(OpcUaClient client, OpcUaBrowser browser, String start) {
            if (start.equals("/") || start.equals("/Objects")) return NodeIds.ObjectsFolder;
            if (NodeAddress.looksLikeNodeId(start)) {
                var x = NodeAddress.parseNodeId(start);
                return x.toNodeId(client.getNamespaceTable()).orElseThrow(
                        () -> new IllegalArgumentException("the server has no namespace " + x.getNamespaceUri()));
            }
            return browser.resolve(NodeAddress.parseBrowsePath(start));
        }

        void print(String start, int depth) {
            NodeId root = resolve(client, browser, start);
            out.println(start + "  " + values.nodeIdText(root));
            level(root, "  ", depth);
            out.flush();
        }

        private void level(NodeId node, String indent, int depth) {
            if (depth <= 0) return;
            List<OpcUaBrowser.Child> children = browser.children(node);
            List<OpcUaBrowser.Child> variables = children.stream().filter(c -> c.nodeClass() == NodeClass.Variable).toList();
            Map<NodeId, String> details = variableDetails(variables);
            for (OpcUaBrowser.Child c : children) {
                String id = values.nodeIdText(c.nodeId());
                if (c.nodeClass() == NodeClass.Variable) {
                    out.println(indent + c.browseName() + "  " + id + "  " + details.get(c.nodeId()));
                } else {
                    out.println(indent + c.browseName() + "/  " + id);
                    level(c.nodeId(), indent + "  ", depth - 1);
                }
            }
        }

        private Map<NodeId, String> variableDetails(List<OpcUaBrowser.Child> variables) {
            Map<NodeId, String> out = new LinkedHashMap<>();
            if (variables.isEmpty()) return out;
            List<ReadValueId> reads = new ArrayList<>();
            for (OpcUaBrowser.Child v : variables) {
                reads.add(new ReadValueId(v.nodeId(), AttributeId.DataType.uid(), null, QualifiedName.NULL_VALUE));
                reads.add(new ReadValueId(v.nodeId(), AttributeId.ValueRank.uid(), null, QualifiedName.NULL_VALUE));
                reads.add(new ReadValueId(v.nodeId(), AttributeId.AccessLevel.uid(), null, QualifiedName.NULL_VALUE));
            }
            List<DataValue> results = new NodeResolver(client, timeout).readAll(reads);
            for (int i = 0; i < variables.size(); i++) {
                Object type = value(results.get(3 * i));
                Object rank = value(results.get(3 * i + 1));
                Object access = value(results.get(3 * i + 2));
                String typeName = type instanceof NodeId t ? typeName(t) : "?";
                String shape = rank instanceof Integer r && r >= 0 ? "[]" : (rank instanceof Integer r2 && r2 == -2 ? "(any rank)" : "");
                out.put(variables.get(i).nodeId(), typeName + shape + "  " + access(access));
            }
            return out;
        }

        private static Object value(DataValue dv) {
            return dv.value() == null ? null : dv.value().value();
        }

        private String typeName(NodeId type) {
            return typeNames.computeIfAbsent(type, t -> {
                List<DataValue> name = new NodeResolver(client, timeout).readAll(
                        List.of(new ReadValueId(t, AttributeId.BrowseName.uid(), null, QualifiedName.NULL_VALUE)));
                Object v = value(name.get(0));
                return v instanceof QualifiedName q ? q.name() : values.nodeIdText(t);
            });
        }

        private static String access(Object level) {
            if (!(level instanceof UByte b)) return "?";
            int bits = b.intValue();
            boolean read = (bits & 1) != 0;
            boolean write = (bits & 2) != 0;
            String rw = read && write ? "read/write" : read ? "read" : write ? "write" : "none";
            return (bits & 4) != 0 ? rw + ", history" : rw;
        }
    }

    /** A command that only groups subcommands: by itself it prints its usage and exits 2. */
    abstract static class CommandGroup implements Callable<Integer>, CliCommand {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 2;
        }
    }

    /**
     * The frame of the trust and cert commands: {@link #run} does the work, and a failure it throws is one
     * {@code error: } line on standard error and exit code 1.
     */
    abstract static class PkiCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        /** The command's work; returns the exit code. */
        abstract int run() throws Exception;

        /** What follows {@code error: } for a failure of {@link #run}: its message. */
        String describe(Exception e) {
            return e.getMessage();
        }

        @Override
        public final Integer call() {
            try {
                return run();
            } catch (Exception e) {
                err().println("error: " + describe(e));
                return 1;
            }
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        /** Writes {@code bytes} to {@code file} and says so on standard error, or without a file prints {@code text}. */
        void emit(Path file, byte[] bytes, String text) throws java.io.IOException {
            if (file != null) {
                java.nio.file.Files.write(file, bytes);
                err().println("wrote " + file);
            } else {
                out().print(text);
                out().flush();
            }
        }
    }

    @Command(name = "trust", mixinStandardHelpOptions = true,
            description = "Lists server certificates or moves a rejected one to trusted.",
            subcommands = {TrustListCommand.class, TrustAcceptCommand.class})
    public static final class TrustCommand extends CommandGroup {
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the gateway's own certificate and the trusted, issuer and rejected certificates.")
    public static final class TrustListCommand extends PkiCommand {
        @Mixin
        PkiOptions pkiOptions;

        @Override
        int run() throws Exception {
            OpcUaPki pki = new OpcUaPki(pkiOptions.resolve());
            List<OpcUaPki.Entry> entries = pki.list();
            out().println("PKI folder " + pki.root());
            if (entries.isEmpty()) out().println("(no certificates)");
            for (OpcUaPki.Entry e : entries) {
                out().printf("%-9s %s  valid until %s  %s%n", e.state(), e.thumbprint(), e.notAfter(), e.subject());
            }
            out().flush();
            return 0;
        }
    }

    @Command(name = "accept", mixinStandardHelpOptions = true, description = "Moves a rejected server certificate to trusted.")
    public static final class TrustAcceptCommand extends PkiCommand {
        @Parameters(index = "0", description = "Thumbprint (SHA-1, hex; at least 8 leading digits) as shown by 'trust list'.")
        String thumbprint;

        @Mixin
        PkiOptions pkiOptions;

        @Override
        int run() throws Exception {
            OpcUaPki.Entry e = new OpcUaPki(pkiOptions.resolve()).accept(thumbprint);
            out().println("trusted " + e.thumbprint() + "  " + e.subject() + "  -> " + e.file());
            out().flush();
            return 0;
        }

        /** An unknown or ambiguous thumbprint is its message; anything else also names its type. */
        @Override
        String describe(Exception e) {
            return e instanceof IllegalArgumentException ? e.getMessage() : e.toString();
        }
    }

    @Command(name = "cert", mixinStandardHelpOptions = true,
            description = "The gateway's own application instance certificate, which servers must trust: show it, "
                    + "export it, make a certificate signing request for it, import the certificate a CA issued. "
                    + "Generated on first use.",
            subcommands = {CertShowCommand.class, CertExportCommand.class, CertCsrCommand.class, CertImportCommand.class})
    public static final class CertCommand extends CommandGroup {
    }

    /** Options of the cert commands: where the PKI is, and the URI a certificate generated now gets. */
    public static final class OwnCertificateOptions {
        @Mixin
        PkiOptions pkiOptions;

        @Option(names = "--application-uri", description = "Application URI if the certificate is generated now "
                + "(default: urn:sluice:gateway:<host name>; set the connector's application-uri to the same value).")
        String applicationUri;

        OpcUaPki.Identity load() throws Exception {
            return new OpcUaPki(pkiOptions.resolve()).loadOrCreateIdentity(
                    applicationUri != null ? applicationUri : ConnectionOptions.defaultApplicationUri());
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Prints the gateway's certificate: "
            + "thumbprint, subject, application URI, host names, validity and where it is kept.")
    public static final class CertShowCommand extends PkiCommand {
        @Mixin
        OwnCertificateOptions own;

        @Override
        int run() throws Exception {
            OpcUaPki.Identity id = own.load();
            java.security.cert.X509Certificate c = id.certificate();
            List<String> names = new ArrayList<>();
            if (c.getSubjectAlternativeNames() != null) {
                for (List<?> san : c.getSubjectAlternativeNames()) names.add(String.valueOf(san.get(1)));
            }
            PrintWriter out = out();
            out.println("thumbprint  " + OpcUaPki.thumbprint(c) + "  (SHA-1)");
            out.println("subject     " + c.getSubjectX500Principal().getName());
            out.println("issuer      " + c.getIssuerX500Principal().getName());
            out.println("uri         " + id.applicationUri());
            out.println("names       " + String.join(", ", names));
            out.println("valid       " + c.getNotBefore().toInstant() + " .. " + c.getNotAfter().toInstant());
            out.println("key store   " + own.pkiOptions.resolve().resolve("own").resolve("sluice-client.pfx"));
            out.println("Give it to the server: sluice opcua cert export --pem (or --out gateway.der)");
            out.flush();
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Writes the gateway's certificate, for "
            + "the server's trust list: PEM to standard output (--pem), or DER / PEM to a file (--out).")
    public static final class CertExportCommand extends PkiCommand {
        @Mixin
        OwnCertificateOptions own;

        @Option(names = "--pem", description = "PEM (text) instead of DER (binary, what most OPC UA servers take as .der).")
        boolean pem;

        @Option(names = "--out", description = "Write to this file instead of standard output.")
        Path outFile;

        @Override
        int run() throws Exception {
            if (!pem && outFile == null) {
                err().println("error: DER is binary: give --out FILE, or --pem for text on standard output");
                return 2;
            }
            byte[] der = own.load().certificate().getEncoded();
            String text = OpcUaPki.pem("CERTIFICATE", der);
            emit(outFile, pem ? text.getBytes(java.nio.charset.StandardCharsets.US_ASCII) : der, text);
            return 0;
        }
    }

    @Command(name = "csr", mixinStandardHelpOptions = true, description = "Prints a PKCS#10 certificate signing "
            + "request (PEM) for the gateway's key, with its subject and application URI, for a CA that issues the "
            + "plant's OPC UA certificates.")
    public static final class CertCsrCommand extends PkiCommand {
        @Mixin
        OwnCertificateOptions own;

        @Option(names = "--out", description = "Write to this file instead of standard output.")
        Path outFile;

        @Override
        int run() throws Exception {
            String csr = OpcUaPki.certificateSigningRequestPem(own.load());
            emit(outFile, csr.getBytes(java.nio.charset.StandardCharsets.UTF_8), csr);
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Replaces the gateway's certificate with one "
            + "a CA issued for its key (from 'cert csr'): PEM, optionally followed by the CA chain, or DER. The key stays; "
            + "servers must then trust the new certificate or its CA. A running connector uses it from its next session.")
    public static final class CertImportCommand extends PkiCommand {
        @Parameters(index = "0", description = "The issued certificate file.")
        Path file;

        @Mixin
        PkiOptions pkiOptions;

        @Override
        int run() throws Exception {
            OpcUaPki.Identity id = new OpcUaPki(pkiOptions.resolve()).importCertificate(file);
            out().println("imported " + OpcUaPki.thumbprint(id.certificate()) + "  "
                    + id.certificate().getSubjectX500Principal().getName() + "  issued by "
                    + id.certificate().getIssuerX500Principal().getName());
            out().flush();
            return 0;
        }

        /** A certificate that does not fit, or a file that cannot be read, is its message; anything else names its type. */
        @Override
        String describe(Exception e) {
            return e instanceof IllegalArgumentException || e instanceof java.io.IOException ? e.getMessage() : e.toString();
        }
    }
}
