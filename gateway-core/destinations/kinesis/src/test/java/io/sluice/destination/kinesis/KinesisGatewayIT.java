package io.sluice.destination.kinesis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.kinesis.KinesisEmulator;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.samplejson.DecodedSample;
import io.sluice.spi.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the runtime: simulator connectors -> router -> SQLite store -> publisher -> Kinesis destination
 * -> kinesis-local; a plain consumer reads every shard with GetRecords and unpacks the records.
 */
class KinesisGatewayIT {

    @TempDir
    static Path dir;
    static KinesisEmulator emulator;
    static KinesisReadBack reader;

    @BeforeAll
    static void start() throws Exception {
        emulator = KinesisReadBack.startEmulator(dir);
        reader = new KinesisReadBack(emulator);
    }

    @AfterAll
    static void stop() {
        KinesisReadBack.stop(reader, emulator);
    }

    @Test
    void everySimulatorSampleIsReadBackExactlyOnceInPerStreamOrder() throws Exception {
        reader.createStream("plant-telemetry", 2);
        GatewayConfig config = ConfigLoader.parse("""
                connectors:
                  press:
                    type: simulator
                    stream: telemetry
                    asset: {site: hamburg, area: press-shop, machine: press-3}
                    interval: 1ms
                    limit: 30000
                    tags: [{name: c, kind: counter, count: 10}]
                  alarms:
                    type: simulator
                    stream: alarms
                    interval: 5ms
                    limit: 2000
                    tags: [{name: a, kind: counter, count: 4}]
                streams:
                  telemetry:
                    priority: 5
                    export: [{destination: cloud}]
                  alarms:
                    priority: 1
                    export: [{destination: cloud}]
                destinations:
                  cloud:
                    type: kinesis
                    stream-name: plant-telemetry
                    region: us-east-1
                    endpoint-override: %s
                    shard-count: 2
                """.formatted(emulator.endpoint()), "kinesis-it.yaml");
        try (Gateway gateway = Gateway.start(config, dir.resolve("data"))) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> gateway.store().cursor("telemetry", "cloud") >= 30_000
                            && gateway.store().cursor("alarms", "cloud") >= 2_000);
            assertEquals(30_000, gateway.store().cursor("telemetry", "cloud"));
            assertEquals(2_000, gateway.store().cursor("alarms", "cloud"));
        }
        Set<String> seen = new HashSet<>();
        Map<String, Long> lastValue = new HashMap<>();
        Map<String, Long> lastSeq = new HashMap<>();
        for (KinesisReadBack.ReadRecord r : reader.readAll("plant-telemetry")) {
            for (DecodedSample s : r.samples()) {
                String tag = s.connector() + "/" + s.sample().tag();
                String asset = s.connector().equals("press") ? "hamburg/press-shop/_/press-3" : "_/_/_/_";
                assertEquals(s.connector() + "/" + asset, r.partitionKey(),
                        "default partition key is {connector}/{site}/{area}/{line}/{machine}");
                long value = ((Value.IntValue) s.sample().value()).value();
                assertTrue(seen.add(s.stream() + "#" + s.sequence()), "duplicate " + s.stream() + "#" + s.sequence());
                Long prev = lastValue.put(tag, value);
                assertEquals(prev == null ? 0 : prev + 1, value, "counter of " + tag + " read in order, without gaps");
                Long prevSeq = lastSeq.put(tag, s.sequence());
                assertTrue(prevSeq == null || prevSeq < s.sequence());
                if (s.connector().equals("press")) assertEquals("hamburg", s.asset().get("site"));
            }
        }
        assertEquals(32_000, seen.size());
    }
}
