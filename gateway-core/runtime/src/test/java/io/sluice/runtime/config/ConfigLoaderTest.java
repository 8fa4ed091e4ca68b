package io.sluice.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.Plugins;
import io.sluice.spi.config.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    private final ConfigLoader loader = new ConfigLoader(Plugins.discover(), Map.of("SECRET_PREFIX", "from-env")::get);

    static final String VALID = """
            store:
              commit-window: 2ms
            connectors:
              sim:
                type: simulator
                stream: telemetry
                asset: {site: hamburg, machine: press-3}
                interval: 100ms
                tags:
                  - {name: temp, kind: sine, count: 3, unit: degC}
                  - {name: alarm, kind: boolean}
            streams:
              telemetry:
                priority: 2
                export: [{destination: out}]
              alarms:
                priority: 1
                export: [{destination: out, batch-interval: 1s}]
            routes:
              - {tags: "alarm*", stream: alarms}
            destinations:
              out:
                type: file
                directory: /tmp/out
                prefix: ${env:SECRET_PREFIX}
            """;

    @Test
    void bindsAValidFileToTypedRecords() {
        GatewayConfig config = loader.parseText(VALID, "gw.yaml");
        assertEquals(Duration.ofMillis(2), config.store().commitWindow());
        ConnectorInstance sim = config.connectors().get("sim");
        assertEquals("telemetry", sim.stream());
        assertEquals("press-3", sim.asset().get("machine"));
        assertEquals(2, config.streams().get("telemetry").priority());
        assertEquals(Duration.ofSeconds(1), config.streams().get("alarms").export().get(0).batchInterval());
        assertTrue(config.streams().containsKey("out-dead-letter"), "dead-letter stream added");
        assertEquals("from-env", ((io.sluice.runtime.destination.FileDestinationConfig) config.destinations().get("out").options()).prefix());
    }

    @Test
    void reportsEveryProblemWithLineColumnAndPath() {
        String broken = """
                connectors:
                  sim:
                    type: simulator
                    stream: telemetry
                    intervall: 100ms
                    tags:
                      - {name: temp, kind: sine, count: many}
                streams:
                  telemetry:
                    export: [{destination: out}]
                routes:
                  - {tags: "x*", stream: nowhere}
                destinations:
                  out: {type: file, directory: /tmp/x}
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parseText(broken, "bad.yaml"));
        List<ConfigProblem> problems = e.problems();
        assertEquals(3, problems.size(), e.getMessage());
        ConfigProblem unknown = problems.stream().filter(p -> p.message().contains("intervall")).findFirst().orElseThrow();
        assertEquals(5, unknown.line());
        assertEquals(5, unknown.column());
        assertEquals("connectors.sim.intervall", unknown.keyPath());
        assertTrue(unknown.message().contains("did you mean 'interval'"), unknown.message());
        ConfigProblem number = problems.stream().filter(p -> p.keyPath().endsWith("count")).findFirst().orElseThrow();
        assertEquals("connectors.sim.tags[0].count", number.keyPath());
        assertEquals(7, number.line());
        assertTrue(number.message().contains("expected an integer, got 'many'"), number.message());
        ConfigProblem stream = problems.stream().filter(p -> p.keyPath().equals("routes[0].stream")).findFirst().orElseThrow();
        assertEquals(12, stream.line());
        assertTrue(stream.message().contains("'nowhere' is not defined"), stream.message());
        assertTrue(e.getMessage().contains("bad.yaml:5:5: connectors.sim.intervall"), e.getMessage());
    }

    @Test
    void missingEnvironmentVariableAndUnknownTypeAreReported() {
        String text = """
                connectors:
                  a: {type: simulatr, tags: []}
                destinations:
                  d: {type: file, directory: "${env:NOPE}"}
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parseText(text, "f.yaml"));
        assertTrue(e.getMessage().contains("unknown type 'simulatr' (did you mean 'simulator'?)"), e.getMessage());
        assertTrue(e.getMessage().contains("environment variable NOPE is not set"), e.getMessage());
    }

    @Test
    void secretsNeverPrint() {
        Secret s = new Secret("hunter2");
        assertFalse(s.toString().contains("hunter2"));
        assertFalse(List.of(s).toString().contains("hunter2"));
    }

    @Test
    void invalidYamlIsLocated() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parseText("a: [1, 2\nb: 3\n", "y.yaml"));
        assertTrue(e.problems().get(0).line() > 0);
    }

    private static String withFallbacks(String destinations) {
        return """
                streams:
                  telemetry:
                    export: [{destination: a}]
                destinations:
                """ + destinations;
    }

    @Test
    void aFallbackGetsAStreamExportedToIt() {
        String text = withFallbacks("""
                  a: {type: file, directory: /tmp/a, fallback: archive}
                  archive: {type: file, directory: /tmp/archive}
                """);
        GatewayConfig config = loader.parseText(text, "gw.yaml");
        assertEquals(java.util.Optional.of("archive"), config.destinations().get("a").fallback());
        assertEquals(java.util.Optional.empty(), config.destinations().get("archive").fallback());
        StreamConfig fallback = config.streams().get("a-fallback");
        assertEquals(List.of("archive"), fallback.export().stream().map(StreamConfig.ExportConfig::destination).toList());
        assertFalse(config.streams().containsKey("archive-fallback"), "no fallback, no fallback stream");
        assertTrue(config.streams().containsKey("a-dead-letter"), "the dead-letter stream stays");
        assertTrue(loader.check(text, "gw.yaml").warnings().stream().noneMatch(w -> w.keyPath().equals("destinations.archive")),
                "a destination used as fallback is not unused");
    }

    @Test
    void aFallbackNamingItselfIsLocated() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parseText(withFallbacks("""
                  a: {type: file, directory: /tmp/a, fallback: a}
                """), "f.yaml"));
        ConfigProblem p = only(e, "destinations.a.fallback");
        assertEquals(5, p.line());
        assertTrue(p.message().contains("cannot be its own fallback"), p.message());
        assertTrue(e.getMessage().contains("f.yaml:5:"), e.getMessage());
    }

    @Test
    void maxAgeAndMaxAheadBindForAnyDestinationAndAZeroMaxAgeIsLocated() {
        GatewayConfig ok = loader.parseText(withFallbacks("""
                  a: {type: file, directory: /tmp/a, max-age: 2d, max-ahead: 0s}
                """), "f.yaml");
        assertEquals(io.sluice.spi.destination.SampleWindow.of(java.time.Duration.ofDays(2), java.time.Duration.ZERO),
                ok.destinations().get("a").window());
        assertEquals(io.sluice.spi.destination.SampleWindow.UNBOUNDED,
                loader.parseText(withFallbacks("  a: {type: file, directory: /tmp/a}\n"), "f.yaml").destinations().get("a").window(),
                "no bound unless configured: the file destination takes any time");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parseText(withFallbacks("""
                  a: {type: file, directory: /tmp/a,
                      max-age: 0s}
                """), "f.yaml"));
        ConfigProblem p = only(e, "destinations.a.max-age");
        assertEquals(6, p.line());
        assertTrue(p.message().contains("expected a duration above 0s, got 0s"), p.message());
    }

    @Test
    void anUnknownFallbackIsLocated() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parseText(withFallbacks("""
                  a: {type: file, directory: /tmp/a, fallback: archiv}
                  archive: {type: file, directory: /tmp/archive}
                """), "f.yaml"));
        ConfigProblem p = only(e, "destinations.a.fallback");
        assertEquals(5, p.line());
        assertTrue(p.message().contains("'archiv' is not defined under `destinations` (did you mean 'archive'?)"), p.message());
    }

    @Test
    void aCycleOfFallbacksIsLocated() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parseText(withFallbacks("""
                  a: {type: file, directory: /tmp/a, fallback: b}
                  b: {type: file, directory: /tmp/b, fallback: c}
                  c:
                    type: file
                    directory: /tmp/c
                    fallback: a
                """), "f.yaml"));
        ConfigProblem a = e.problems().stream().filter(p -> p.keyPath().equals("destinations.a.fallback")).findFirst().orElseThrow();
        assertEquals(5, a.line());
        assertTrue(a.message().contains("fallbacks form a cycle: a -> b -> c -> a"), a.message());
        ConfigProblem c = e.problems().stream().filter(p -> p.keyPath().equals("destinations.c.fallback")).findFirst().orElseThrow();
        assertEquals(10, c.line());
        assertTrue(e.getMessage().contains("f.yaml:10:"), e.getMessage());
    }

    @Test
    void aFallbackStreamNameTakenByAConfiguredStreamIsLocated() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parseText("""
                streams:
                  telemetry:
                    export: [{destination: a}]
                  a-fallback:
                    export: [{destination: archive}]
                destinations:
                  a: {type: file, directory: /tmp/a, fallback: archive}
                  archive: {type: file, directory: /tmp/archive}
                """, "f.yaml"));
        assertTrue(only(e, "destinations.a.fallback").message().contains("stream 'a-fallback' is defined"), e.getMessage());
    }

    private static ConfigProblem only(ConfigException e, String keyPath) {
        assertEquals(1, e.problems().size(), e.getMessage());
        ConfigProblem p = e.problems().get(0);
        assertEquals(keyPath, p.keyPath(), e.getMessage());
        return p;
    }
}
