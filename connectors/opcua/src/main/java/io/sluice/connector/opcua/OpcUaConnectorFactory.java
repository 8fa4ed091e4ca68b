package io.sluice.connector.opcua;

import io.sluice.connector.opcua.OpcUaConnectorConfig.AcquisitionMode;
import io.sluice.connector.opcua.OpcUaConnectorConfig.DeadbandType;
import io.sluice.connector.opcua.OpcUaConnectorConfig.EuRange;
import io.sluice.connector.opcua.OpcUaConnectorConfig.FolderSpec;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeSpec;
import io.sluice.connector.opcua.OpcUaConnectorConfig.SecurityMode;
import io.sluice.spi.Durations;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorFactory;
import io.sluice.spi.config.ProblemReporter;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The {@code opcua} connector type. */
public final class OpcUaConnectorFactory implements ConnectorFactory<OpcUaConnectorConfig> {

    private static final Pattern ENDPOINT = Pattern.compile("opc\\.tcp://(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9._-]+)(:\\d{1,5})?(/.*)?");

    @Override
    public String type() {
        return "opcua";
    }

    @Override
    public String description() {
        return "OPC UA client (Eclipse Milo): subscriptions or polling, secured sessions, browse-path and folder discovery";
    }

    @Override
    public Class<OpcUaConnectorConfig> configType() {
        return OpcUaConnectorConfig.class;
    }

    @Override
    public Connector create(String name, OpcUaConnectorConfig config) {
        return new OpcUaConnector(name, config);
    }

    @Override
    public void validate(OpcUaConnectorConfig c, ProblemReporter problems) {
        validateConnection(c.endpoint(), c.securityPolicy(), c.securityMode(), c.username(), c.password(),
                c.userCertificate(), c.userPrivateKey(), problems);
        if (c.reconnectMinDelay().isNegative() || c.reconnectMinDelay().isZero()) {
            problems.report("reconnect-min-delay", "must be greater than 0, got " + Durations.format(c.reconnectMinDelay()));
        }
        if (c.reconnectMaxDelay().compareTo(c.reconnectMinDelay()) < 0) {
            problems.report("reconnect-max-delay", "must not be shorter than reconnect-min-delay");
        }
        positive(c.requestTimeout(), "request-timeout", problems);
        positive(c.connectTimeout(), "connect-timeout", problems);
        positive(c.keepAliveInterval(), "keep-alive-interval", problems);
        if (c.sessionTimeout().compareTo(Duration.ofSeconds(10)) < 0) {
            problems.report("session-timeout", "must be at least 10s, got " + Durations.format(c.sessionTimeout()));
        }
        if (c.groups().isEmpty()) {
            problems.report("groups", "at least one node group is required (nodes or folders to read)");
        }
        Set<String> groupNames = new HashSet<>();
        Set<String> explicitTags = new HashSet<>();
        for (int g = 0; g < c.groups().size(); g++) {
            NodeGroup group = c.groups().get(g);
            String gp = "groups[" + g + "]";
            if (!groupNames.add(group.name())) {
                problems.report(gp + ".name", "group name '" + group.name() + "' is used twice; give each group its own name");
            }
            validateGroup(group, gp, explicitTags, problems);
        }
    }

    /** Checks shared by the connector and the CLI's connection options. */
    static void validateConnection(String endpoint, String policy, Optional<SecurityMode> mode, Optional<String> username,
                                   Optional<?> password, Optional<String> userCertificate, Optional<String> userKey,
                                   ProblemReporter problems) {
        if (endpoint == null || !endpoint.contains("://")) {
            problems.report("endpoint", "expected an opc.tcp:// URL such as opc.tcp://10.0.0.5:4840, got '" + endpoint
                    + "' (the scheme opc.tcp:// is missing)");
        } else if (!endpoint.startsWith("opc.tcp://")) {
            problems.report("endpoint", "only the opc.tcp:// scheme is supported, got '" + endpoint + "'");
        } else if (!ENDPOINT.matcher(endpoint).matches()) {
            problems.report("endpoint", "expected opc.tcp://<host>[:<port>][/<path>], got '" + endpoint + "'");
        } else {
            int colon = endpoint.indexOf(':', "opc.tcp://".length());
            if (colon > 0 && !endpoint.startsWith("opc.tcp://[")) {
                int end = endpoint.indexOf('/', colon);
                int port = Integer.parseInt(endpoint.substring(colon + 1, end < 0 ? endpoint.length() : end));
                if (port < 1 || port > 65535) problems.report("endpoint", "port must be 1..65535, got " + port);
            }
        }
        String canonical = NodeAddress.canonicalPolicy(policy);
        if (canonical == null) {
            problems.report("security-policy", "unknown security policy '" + policy + "'; expected one of "
                    + String.join(", ", NodeAddress.POLICIES));
        } else if (mode.isPresent()) {
            if (canonical.equals("none") && mode.get() != SecurityMode.NONE) {
                problems.report("security-mode", "security-mode " + kebab(mode.get()) + " needs a security-policy other than none");
            } else if (!canonical.equals("none") && mode.get() == SecurityMode.NONE) {
                problems.report("security-mode", "security-mode none cannot be used with security-policy " + canonical
                        + "; use sign or sign-and-encrypt");
            }
        }
        if (username.isPresent() && password.isEmpty()) {
            problems.report("password", "username is set but password is missing (write password: ${env:NAME})");
        }
        if (password.isPresent() && username.isEmpty()) {
            problems.report("username", "password is set but username is missing");
        }
        if (username.isPresent() && userCertificate.isPresent()) {
            problems.report("user-certificate", "choose one user identity: username/password or user-certificate, not both");
        }
        if (userCertificate.isPresent() != userKey.isPresent()) {
            problems.report(userCertificate.isPresent() ? "user-private-key" : "user-certificate",
                    "user-certificate and user-private-key must be given together");
        }
    }

    private static void validateGroup(NodeGroup group, String gp, Set<String> explicitTags, ProblemReporter problems) {
        if (group.nodes().isEmpty() && group.folders().isEmpty()) {
            problems.report(gp, "the group has neither nodes nor folders");
        }
        if (group.mode() == AcquisitionMode.SUBSCRIPTION && group.publishingInterval().compareTo(Duration.ofMillis(10)) < 0) {
            problems.report(gp + ".publishing-interval", "must be at least 10ms, got " + Durations.format(group.publishingInterval()));
        }
        if (group.mode() == AcquisitionMode.POLLING && group.pollInterval().compareTo(Duration.ofMillis(10)) < 0) {
            problems.report(gp + ".poll-interval", "must be at least 10ms, got " + Durations.format(group.pollInterval()));
        }
        group.samplingInterval().ifPresent(s -> {
            if (s.isNegative()) problems.report(gp + ".sampling-interval", "must not be negative");
        });
        validateDeadband(group.deadbandType(), group.deadband(), group.euRange(), group.mode(), gp, problems, true);
        // a node is read once per group: the same node id, or the same browse path, twice is refused here (a node id
        // and a browse path that lead to the same node can only be found on the server, which reports it at run time)
        Map<Object, String> seen = new HashMap<>();
        for (int n = 0; n < group.nodes().size(); n++) {
            NodeSpec node = group.nodes().get(n);
            String np = gp + ".nodes[" + n + "]";
            if (node.nodeId().isPresent() == node.browsePath().isPresent()) {
                problems.report(np, "give exactly one of node-id or browse-path");
            }
            node.nodeId().ifPresent(id -> {
                try {
                    String first = seen.putIfAbsent(NodeAddress.parseNodeId(id), np);
                    if (first != null) {
                        problems.report(np + ".node-id", "node " + id.trim() + " is already in this group as " + first
                                + "; a node is read once per group");
                    }
                } catch (IllegalArgumentException e) {
                    problems.report(np + ".node-id", e.getMessage());
                }
            });
            node.browsePath().ifPresent(path -> {
                try {
                    String first = seen.putIfAbsent(NodeAddress.parseBrowsePath(path), np);
                    if (first != null) {
                        problems.report(np + ".browse-path", "browse path " + path.trim() + " is already in this group as "
                                + first + "; a node is read once per group");
                    }
                } catch (IllegalArgumentException e) {
                    problems.report(np + ".browse-path", e.getMessage());
                }
            });
            node.tag().ifPresent(tag -> {
                if (tag.isBlank()) problems.report(np + ".tag", "must not be empty");
                else if (!explicitTags.add(group.tagPrefix() + tag)) {
                    problems.report(np + ".tag", "tag '" + group.tagPrefix() + tag + "' is used by another node");
                }
            });
            node.queueSize().ifPresent(q -> {
                if (q < 1) problems.report(np + ".queue-size", "must be at least 1, got " + q);
            });
            node.samplingInterval().ifPresent(s -> {
                if (s.isNegative()) problems.report(np + ".sampling-interval", "must not be negative");
            });
            if (node.deadbandType().isPresent() || node.deadband().isPresent() || node.euRange().isPresent()) {
                DeadbandType type = node.deadbandType().orElse(group.deadbandType());
                double value = node.deadband().orElse(group.deadband());
                Optional<EuRange> range = node.euRange().isPresent() ? node.euRange() : group.euRange();
                validateDeadband(type, value, range, group.mode(), np, problems, false);
            }
        }
        for (int f = 0; f < group.folders().size(); f++) {
            FolderSpec folder = group.folders().get(f);
            String fp = gp + ".folders[" + f + "]";
            try {
                if (NodeAddress.looksLikeNodeId(folder.root())) NodeAddress.parseNodeId(folder.root());
                else NodeAddress.parseBrowsePath(folder.root());
            } catch (IllegalArgumentException e) {
                problems.report(fp + ".root", e.getMessage());
            }
            patterns(folder.include(), fp + ".include", problems);
            patterns(folder.exclude(), fp + ".exclude", problems);
        }
    }

    private static void patterns(List<String> globs, String path, ProblemReporter problems) {
        for (int i = 0; i < globs.size(); i++) {
            try {
                NodeAddress.glob(globs.get(i));
            } catch (RuntimeException e) {
                problems.report(path + "[" + i + "]", "invalid pattern '" + globs.get(i) + "': " + e.getMessage());
            }
        }
    }

    private static void validateDeadband(DeadbandType type, double value, Optional<EuRange> range, AcquisitionMode mode,
                                         String path, ProblemReporter problems, boolean groupLevel) {
        String prefix = path + (groupLevel ? "." : ".");
        if (value < 0) problems.report(prefix + "deadband", "must not be negative, got " + value);
        if (type == DeadbandType.NONE && value != 0) {
            problems.report(prefix + "deadband", "a deadband value is set but deadband-type is none; set deadband-type absolute or percent");
        }
        if (type == DeadbandType.PERCENT) {
            if (value > 100) problems.report(prefix + "deadband", "a percent deadband must be 0..100, got " + value);
            if (mode == AcquisitionMode.POLLING && range.isEmpty()) {
                problems.report(prefix + "deadband-type", "deadband-type percent needs the node's EURange: polling groups "
                        + "apply the deadband in the gateway, so give eu-range: {low: ..., high: ...}");
            }
        }
        range.ifPresent(r -> {
            if (!(r.high() > r.low())) problems.report(prefix + "eu-range", "high must be greater than low, got " + r.low() + ".." + r.high());
            if (mode == AcquisitionMode.SUBSCRIPTION) {
                problems.report(prefix + "eu-range", "eu-range is only used by polling groups; subscriptions use the "
                        + "EURange property the server publishes for the node");
            }
        });
    }

    private static void positive(Duration d, String key, ProblemReporter problems) {
        if (d.isNegative() || d.isZero()) problems.report(key, "must be greater than 0, got " + d);
    }

    static String kebab(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
