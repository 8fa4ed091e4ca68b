package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.Gateway;
import io.sluice.runtime.Plugins;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.store.StoredSample;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connector inside the real runtime: YAML → gateway → SQLite stream store, across a server restart. */
class OpcDaGatewayTest {

    static final String YAML = """
            connectors:
              boiler:
                type: opcda-in-memory
                stream: telemetry
                host: opc-host
                user: svc
                password: ${env:OPCDA_PW}
                prog-id: Matrikon.OPC.Simulation.1
                status-interval: 50ms
                reconnect-min-delay: 10ms
                reconnect-max-delay: 100ms
                groups:
                  - name: fast
                    update-rate: 100ms
                    items:
                      - {item-id: Random.Real8, tag: boiler.temp, unit: degC}
                      - {item-id: Random.Int4}
                      - {item-id: Not.There}
            streams:
              telemetry:
                priority: 1
            """;

    @TempDir
    Path dir;

    @Test
    void samplesReachTheStoreAndSurviveAServerRestart() throws Exception {
        InMemoryOpcDaServer server = new InMemoryOpcDaServer();
        server.define("Random.Real8", Value.of(20.5), 0xC0, Instant.parse("2026-01-01T00:00:00Z"));
        server.define("Random.Int4", Value.of(3L), 0x56, Instant.parse("2026-01-01T00:00:00Z"));
        InMemoryOpcDaConnectorFactory.server = server;
        GatewayConfig config = new ConfigLoader(Plugins.discover(), Map.of("OPCDA_PW", "pw")::get).parseText(YAML, "gw.yaml");

        try (Gateway gateway = Gateway.start(config, dir)) {
            await("first samples stored", () -> stored(gateway).size() >= 2);
            Sample temp = stored(gateway).stream().map(StoredSample::sample).filter(s -> s.tag().equals("boiler.temp")).findFirst().orElseThrow();
            assertEquals(Value.of(20.5), temp.value());
            assertEquals("degC", temp.unit());
            Sample ints = stored(gateway).stream().map(StoredSample::sample).filter(s -> s.tag().equals("Random.Int4")).findFirst().orElseThrow();
            assertEquals(Quality.UNCERTAIN, ints.quality());
            assertEquals(0x56, ints.statusCode());
            await("DEGRADED for the missing item", () -> "DEGRADED".equals(state(gateway)));

            server.restart();
            await("BAD comm-failure sample", () -> stored(gateway).stream().map(StoredSample::sample)
                    .anyMatch(s -> s.tag().equals("boiler.temp") && s.quality() == Quality.BAD && s.statusCode() == 0x18));
            await("reconnected", () -> server.liveGroups().size() == 1 && "DEGRADED".equals(state(gateway)));
            server.set("Random.Real8", Value.of(99.5), 0xC0, Instant.parse("2026-01-01T00:00:05Z"));
            await("value after restart", () -> stored(gateway).stream().map(StoredSample::sample)
                    .anyMatch(s -> s.tag().equals("boiler.temp") && s.value().equals(Value.of(99.5)) && s.quality() == Quality.GOOD));
        }
        assertEquals(0, server.liveGroups().size(), "the gateway's close stopped the connector, which removed its group");
    }

    private static String state(Gateway gateway) {
        return gateway.status().connectors().stream().filter(c -> c.name().equals("boiler")).findFirst().orElseThrow().state();
    }

    private static List<StoredSample> stored(Gateway gateway) {
        return new ArrayList<>(gateway.store().read("telemetry", 0, 10_000).samples());
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }
}
