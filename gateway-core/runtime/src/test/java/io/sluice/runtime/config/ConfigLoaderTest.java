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
}
