package io.sluice.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.gateway.greengrass.ComponentConfiguration;
import io.sluice.rigs.greengrass.TopicPolicies;
import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.ConnectorInstance;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.config.RouteConfig;
import io.sluice.runtime.config.StreamConfig;
import io.sluice.spi.config.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.Yaml;

/**
 * Parses every recipe of the GDK project folder (target/greengrass, versions filled in by Maven) and checks what a
 * deployment would trip over: required fields, the default configuration passing the same validation as
 * {@code sluice validate}, IPC access control covering every topic that configuration publishes to, and the artifact
 * being the jar the gateway module builds.
 */
class RecipeTest {

    private static final Path RECIPES = Path.of(System.getProperty("sluice.recipes.dir", "target/greengrass"));
    private static final String VERSION = System.getProperty("sluice.version", "0.1.0-SNAPSHOT");
    private static final Path GATEWAY = Path.of(System.getProperty("sluice.gateway.dir", "../components/gateway"));
    private static final String JAR = "sluice.jar";
    /** The largest drain-on-stop that leaves room for the rest of a stop inside the nucleus's 5 s grace. */
    private static final java.time.Duration STOP_BUDGET = java.time.Duration.ofSeconds(2);

    private static final String MQTT_PROXY = "aws.greengrass.ipc.mqttproxy";
    private static final String PUBSUB = "aws.greengrass.ipc.pubsub";

    static List<Path> recipes() throws IOException {
        try (Stream<Path> files = Files.list(RECIPES)) {
            return files.filter(p -> p.getFileName().toString().matches("(.+\\.)?recipe\\.(yaml|yml)")).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(Path recipe) throws IOException {
        Object doc = new Yaml().load(Files.readString(recipe));
        return assertInstanceOf(Map.class, doc, recipe + " is not a YAML mapping");
    }

    @Test
    void thereIsARecipe() throws IOException {
        assertFalse(recipes().isEmpty(), "no recipe in " + RECIPES.toAbsolutePath());
    }

    @TestFactory
    Stream<DynamicContainer> everyRecipe() throws IOException {
        return recipes().stream().map(path -> DynamicContainer.dynamicContainer(path.getFileName().toString(), Stream.of(
                DynamicTest.dynamicTest("required fields", () -> requiredFields(load(path))),
                DynamicTest.dynamicTest("default configuration passes validation", () -> defaultConfigurationIsValid(load(path))),
                DynamicTest.dynamicTest("access control covers every topic", () -> accessControlCoversTopics(load(path))),
                DynamicTest.dynamicTest("artifact is the built jar", () -> artifactIsTheBuiltJar(load(path))))));
    }

    // ------------------------------------------------------------------ required fields

    private static void requiredFields(Map<String, Object> recipe) {
        assertEquals("2020-01-25", recipe.get("RecipeFormatVersion"));
        String name = text(recipe, "ComponentName");
        assertTrue(name.matches("[A-Za-z0-9][A-Za-z0-9._-]*"), "ComponentName " + name);
        assertEquals(VERSION, text(recipe, "ComponentVersion"), "ComponentVersion must be the POM version, filled in by Maven");
        text(recipe, "ComponentDescription");
        text(recipe, "ComponentPublisher");
        Map<String, Object> deps = map(recipe, "ComponentDependencies");
        Map<String, Object> tes = map(deps, "aws.greengrass.TokenExchangeService");
        assertEquals("SOFT", tes.get("DependencyType"), "only Kinesis and SiteWise need the Token Exchange Service; "
                + "a HARD dependency blocks offline and fresh local deployments (NO_AVAILABLE_COMPONENT_VERSION)");
        text(tes, "VersionRequirement");
        map(map(recipe, "ComponentConfiguration"), "DefaultConfiguration");

        List<Map<String, Object>> manifests = list(recipe, "Manifests");
        assertFalse(manifests.isEmpty(), "Manifests");
        Set<String> platforms = new LinkedHashSet<>();
        for (Map<String, Object> manifest : manifests) {
            String os = text(map(manifest, "Platform"), "os");
            platforms.add(os);
            Map<String, Object> lifecycle = map(manifest, "Lifecycle");
            assertFalse(lifecycle.containsKey("Run"), "Lifecycle.Startup, not Run: with Run the nucleus marks the "
                    + "component RUNNING when the process launches, before Sluice has validated its configuration");
            String run = runScript(manifest);
            assertTrue(run.matches("(?s)(exec )?java .*-jar .*" + Pattern.quote(JAR) + "\"? run --greengrass.*"),
                    "Lifecycle.Startup must start the jar in Greengrass mode: " + run);
            if (os.equals("linux")) {
                assertTrue(run.startsWith("exec java "), "the shell must be replaced by java, so the nucleus's SIGTERM "
                        + "and java's exit code are java's own: " + run);
            }
            assertTrue(run.contains("{configuration:/jvmOptions}"), "Startup takes the JVM options from the configuration");
            assertFalse(run.contains("'"), "no single quotes: `sh -c` strips them (-D...dateTimeFormat broke this way): " + run);
            assertFalse(run.contains("-D"), "no system properties: Sluice sets its logging defaults itself: " + run);
            Object timeout = map(manifest, "Lifecycle", "Startup").get("Timeout");
            assertInstanceOf(Integer.class, timeout, "Lifecycle.Startup.Timeout: seconds until RUNNING must be reported");
            assertFalse(list(manifest, "Artifacts").isEmpty(), "Artifacts");
        }
        assertTrue(platforms.contains("linux"), "a linux manifest: " + platforms);
        text(map(map(recipe, "ComponentConfiguration"), "DefaultConfiguration"), "jvmOptions");
    }

    /** The script of {@code Lifecycle.Startup}, which starts the long-running process. */
    static String runScript(Map<String, Object> manifest) {
        Object startup = map(manifest, "Lifecycle").get("Startup");
        if (startup instanceof String s) {
            return s;
        }
        assertInstanceOf(Map.class, startup, "Lifecycle.Startup");
        return text(map(manifest, "Lifecycle", "Startup"), "Script");
    }

    // ------------------------------------------------------------------ default configuration

    private static GatewayConfig defaultConfigurationIsValid(Map<String, Object> recipe) {
        Map<String, Object> defaults = map(map(recipe, "ComponentConfiguration"), "DefaultConfiguration");
        try {
            GatewayConfig config = ComponentConfiguration.parse(defaults, "recipe " + recipe.get("ComponentName"));
            assertFalse(config.connectors().isEmpty(), "the example configuration has a connector");
            assertFalse(config.destinations().isEmpty(), "the example configuration has a destination");
            config.destinations().values().forEach(d -> assertTrue(d.drainOnStop().compareTo(STOP_BUDGET) <= 0,
                    "destinations." + d.name() + ".drain-on-stop " + d.drainOnStop() + " must leave the shutdown and the "
                            + "JVM's exit time inside the nucleus's 5 s stop grace (at most " + STOP_BUDGET + ")"));
            return config;
        } catch (ConfigException e) {
            return fail("the recipe's DefaultConfiguration does not validate:\n" + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ access control

    private static void accessControlCoversTopics(Map<String, Object> recipe) {
        Map<String, Object> defaults = map(map(recipe, "ComponentConfiguration"), "DefaultConfiguration");
        GatewayConfig config = defaultConfigurationIsValid(recipe);
        Map<String, Object> rawDestinations = map(defaults, "destinations");
        Map<String, Object> rawConnectors = map(defaults, "connectors");
        int checked = 0;
        for (var destination : config.destinations().values()) {
            Map<String, Object> raw = map(rawDestinations, destination.name());
            String service;
            String operation;
            if (destination.type().equals("greengrass-pubsub")) {
                service = PUBSUB;
                operation = "aws.greengrass#PublishToTopic";
            } else if (destination.type().equals("iotcore") && "greengrass-ipc".equals(raw.get("transport"))) {
                service = MQTT_PROXY;
                operation = "aws.greengrass#PublishToIoTCore";
            } else {
                continue;
            }
            Object topic = raw.get("topic");
            assertInstanceOf(String.class, topic, "destinations." + destination.name()
                    + ".topic must be set explicitly so its access control can be checked");
            Template template = Template.parse((String) topic);
            List<String> resources = resources(defaults, service, operation);
            for (String rendered : topics(config, rawConnectors, destination.name(), template)) {
                assertTrue(TopicPolicies.allows(resources, rendered), "destination " + destination.name()
                        + " publishes to '" + rendered + "', which no " + service + " policy for " + operation
                        + " allows (resources " + resources + ")");
                checked++;
            }
        }
        assertTrue(checked > 0, "the default configuration publishes through IPC, so some topic must be checked");
    }

    /** Every resource of every policy of {@code service} that allows {@code operation}. */
    @SuppressWarnings("unchecked")
    private static List<String> resources(Map<String, Object> defaults, String service, String operation) {
        Map<String, Object> policies = map(map(defaults, "accessControl"), service);
        List<String> out = new ArrayList<>();
        policies.forEach((id, policy) -> {
            Map<String, Object> p = (Map<String, Object>) policy;
            List<String> ops = (List<String>) p.get("operations");
            assertNotNull(ops, service + "." + id + ".operations");
            if (ops.contains(operation) || ops.contains("*")) {
                List<String> res = (List<String>) p.get("resources");
                assertNotNull(res, service + "." + id + ".resources");
                out.addAll(res);
            }
        });
        return out;
    }

    /** The topics a destination's template renders to for every sample the configuration can export to it. */
    @SuppressWarnings("unchecked")
    private static Set<String> topics(GatewayConfig config, Map<String, Object> rawConnectors, String destination,
                                      Template template) {
        Set<String> streams = new LinkedHashSet<>();
        config.streams().forEach((name, stream) -> {
            for (StreamConfig.ExportConfig export : stream.export()) {
                if (export.destination().equals(destination)) {
                    streams.add(name);
                }
            }
        });
        Set<String> topics = new LinkedHashSet<>();
        for (ConnectorInstance connector : config.connectors().values()) {
            Set<String> reachable = new LinkedHashSet<>();
            reachable.add(connector.stream());
            for (RouteConfig route : config.routes()) {
                if (globMatches(route.connector(), connector.name())) {
                    reachable.add(route.stream());
                }
            }
            reachable.retainAll(streams);
            List<String[]> tags = new ArrayList<>(); // {tag, unit}
            Object rawTags = ((Map<String, Object>) rawConnectors.get(connector.name())).get("tags");
            if (rawTags instanceof List<?> groups) {
                for (Object g : groups) {
                    Map<String, Object> group = (Map<String, Object>) g;
                    int count = group.get("count") instanceof Number n ? n.intValue() : 1;
                    String unit = group.get("unit") == null ? null : group.get("unit").toString();
                    String name = group.get("name").toString();
                    tags.add(new String[] {count > 1 ? name + ".0001" : name, unit});
                }
            } else {
                tags.add(new String[] {"tag", null});
            }
            for (String stream : reachable) {
                for (String[] tag : tags) {
                    topics.add(template.render(p -> switch (p) {
                        case "stream" -> stream;
                        case "connector" -> connector.name();
                        case "tag" -> tag[0];
                        case "unit" -> tag[1];
                        default -> connector.asset().get(p);
                    }, "unknown"));
                }
            }
        }
        return topics;
    }

    private static boolean globMatches(String glob, String name) {
        return Pattern.matches(glob.replace(".", "\\.").replace("*", ".*").replace("?", "."), name);
    }

    // ------------------------------------------------------------------ artifact

    private static void artifactIsTheBuiltJar(Map<String, Object> recipe) throws IOException {
        String expected = gatewayJarName();
        assertEquals(JAR, expected, "the gateway module builds " + expected);
        for (Map<String, Object> manifest : list(recipe, "Manifests")) {
            for (Map<String, Object> artifact : list(manifest, "Artifacts")) {
                String uri = text(artifact, "URI");
                assertTrue(uri.startsWith("s3://BUCKET_NAME/COMPONENT_NAME/COMPONENT_VERSION/"),
                        "GDK fills in the artifact location: " + uri);
                assertEquals(expected, uri.substring(uri.lastIndexOf('/') + 1), "artifact file name");
            }
            assertTrue(runScript(manifest).contains(expected), "Run starts " + expected);
        }
        Path jar = GATEWAY.resolve("target").resolve(expected);
        if (Files.exists(jar)) {
            try (JarFile file = new JarFile(jar.toFile())) {
                assertNotNull(file.getManifest().getMainAttributes().getValue("Main-Class"), jar + " is runnable");
            }
        }
    }

    /** The file name the gateway module gives its runnable jar (shade finalName / outputFile). */
    private static String gatewayJarName() throws IOException {
        String pom = Files.readString(GATEWAY.resolve("pom.xml"));
        Matcher output = Pattern.compile("<outputFile>[^<]*?([^/<]+\\.jar)</outputFile>").matcher(pom);
        if (output.find()) {
            return output.group(1);
        }
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        if (finalName.find()) {
            return finalName.group(1) + ".jar";
        }
        return fail("components/gateway/pom.xml names no runnable jar (shade outputFile or finalName)");
    }

    // ------------------------------------------------------------------ GDK project

    @Test
    void gdkConfigNamesTheComponentAndVersion() throws IOException {
        JsonNode gdk = new ObjectMapper().readTree(RECIPES.resolve("gdk-config.json").toFile());
        assertTrue(gdk.get("gdk_version").asText().matches("\\d+\\.\\d+\\.\\d+"), "gdk_version");
        JsonNode components = gdk.get("component");
        assertEquals(1, components.size(), "GDK builds one component per project");
        String name = components.fieldNames().next();
        assertEquals(name, load(RECIPES.resolve("recipe.yaml")).get("ComponentName"));
        JsonNode component = components.get(name);
        assertEquals(VERSION, component.get("version").asText());
        assertFalse(component.get("author").asText().isBlank());
        assertEquals("custom", component.get("build").get("build_system").asText());
        assertEquals("gdk-build.sh", component.get("build").get("custom_build_command").get(1).asText());
        assertTrue(Files.isRegularFile(RECIPES.resolve("gdk-build.sh")));
        assertTrue(Files.readString(RECIPES.resolve("gdk-build.sh")).contains("VERSION='" + VERSION + "'"));
        assertFalse(component.get("publish").get("bucket").asText().isBlank());
    }

    // ------------------------------------------------------------------ helpers

    static String text(Map<String, Object> map, String key) {
        Object v = map.get(key);
        assertInstanceOf(String.class, v, key + " must be a string");
        assertFalse(((String) v).isBlank(), key + " must not be empty");
        assertFalse(((String) v).contains("@project."), key + " was not filled in by Maven");
        return (String) v;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> map, String... keys) {
        Map<String, Object> node = map;
        for (String key : keys) {
            Object v = node.get(key);
            assertInstanceOf(Map.class, v, key + " must be a mapping");
            node = (Map<String, Object>) v;
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> map, String key) {
        Object v = map.get(key);
        assertInstanceOf(List.class, v, key + " must be a list");
        return (List<Map<String, Object>>) v;
    }
}
