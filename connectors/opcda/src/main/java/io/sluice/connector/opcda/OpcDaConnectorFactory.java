package io.sluice.connector.opcda;

import io.sluice.connector.opcda.dcom.JiSessionFactory;
import io.sluice.spi.config.ProblemReporter;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/** {@code type: opcda}. */
public final class OpcDaConnectorFactory implements ConnectorFactory<OpcDaConnectorConfig> {

    static final Duration MIN_UPDATE_RATE = Duration.ofMillis(10);

    @Override
    public String type() {
        return "opcda";
    }

    @Override
    public String description() {
        return "Classic OPC DA servers over DCOM (j-Interop): subscriptions with polling fallback, browsing, reconnect";
    }

    @Override
    public Class<OpcDaConnectorConfig> configType() {
        return OpcDaConnectorConfig.class;
    }

    @Override
    public void validate(OpcDaConnectorConfig c, ProblemReporter problems) {
        if (c.host() == null || c.host().isBlank()) {
            problems.report("host", "expected the host name or IP address of the OPC server machine, got an empty string");
        }
        if (c.user() == null || c.user().isBlank()) {
            problems.report("user", "expected a Windows user name; DCOM needs an authenticated user");
        }
        if (c.password() == null || c.password().isEmpty()) {
            problems.report("password", "expected the user's password (write ${env:NAME}), got an empty value");
        }
        if (c.progId().isPresent() == c.clsid().isPresent()) {
            problems.report(c.progId().isPresent() ? "clsid" : "prog-id",
                    "set exactly one of prog-id and clsid" + (c.progId().isPresent() ? " (both are set)" : " (neither is set)"));
        }
        c.progId().ifPresent(p -> check(problems, "prog-id", () -> ServerId.parseProgId(p)));
        c.clsid().ifPresent(p -> check(problems, "clsid", () -> ServerId.parseClsid(p)));
        positive(problems, "socket-timeout", c.socketTimeout());
        positive(problems, "status-interval", c.statusInterval());
        positive(problems, "reconnect-min-delay", c.reconnectMinDelay());
        if (c.reconnectMaxDelay().compareTo(c.reconnectMinDelay()) < 0) {
            problems.report("reconnect-max-delay", "must not be shorter than reconnect-min-delay ("
                    + fmt(c.reconnectMinDelay()) + "), got " + fmt(c.reconnectMaxDelay()));
        }
        if (c.acquisition() == OpcDaConnectorConfig.Acquisition.AUTO) {
            positive(problems, "callback-timeout", c.callbackTimeout());
        }
        if (c.itemRetryInterval().isNegative()) {
            problems.report("item-retry-interval", "must not be negative (0s disables retries), got " + fmt(c.itemRetryInterval()));
        }
        c.dateZone().ifPresent(z -> {
            try {
                java.time.ZoneId.of(z);
            } catch (java.time.DateTimeException e) {
                problems.report("date-zone", "expected a time zone such as Europe/Berlin or UTC, got '" + z + "'");
            }
        });
        List<OpcDaConnectorConfig.Group> groups = c.groups() == null ? List.of() : c.groups();
        if (groups.isEmpty()) {
            problems.report("groups", "expected at least one group with items or browse rules");
        }
        Map<String, Integer> groupNames = new HashMap<>();
        Map<String, String> tags = new HashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            OpcDaConnectorConfig.Group group = groups.get(g);
            String gp = "groups[" + g + "]";
            if (group.name() == null || group.name().isBlank()) {
                problems.report(gp + ".name", "expected a group name, got an empty string");
            } else {
                Integer previous = groupNames.putIfAbsent(group.name(), g);
                if (previous != null) {
                    problems.report(gp + ".name", "group name '" + group.name() + "' is already used by groups[" + previous + "]");
                }
            }
            if (group.updateRate().compareTo(MIN_UPDATE_RATE) < 0) {
                problems.report(gp + ".update-rate", "expected at least 10ms, got " + fmt(group.updateRate()));
            }
            List<OpcDaConnectorConfig.Item> items = group.items() == null ? List.of() : group.items();
            List<OpcDaConnectorConfig.Browse> browse = group.browse() == null ? List.of() : group.browse();
            if (items.isEmpty() && browse.isEmpty()) {
                problems.report(gp, "a group needs items or browse rules");
            }
            for (int i = 0; i < items.size(); i++) {
                OpcDaConnectorConfig.Item item = items.get(i);
                String ip = gp + ".items[" + i + "]";
                if (item.itemId() == null || item.itemId().isBlank()) {
                    problems.report(ip + ".item-id", "expected an ItemID, got an empty string");
                    continue;
                }
                String tag = item.tag().orElse(item.itemId());
                if (tag.isBlank()) {
                    problems.report(ip + ".tag", "expected a tag name, got an empty string");
                    continue;
                }
                String previous = tags.putIfAbsent(tag, ip);
                if (previous != null) {
                    problems.report(item.tag().isPresent() ? ip + ".tag" : ip + ".item-id",
                            "tag '" + tag + "' is already produced by " + previous + "; give one of them a distinct tag");
                }
            }
            for (int b = 0; b < browse.size(); b++) {
                OpcDaConnectorConfig.Browse rule = browse.get(b);
                String bp = gp + ".browse[" + b + "]";
                regex(problems, bp + ".include", rule.include());
                rule.exclude().ifPresent(x -> regex(problems, bp + ".exclude", x));
                List<String> path = rule.path() == null ? List.of() : rule.path();
                for (int p = 0; p < path.size(); p++) {
                    if (path.get(p) == null || path.get(p).isEmpty()) {
                        problems.report(bp + ".path[" + p + "]", "expected a branch name, got an empty string");
                    }
                }
                if (rule.mode() == OpcDaConnectorConfig.BrowseMode.FLAT && !path.isEmpty()) {
                    problems.report(bp + ".path", "a flat browse has no branches; remove path or use mode hierarchical");
                }
            }
        }
    }

    @Override
    public Connector create(String name, OpcDaConnectorConfig config) {
        return new OpcDaConnector(name, config, new JiSessionFactory());
    }

    private static void positive(ProblemReporter problems, String key, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            problems.report(key, "expected a positive duration such as 10s, got " + (d == null ? "nothing" : fmt(d)));
        }
    }

    private static String fmt(Duration d) {
        return d.isNegative() ? "-" + io.sluice.spi.Durations.format(d.negated()) : io.sluice.spi.Durations.format(d);
    }

    private static void regex(ProblemReporter problems, String key, String regex) {
        try {
            java.util.regex.Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            problems.report(key, "expected a regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
    }

    private static void check(ProblemReporter problems, String key, Runnable parse) {
        try {
            parse.run();
        } catch (IllegalArgumentException e) {
            problems.report(key, e.getMessage());
        }
    }
}
