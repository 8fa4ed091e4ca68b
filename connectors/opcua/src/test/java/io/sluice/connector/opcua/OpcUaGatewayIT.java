package io.sluice.connector.opcua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.opcua.RigServer;
import io.sluice.rigs.opcua.RigServerConfig;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.store.ReadBatch;
import io.sluice.runtime.store.StoredSample;
import io.sluice.spi.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connector through the real runtime: YAML binding, the router and the SQLite store. */
class OpcUaGatewayIT {

    @Test
    void samplesFromTheRigAreCommittedToTheStore(@TempDir Path dir) throws Exception {
        try (RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig"))
                .withChangeInterval(Duration.ofMillis(50)))) {
            Path pki = dir.resolve("pki");
            Files.createDirectories(pki.resolve("trusted").resolve("certs"));
            Files.write(pki.resolve("trusted").resolve("certs").resolve("rig.der"), rig.certificate().getEncoded());
            String yaml = """
                    connectors:
                      press3:
                        type: opcua
                        stream: telemetry
                        asset: {site: hamburg, area: press-shop, line: line-1, machine: press-3}
                        endpoint: %s
                        security-policy: basic256sha256
                        security-mode: sign-and-encrypt
                        username: operator
                        password: operator-secret
                        pki-directory: %s
                        groups:
                          - name: fast
                            publishing-interval: 100ms
                            queue-size: 10
                            tag-prefix: press3.
                            nodes:
                              - browse-path: /Rig/Dynamic/Ramp
                                tag: ramp
                                unit: count
                              - node-id: nsu=urn:sluice:rig;s=Rig/Structures/Reading
                          - name: slow
                            mode: polling
                            poll-interval: 200ms
                            folders:
                              - root: /Rig/Scalars
                                include: ["Int*", "Double_*"]
                                exclude: ["Int64_*"]
                    streams:
                      telemetry:
                        priority: 5
                    """.formatted(rig.endpointUrl(), pki);
            try (Gateway gateway = Gateway.start(ConfigLoader.parse(yaml, "opcua-it.yaml"), dir.resolve("data"))) {
                List<Map<String, Long>> seen = new java.util.ArrayList<>(List.of(Map.of()));
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    ReadBatch batch = gateway.store().read("telemetry", 0, 100_000);
                    Map<String, Long> now = batch.samples().stream().collect(Collectors.groupingBy(s -> s.sample().tag(), Collectors.counting()));
                    seen.set(0, now);
                    return now.getOrDefault("press3.ramp", 0L) >= 5 && now.containsKey("Double_0") && now.containsKey("press3.Reading");
                });
                Map<String, Long> counts = seen.get(0);
                assertTrue(counts.getOrDefault("press3.ramp", 0L) >= 5, counts.toString());
                assertEquals(java.util.Set.of("press3.ramp", "press3.Reading", "Int16_0", "Int32_0", "Double_0"), counts.keySet());
                StoredSample ramp = gateway.store().read("telemetry", 0, 100_000).samples().stream()
                        .filter(s -> s.sample().tag().equals("press3.ramp")).findFirst().orElseThrow();
                assertEquals("count", ramp.sample().unit());
                assertTrue(ramp.sample().value() instanceof Value.FloatValue);
                assertEquals("press3", ramp.connector());
            }
        }
    }

    /** The snippet handed over for the demo config, with the rig started in-process as the demo would. */
    @Test
    void theDemoSnippetRuns(@TempDir Path dir) throws Exception {
        try (RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir.resolve("rig"))
                .withChangeInterval(Duration.ofSeconds(1)))) {
            String yaml = """
                    connectors:
                      press-plc:
                        type: opcua
                        stream: telemetry
                        asset: {site: demo-plant, area: press-shop, line: line-1, machine: press-4}
                        endpoint: %s
                        groups:
                          - name: live
                            publishing-interval: 500ms
                            tag-prefix: plc.
                            folders:
                              - root: /Rig/Dynamic
                            nodes:
                              - browse-path: /Rig/Structures/Reading
                                tag: reading
                          - name: nameplate
                            mode: polling
                            poll-interval: 10s
                            tag-prefix: plc.
                            nodes:
                              - node-id: nsu=urn:sluice:rig;s=Rig/Scalars/String_0
                                tag: batch
                    streams:
                      telemetry:
                        priority: 5
                    """.formatted(rig.endpointUrl());
            try (Gateway gateway = Gateway.start(ConfigLoader.parse(yaml, "demo-snippet.yaml"), dir.resolve("data"))) {
                List<java.util.Set<String>> seen = new java.util.ArrayList<>(List.of(java.util.Set.of()));
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    seen.set(0, gateway.store().read("telemetry", 0, 10_000).samples().stream()
                            .map(s -> s.sample().tag()).collect(Collectors.toSet()));
                    return seen.get(0).size() >= 4;
                });
                java.util.Set<String> tags = seen.get(0);
                assertEquals(java.util.Set.of("plc.Ramp", "plc.Analog", "plc.reading", "plc.batch"), tags);
            }
        }
    }

    @Test
    void aBadConfigFailsWithKeyPaths() {
        String yaml = """
                connectors:
                  plc:
                    type: opcua
                    stream: telemetry
                    endpoint: 10.0.0.5:4840
                    security-policy: basic128
                    groups:
                      - mode: polling
                        deadband-type: percent
                        deadband: 2
                        nodes:
                          - browse-path: /Plant/Speed
                streams:
                  telemetry:
                    priority: 5
                """;
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.sluice.runtime.config.ConfigException.class,
                () -> ConfigLoader.parse(yaml, "bad.yaml"));
        String message = e.getMessage();
        assertTrue(message.contains("endpoint") && message.contains("opc.tcp://"), message);
        assertTrue(message.contains("unknown security policy 'basic128'"), message);
        assertTrue(message.contains("needs the node's EURange"), message);
        assertTrue(message.contains("bad.yaml:"), message);
    }
}
