package io.sluice.runtime.config;

import io.sluice.runtime.Plugins;
import io.sluice.runtime.route.Glob;
import io.sluice.spi.AssetContext;
import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.ProblemReporter;
import io.sluice.spi.connector.ConnectorFactory;
import io.sluice.spi.destination.DestinationFactory;
import io.sluice.spi.destination.SampleWindow;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads the one YAML file (or the same document as JSON from Greengrass) into a {@link GatewayConfig}. Reports
 * every problem at once, each with file, line, column and key path; throws {@link ConfigException} if any.
 */
public final class ConfigLoader {

    static final Set<String> TOP_LEVEL_KEYS = Set.of("store", "connectors", "streams", "routes", "destinations", "assets", "admin",
            "logging");
    static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final Plugins plugins;
    private final Function<String, String> environment;
    private final boolean checkFiles;
    private final Set<String> ignoredTopLevel;

    public ConfigLoader(Plugins plugins, Function<String, String> environment) {
        this(plugins, environment, false, Set.of());
    }

    private ConfigLoader(Plugins plugins, Function<String, String> environment, boolean checkFiles, Set<String> ignoredTopLevel) {
        this.plugins = plugins;
        this.environment = environment;
        this.checkFiles = checkFiles;
        this.ignoredTopLevel = ignoredTopLevel;
    }

    /**
     * The same loader that accepts and skips these top-level keys, e.g. the recipe-only keys of a Greengrass component
     * configuration ({@code accessControl}, {@code jvmOptions}).
     */
    public ConfigLoader ignoringTopLevelKeys(Set<String> keys) {
        return new ConfigLoader(plugins, environment, checkFiles, Set.copyOf(keys));
    }

    /**
     * The outcome of checking a config: the config (null when there are problems), its problems, and its warnings
     * (things that run but are probably not meant: a stream exported nowhere, an unused destination, a route that
     * matches no connector, a deprecated key).
     */
    public record Report(GatewayConfig config, List<ConfigProblem> problems, List<ConfigProblem> warnings) {
        public Report {
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * The same loader that also checks that every file the config names ({@link io.sluice.spi.config.ExistingFile}
     * keys: certificates, keys, layout files) exists and is readable, as {@code sluice validate} does. A running
     * gateway does not: a destination whose certificate appears later is retried.
     */
    public ConfigLoader checkingFiles() {
        return new ConfigLoader(plugins, environment, true, ignoredTopLevel);
    }

    /** A loader with the plugins on the class path and the process environment. */
    public static ConfigLoader standard() {
        return new ConfigLoader(Plugins.discover(), System::getenv);
    }

    public static GatewayConfig load(Path file) {
        return standard().loadFile(file);
    }

    public static GatewayConfig parse(String yaml, String fileName) {
        return standard().parseText(yaml, fileName);
    }

    public GatewayConfig loadFile(Path file) {
        return parseText(readText(file), file.toString());
    }

    /**
     * The text of a config file, decoded as UTF-8. A file that is missing, unreadable or not UTF-8 is a
     * {@link ConfigException} naming the file and, for a bad byte, its line, column and byte offset.
     */
    static String readText(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw problem(file, 0, 0, "file not found");
        } catch (java.nio.file.AccessDeniedException e) {
            throw problem(file, 0, 0, "cannot read file: permission denied");
        } catch (IOException e) {
            throw problem(file, 0, 0, Files.isDirectory(file) ? "is a directory, not a config file" : "cannot read file: " + e.getMessage());
        }
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult result = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                .decode(in, out, true);
        if (result.isError()) {
            int offset = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            int column = new String(bytes, lineStart, offset - lineStart, StandardCharsets.UTF_8).length() + 1;
            throw problem(file, line, column, String.format("not UTF-8: byte 0x%02X at byte offset %d cannot start or continue "
                    + "a UTF-8 character (save the file as UTF-8)", bytes[offset] & 0xff, offset));
        }
        out.flip();
        String text = out.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static ConfigException problem(Path file, int line, int column, String message) {
        return new ConfigException(List.of(new ConfigProblem(file.toString(), line, column, "", message)));
    }

    public GatewayConfig parseText(String text, String fileName) {
        Report report = check(text, fileName);
        if (!report.problems().isEmpty()) throw new ConfigException(report.problems());
        return report.config();
    }

    /** Reads and checks a file: every problem and every warning at once. A file that cannot be read throws. */
    public Report checkFile(Path file) {
        return check(readText(file), file.toString());
    }

    /** Checks a config text: every problem and every warning at once (YAML syntax errors stop at the first). */
    public Report check(String text, String fileName) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(true); // reported by the binder with a location instead
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            throw new ConfigException(List.of(new ConfigProblem(fileName, mark == null ? 0 : mark.getLine() + 1,
                    mark == null ? 0 : mark.getColumn() + 1, "", "not valid YAML: " + e.getProblem())));
        } catch (RuntimeException e) {
            throw new ConfigException(List.of(new ConfigProblem(fileName, 0, 0, "", "not valid YAML: " + e.getMessage())));
        }
        ConfigBinder binder = new ConfigBinder(fileName, environment);
        GatewayConfig config = bind(root, binder, fileName);
        if (checkFiles) binder.checkFiles();
        return new Report(binder.problems().isEmpty() ? config : null, binder.problems(), binder.warnings());
    }

    private GatewayConfig bind(Node root, ConfigBinder binder, String fileName) {
        Map<String, Node> top = binder.entries(root, "");
        if (top == null) return null;
        for (String key : top.keySet()) {
            if (!TOP_LEVEL_KEYS.contains(key) && !ignoredTopLevel.contains(key)) {
                String suggestion = Names.closest(key, TOP_LEVEL_KEYS);
                binder.problem(ConfigBinder.find(root, key), key, "unknown key '" + key + "'"
                        + (suggestion != null ? " (did you mean '" + suggestion + "'?)" : "; expected one of " + TOP_LEVEL_KEYS));
            }
        }
        StoreConfig store = top.containsKey("store") && !ConfigBinder.isNull(top.get("store"))
                ? binder.bindRecord(top.get("store"), StoreConfig.class, "store", Set.of())
                : StoreConfig.defaults();
        AdminConfig admin = top.containsKey("admin") && !ConfigBinder.isNull(top.get("admin"))
                ? binder.bindRecord(top.get("admin"), AdminConfig.class, "admin", Set.of())
                : AdminConfig.defaults();
        if (admin != null) checkAdmin(root, binder, admin);
        LoggingConfig logging = top.containsKey("logging") && !ConfigBinder.isNull(top.get("logging"))
                ? binder.bindRecord(top.get("logging"), LoggingConfig.class, "logging", Set.of())
                : LoggingConfig.defaults();
        if (logging != null && logging.maxAge().compareTo(Duration.ofDays(1)) < 0) {
            binder.problem(ConfigBinder.find(root, "logging.max-age"), "logging.max-age",
                    "expected at least 1d (log files roll over daily), got " + io.sluice.spi.Durations.format(logging.maxAge()));
        }
        if (logging != null && logging.maxFileSize().bytes() < 1024) {
            binder.problem(ConfigBinder.find(root, "logging.max-file-size"), "logging.max-file-size",
                    "expected at least 1KB, got " + logging.maxFileSize());
        } else if (logging != null && logging.totalSizeCap().bytes() < logging.maxFileSize().bytes()) {
            binder.problem(ConfigBinder.find(root, "logging.total-size-cap"), "logging.total-size-cap", "expected at least "
                    + "`max-file-size` (" + logging.maxFileSize() + "), got " + logging.totalSizeCap());
        }

        Map<String, StreamConfig> streams = new LinkedHashMap<>();
        Map<String, Node> streamNodes = binder.entries(top.get("streams"), "streams");
        if (streamNodes != null) {
            streamNodes.forEach((name, node) -> {
                checkName(binder, node, "streams." + name, name);
                StreamConfig s = binder.bindRecord(node, StreamConfig.class, "streams." + name, Set.of());
                if (s != null) streams.put(name, s);
            });
        }
        @SuppressWarnings("unchecked")
        List<RouteConfig> routes = (List<RouteConfig>) binder.bind(top.get("routes"), listOf(RouteConfig.class), "routes");
        @SuppressWarnings("unchecked")
        List<AssetRule> assets = (List<AssetRule>) binder.bind(top.get("assets"), listOf(AssetRule.class), "assets");

        Map<String, ConnectorInstance> connectors = bindConnectors(top.get("connectors"), binder);
        Map<String, DestinationInstance> destinations = bindDestinations(top.get("destinations"), binder);

        crossCheck(root, binder, streamNodes == null ? Set.of() : streamNodes.keySet(), streams, routes, connectors, destinations);
        ConfigWarnings.find(root, binder, streams, routes, nodes(top.get("connectors")), nodes(top.get("destinations")));
        addDeadLetterStreams(streams, destinations);
        if (!binder.problems().isEmpty()) return null;
        return new GatewayConfig(fileName, store, connectors, streams, routes == null ? List.of() : routes,
                destinations, assets == null ? List.of() : assets, admin, logging);
    }

    private static java.lang.reflect.Type listOf(Class<?> element) {
        return new java.lang.reflect.ParameterizedType() {
            public java.lang.reflect.Type[] getActualTypeArguments() { return new java.lang.reflect.Type[] {element}; }
            public java.lang.reflect.Type getRawType() { return List.class; }
            public java.lang.reflect.Type getOwnerType() { return null; }
        };
    }

    private void checkName(ConfigBinder binder, Node node, String path, String name) {
        if (!NAME.matcher(name).matches()) {
            binder.problem(node, path, "name '" + name + "' must start with a letter or digit and use only letters, digits, '.', '_' and '-'");
        }
    }

    private Map<String, ConnectorInstance> bindConnectors(Node section, ConfigBinder binder) {
        Map<String, ConnectorInstance> result = new LinkedHashMap<>();
        Map<String, Node> nodes = binder.entries(section, "connectors");
        if (nodes == null) return result;
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            String name = e.getKey();
            String path = "connectors." + name;
            Node node = e.getValue();
            checkName(binder, node, path, name);
            ConnectorFactory<?> factory = factoryFor(binder, node, path, plugins.connectors());
            Set<String> commonKeys = ConfigBinder.keysOf(ConnectorCommon.class);
            Set<String> optionKeys = factory == null ? Set.of() : ConfigBinder.keysOf(factory.configType());
            ConnectorCommon common = binder.bindRecord(node, ConnectorCommon.class, path, optionKeys, false);
            if (factory == null) continue;
            Record options = binder.bindRecord(node, factory.configType(), path, commonKeys, true);
            if (options != null) validate(factory, options, binder.reporterFor(node, path));
            else validatePartially(binder, node, path, factory.configType(), commonKeys, (o, r) -> validate(factory, o, r));
            if (common != null && options != null) {
                result.put(name, new ConnectorInstance(name, common.type(), common.stream().orElse("default"), common.enabled(),
                        new AssetContext(common.asset()), options, factory));
            }
        }
        return result;
    }

    private Map<String, DestinationInstance> bindDestinations(Node section, ConfigBinder binder) {
        Map<String, DestinationInstance> result = new LinkedHashMap<>();
        Map<String, Node> nodes = binder.entries(section, "destinations");
        if (nodes == null) return result;
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            String name = e.getKey();
            String path = "destinations." + name;
            Node node = e.getValue();
            checkName(binder, node, path, name);
            DestinationFactory<?> factory = factoryFor(binder, node, path, plugins.destinations());
            Set<String> commonKeys = ConfigBinder.keysOf(DestinationCommon.class);
            Set<String> optionKeys = factory == null ? Set.of() : ConfigBinder.keysOf(factory.configType());
            DestinationCommon common = binder.bindRecord(node, DestinationCommon.class, path, optionKeys, false);
            if (factory == null) continue;
            Record options = binder.bindRecord(node, factory.configType(), path, commonKeys, true);
            if (options != null) validateDestination(factory, options, binder.reporterFor(node, path));
            else validatePartially(binder, node, path, factory.configType(), commonKeys, (o, r) -> validateDestination(factory, o, r));
            SampleWindow window = common == null ? SampleWindow.UNBOUNDED : sampleWindow(binder, node, path, common, factory);
            if (common != null && options != null) {
                result.put(name, new DestinationInstance(name, common.type(), common.enabled(),
                        common.deadLetterStream().orElse(name + "-dead-letter"), common.fallback(), window,
                        common.rate().orElse(RateOverride.NONE),
                        common.maxBackoff(),
                        common.maxCallsInFlight(),
                        common.drainOnStop(), options, factory));
            }
        }
        return result;
    }

    /**
     * The configured {@code max-age} / {@code max-ahead}, each defaulting to the service's own bound; a configured value
     * must be positive ({@code max-ahead} may be 0) and within the service's bound.
     */
    private static SampleWindow sampleWindow(ConfigBinder binder, Node node, String path, DestinationCommon common,
                                             DestinationFactory<?> factory) {
        SampleWindow service = factory.serviceWindow();
        Optional<Duration> maxAge = checkedBound(binder, node, path, "max-age", common.maxAge(), service.maxAge(), false);
        Optional<Duration> maxAhead = checkedBound(binder, node, path, "max-ahead", common.maxAhead(), service.maxAhead(), true);
        return new SampleWindow(maxAge.or(service::maxAge), maxAhead.or(service::maxAhead));
    }

    private static Optional<Duration> checkedBound(ConfigBinder binder, Node node, String path, String key,
                                                   Optional<Duration> configured, Optional<Duration> serviceBound,
                                                   boolean zeroAllowed) {
        if (configured.isEmpty()) return configured;
        Duration d = configured.get();
        boolean tooSmall = d.isNegative() || (!zeroAllowed && d.isZero());
        boolean tooLarge = serviceBound.isPresent() && d.compareTo(serviceBound.get()) > 0;
        if (tooSmall || tooLarge) {
            String range = (zeroAllowed ? "from 0s" : "above 0s")
                    + serviceBound.map(b -> " and at most " + io.sluice.spi.Durations.format(b) + " (the service refuses beyond)").orElse("");
            binder.problem(ConfigBinder.find(node, key), path + "." + key,
                    "expected a duration " + range + ", got " + io.sluice.spi.Durations.format(d));
            return Optional.empty();
        }
        return configured;
    }

    /**
     * A section with a structural problem (a value of the wrong type, a missing key) still gets its factory's semantic
     * checks over the keys that did bind, so one run lists every problem. What broke is bound to a stand-in; checks
     * that report on a broken key (or inside it, or on a section holding it) are dropped, and a check that fails on a
     * stand-in is skipped: its key's problem is already reported.
     */
    private static void validatePartially(ConfigBinder binder, Node node, String path, Class<? extends Record> type,
                                          Set<String> commonKeys,
                                          java.util.function.BiConsumer<Record, ProblemReporter> validation) {
        ConfigBinder scratch = binder.lenient();
        Record partial = scratch.bindRecord(node, type, path, commonKeys, true);
        if (partial == null) return;
        List<String> broken = scratch.problems().stream().map(ConfigProblem::keyPath).toList();
        ProblemReporter strict = binder.reporterFor(node, path);
        ProblemReporter filtered = (relative, message) -> {
            String full = relative.isEmpty() ? path : path + "." + relative;
            for (String b : broken) {
                if (related(full, b) || related(b, full)) return;
            }
            strict.report(relative, message);
        };
        try {
            validation.accept(partial, filtered);
        } catch (RuntimeException e) {
            // a check that needs a value which did not bind; that value's problem is reported already
        }
    }

    /** Whether {@code path} is {@code ancestor} or lies inside it. */
    private static boolean related(String path, String ancestor) {
        return path.equals(ancestor) || path.startsWith(ancestor + ".") || path.startsWith(ancestor + "[");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void validate(ConnectorFactory factory, Record options, ProblemReporter reporter) {
        factory.validate(options, reporter);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void validateDestination(DestinationFactory factory, Record options, ProblemReporter reporter) {
        factory.validate(options, reporter);
    }

    private <F> F factoryFor(ConfigBinder binder, Node node, String path, Map<String, F> factories) {
        Map<String, Node> entries = binder.entries(node, path);
        if (entries == null) return null;
        Node typeNode = entries.get("type");
        if (typeNode == null || !(typeNode instanceof ScalarNode scalar)) {
            binder.problem(typeNode == null ? node : typeNode, path + ".type", "missing required key 'type' (expected one of " + factories.keySet() + ")");
            return null;
        }
        F factory = factories.get(scalar.getValue());
        if (factory == null) {
            String suggestion = Names.closest(scalar.getValue(), factories.keySet());
            binder.problem(typeNode, path + ".type", "unknown type '" + scalar.getValue() + "'"
                    + (suggestion != null ? " (did you mean '" + suggestion + "'?)" : "; expected one of " + factories.keySet()));
        }
        return factory;
    }

    /**
     * The admin endpoint never listens beyond loopback without authentication, and mutual TLS needs a trust store.
     * Decided from the literal address, without a name lookup (validation makes no network calls): only
     * {@code localhost}, {@code 127.x.x.x} and {@code ::1} count as loopback.
     */
    private static void checkAdmin(Node root, ConfigBinder binder, AdminConfig admin) {
        if (admin.off()) return;
        if (admin.auth() == AdminConfig.Auth.NONE && !AdminConfig.isLoopback(admin.host())) {
            binder.problem(ConfigBinder.find(root, "admin.auth"), "admin.auth", "`none` is only allowed when `admin.listen` is a "
                    + "loopback address (127.0.0.1, ::1, localhost), not '" + admin.host() + "'; use `auto`, `token` or `mutual-tls`");
        }
        if (admin.auth() == AdminConfig.Auth.MUTUAL_TLS && admin.tls().flatMap(AdminConfig.AdminTls::clientTrustStore).isEmpty()) {
            binder.problem(ConfigBinder.find(root, "admin.auth"), "admin.auth",
                    "`mutual-tls` needs `admin.tls` with a `client-trust-store` holding the CA of the client certificates");
        }
    }

    private void crossCheck(Node root, ConfigBinder binder, Set<String> streamNames, Map<String, StreamConfig> streams,
                            List<RouteConfig> routes, Map<String, ConnectorInstance> connectors,
                            Map<String, DestinationInstance> destinations) {
        Set<String> destinationNames = new HashSet<>(destinations.keySet());
        Node destinationsNode = ConfigBinder.find(root, "destinations");
        if (destinationsNode != null) destinationNames.addAll(nonNull(binder.entries(destinationsNode, "destinations")).keySet());
        Set<String> allStreams = new LinkedHashSet<>(streamNames);
        destinations.values().forEach(d -> allStreams.add(d.deadLetterStream()));
        for (ConnectorInstance c : connectors.values()) {
            if (!streamNames.contains(c.stream())) {
                String path = "connectors." + c.name() + ".stream";
                Node at = ConfigBinder.find(root, path);
                String suggestion = Names.closest(c.stream(), streamNames);
                binder.problem(at, path, "stream '" + c.stream() + "' is not defined under `streams`"
                        + (suggestion != null ? " (did you mean '" + suggestion + "'?)" : "; defined: " + streamNames));
            }
        }
        if (routes != null) {
            for (int i = 0; i < routes.size(); i++) {
                RouteConfig r = routes.get(i);
                String path = "routes[" + i + "].stream";
                if (!streamNames.contains(r.stream())) {
                    String suggestion = Names.closest(r.stream(), streamNames);
                    binder.problem(ConfigBinder.find(root, path), path, "stream '" + r.stream() + "' is not defined under `streams`"
                            + (suggestion != null ? " (did you mean '" + suggestion + "'?)" : "; defined: " + streamNames));
                }
                try {
                    Glob.compile(r.tags());
                    Glob.compile(r.connector());
                } catch (IllegalArgumentException ex) {
                    binder.problem(ConfigBinder.find(root, "routes[" + i + "]"), "routes[" + i + "]", ex.getMessage());
                }
            }
        }
        streams.forEach((name, s) -> {
            for (int i = 0; i < s.export().size(); i++) {
                String dest = s.export().get(i).destination();
                String path = "streams." + name + ".export[" + i + "].destination";
                if (!destinationNames.contains(dest)) {
                    String suggestion = Names.closest(dest, destinationNames);
                    binder.problem(ConfigBinder.find(root, path), path, "destination '" + dest + "' is not defined under `destinations`"
                            + (suggestion != null ? " (did you mean '" + suggestion + "'?)" : "; defined: " + destinationNames));
                }
            }
        });
        for (DestinationInstance d : destinations.values()) {
            String path = "destinations." + d.name() + ".dead-letter-stream";
            Node at = ConfigBinder.find(root, path);
            boolean explicit = at != ConfigBinder.find(root, "destinations." + d.name());
            if (explicit && !streamNames.contains(d.deadLetterStream())) {
                binder.problem(at, path, "stream '" + d.deadLetterStream() + "' is not defined under `streams`");
            }
        }
        checkFallbacks(root, binder, streamNames, destinationNames, destinations);
    }

    /**
     * A {@code fallback} names another configured destination, the chain of fallbacks it starts has no cycle, and its
     * fallback stream's name is not taken by a configured stream.
     */
    private static void checkFallbacks(Node root, ConfigBinder binder, Set<String> streamNames, Set<String> destinationNames,
                                       Map<String, DestinationInstance> destinations) {
        for (DestinationInstance d : destinations.values()) {
            if (d.fallback().isEmpty()) continue;
            String target = d.fallback().get();
            String path = "destinations." + d.name() + ".fallback";
            Node at = ConfigBinder.find(root, path);
            if (target.equals(d.name())) {
                binder.problem(at, path, "a destination cannot be its own fallback; name another destination");
                continue;
            }
            if (!destinationNames.contains(target)) {
                String suggestion = Names.closest(target, destinationNames);
                binder.problem(at, path, "destination '" + target + "' is not defined under `destinations`"
                        + (suggestion != null ? " (did you mean '" + suggestion + "'?)" : "; defined: " + destinationNames));
                continue;
            }
            List<String> chain = new ArrayList<>(List.of(d.name()));
            String next = target;
            while (next != null && !chain.contains(next)) {
                chain.add(next);
                DestinationInstance n = destinations.get(next);
                next = n == null ? null : n.fallback().orElse(null);
            }
            if (next != null) {
                chain.add(next);
                binder.problem(at, path, "fallbacks form a cycle: " + String.join(" -> ", chain)
                        + "; the last destination of a fallback chain must have none");
                continue;
            }
            if (streamNames.contains(d.fallbackStream())) {
                binder.problem(at, path, "stream '" + d.fallbackStream() + "' is defined under `streams`, but the "
                        + "gateway creates it for this fallback; rename that stream");
            }
        }
    }

    /** The entries of a section, without reporting anything (the binding pass did). */
    private static Map<String, Node> nodes(Node section) {
        if (!(section instanceof org.yaml.snakeyaml.nodes.MappingNode)) return Map.of();
        return nonNull(new ConfigBinder("", k -> null).entries(section, ""));
    }

    private static Map<String, Node> nonNull(Map<String, Node> m) {
        return m == null ? Map.of() : m;
    }

    /**
     * Every destination without an explicit dead-letter stream gets one: kept, never exported, oldest dropped; every
     * destination with a {@code fallback} gets its fallback stream alike, exported to the fallback destination.
     */
    private static void addDeadLetterStreams(Map<String, StreamConfig> streams, Map<String, DestinationInstance> destinations) {
        for (DestinationInstance d : destinations.values()) {
            streams.putIfAbsent(d.deadLetterStream(), new StreamConfig(10, DataSize.ofMegabytes(256), Duration.ofDays(30), Duration.ZERO,
                    StreamConfig.WhenFull.DROP_OLDEST, StreamConfig.Persistence.FILE, List.of()));
            d.fallback().ifPresent(target -> streams.putIfAbsent(d.fallbackStream(), new StreamConfig(10,
                    DataSize.ofMegabytes(256), Duration.ofDays(30), Duration.ZERO, StreamConfig.WhenFull.DROP_OLDEST,
                    StreamConfig.Persistence.FILE, List.of(new StreamConfig.ExportConfig(target, Duration.ZERO, 0)))));
        }
    }

    /** The set of keys allowed at the top of the file. */
    public static Set<String> topLevelKeys() {
        return TOP_LEVEL_KEYS;
    }

    static Optional<Node> child(Node node, String key) {
        return Optional.ofNullable(ConfigBinder.find(node, key));
    }
}
