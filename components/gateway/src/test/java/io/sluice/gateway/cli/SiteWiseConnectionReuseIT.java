package io.sluice.gateway.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.proxy.FaultProxy;
import io.sluice.rigs.sitewise.SiteWiseStandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway process sending to SiteWise with 16 calls in flight keeps its HTTP connections: every call after the
 * first round reuses one (against the real service each new connection costs a TLS handshake and round trips). The
 * JDK's HTTP client, which the SDK's URL-connection client uses, keeps only 5 idle connections per endpoint unless
 * told otherwise, so with more calls in flight most answers closed their connection and the next call opened one.
 * The fault proxy in front of the stand-in counts the connections.
 */
@Timeout(180)
class SiteWiseConnectionReuseIT {

    private static final int SAMPLES = 30_000;
    private static final int CALLS_IN_FLIGHT = 16;

    @TempDir
    Path dir;

    @Test
    void callsInFlightReuseTheirConnections() throws Exception {
        try (SiteWiseStandIn standIn = SiteWiseStandIn.start().acceptUnknownAliases(true).latency(Duration.ofMillis(20));
             FaultProxy proxy = FaultProxy.start(standIn.port())) {
            Path config = dir.resolve("gateway.yaml");
            Files.writeString(config, """
                    connectors:
                      sim:
                        type: simulator
                        stream: telemetry
                        asset: {site: hamburg, area: press-shop, machine: press-3}
                        interval: 1ms
                        limit: %d
                        tags: [{name: value, kind: random-walk, count: 100}]
                    streams:
                      telemetry:
                        priority: 3
                        export: [{destination: sitewise}]
                    destinations:
                      sitewise:
                        type: sitewise
                        region: eu-central-1
                        endpoint-override: http://127.0.0.1:%d
                        max-calls-in-flight: %d
                    admin:
                      listen: off
                    """.formatted(SAMPLES, proxy.port(), CALLS_IN_FLIGHT));
            try (SluiceProcess gateway = new SluiceProcess(Map.of("AWS_ACCESS_KEY_ID", "AKIDSTANDIN", "AWS_SECRET_ACCESS_KEY", "secret"),
                    "run", "--config", config.toString(), "--data", dir.resolve("data").toString())) {
                await("every sample at the stand-in").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                        .failFast(() -> assertTrue(gateway.process.isAlive(), () -> "the gateway exited:\n" + gateway.output()))
                        .until(() -> standIn.acceptedCount() >= SAMPLES);
                assertEquals(SAMPLES, standIn.acceptedCount());
                long calls = standIn.requests();
                long connections = proxy.connectionsAccepted();
                System.out.printf("%d calls over %d connections%n", calls, connections);
                assertTrue(connections <= CALLS_IN_FLIGHT + 2,
                        calls + " calls opened " + connections + " connections; " + CALLS_IN_FLIGHT + " in flight need no more than "
                                + CALLS_IN_FLIGHT + " (and one for the start's check)");
                assertEquals(0, gateway.stop());
            }
        }
    }
}
