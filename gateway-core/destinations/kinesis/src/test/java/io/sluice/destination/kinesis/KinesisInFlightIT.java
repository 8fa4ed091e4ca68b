package io.sluice.destination.kinesis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.kinesis.KinesisEmulator;
import io.sluice.rigs.proxy.FaultProxy;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.samplejson.DecodedSample;
import io.sluice.spi.Value;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight PutRecords calls in flight (4 records a call, 32 partition keys) through a fault proxy whose delay changes
 * every 3 ms (0 to 30 ms a chunk) into kinesis-local: every partition key's samples are read back exactly once, in
 * order.
 */
@Timeout(240)
class KinesisInFlightIT {

    @TempDir
    static Path dir;
    static KinesisEmulator emulator;
    static KinesisReadBack reader;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("aws.accessKeyId", KinesisEmulator.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", KinesisEmulator.SECRET_KEY);
        emulator = KinesisEmulator.start(dir);
        reader = new KinesisReadBack(emulator);
    }

    @AfterAll
    static void stop() {
        if (reader != null) reader.close();
        if (emulator != null) emulator.close();
    }

    @Test
    void eachPartitionKeysSamplesArriveOnceInOrderWithEightCallsInFlight() throws Exception {
        reader.createStream("in-flight", 4);
        URI upstream = emulator.endpoint();
        try (FaultProxy proxy = FaultProxy.start(upstream.getPort())) {
            Thread jitter = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    proxy.delay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(31)));
                    try {
                        Thread.sleep(3);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "proxy-jitter");
            jitter.setDaemon(true);
            jitter.start();
            URI viaProxy = new URI(upstream.getScheme(), null, upstream.getHost(), proxy.port(), upstream.getPath(), null, null);
            GatewayConfig config = ConfigLoader.parse("""
                    connectors:
                      press:
                        type: simulator
                        stream: telemetry
                        interval: 1ms
                        limit: 32000
                        tags: [{name: c, kind: counter, count: 32}]
                    streams:
                      telemetry:
                        priority: 5
                        export: [{destination: cloud, batch-interval: 200ms}]
                    destinations:
                      cloud:
                        type: kinesis
                        stream-name: in-flight
                        region: us-east-1
                        endpoint-override: %s
                        shard-count: 4
                        partition-key: "{connector}/{tag}"
                        max-records-per-request: 4
                        max-calls-in-flight: 8
                    """.formatted(viaProxy), "kinesis-in-flight.yaml");
            try (Gateway gateway = Gateway.start(config, dir.resolve("data"))) {
                await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(100))
                        .until(() -> gateway.store().cursor("telemetry", "cloud") >= 32_000);
                assertEquals(32_000, gateway.store().cursor("telemetry", "cloud"));
            } finally {
                jitter.interrupt();
                jitter.join(5000);
            }
        }
        Set<String> seen = new HashSet<>();
        Map<String, Long> lastValue = new HashMap<>();
        for (KinesisReadBack.ReadRecord r : reader.readAll("in-flight")) {
            for (DecodedSample s : r.samples()) {
                String key = s.connector() + "/" + s.sample().tag();
                assertEquals(r.partitionKey(), key);
                long value = ((Value.IntValue) s.sample().value()).value();
                assertTrue(seen.add(s.stream() + "#" + s.sequence()), "duplicate " + s.stream() + "#" + s.sequence());
                Long prev = lastValue.put(key, value);
                assertEquals(prev == null ? 0 : prev + 1, value, key + " read in order, without gaps");
            }
        }
        assertEquals(32_000, seen.size());
        assertEquals(32, lastValue.size());
    }
}
