package io.sluice.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayTest {

    @TempDir
    Path dir;

    @Test
    void simulatorSamplesReachTheFileExactlyOnceInOrder() throws Exception {
        Path out = dir.resolve("out");
        GatewayConfig config = ConfigLoader.parse("""
                connectors:
                  sim:
                    type: simulator
                    stream: telemetry
                    interval: 1ms
                    limit: 20000
                    tags: [{name: c, kind: counter, count: 10}]
                streams:
                  telemetry:
                    export: [{destination: out}]
                destinations:
                  out: {type: file, directory: "%s"}
                """.formatted(out), "test.yaml");
        try (Gateway gateway = Gateway.start(config, dir.resolve("data"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.store().cursor("telemetry", "out") >= 20_000);
            assertEquals(20_000, gateway.store().cursor("telemetry", "out"));
        }
        List<String> lines = Files.readAllLines(out.resolve("samples.jsonl"));
        assertEquals(20_000, lines.size());
        ObjectMapper json = new ObjectMapper();
        Set<String> seen = new HashSet<>();
        long previousSeq = -1;
        long[] lastPerTag = new long[10];
        java.util.Arrays.fill(lastPerTag, -1);
        for (String line : lines) {
            JsonNode n = json.readTree(line);
            long seq = n.get("seq").asLong();
            assertEquals(previousSeq + 1, seq);
            previousSeq = seq;
            String tag = n.get("tag").asText();
            int index = Integer.parseInt(tag.substring(2)) - 1;
            long value = n.get("value").asLong();
            assertEquals(lastPerTag[index] + 1, value, "counter of " + tag);
            lastPerTag[index] = value;
            assertTrue(seen.add(tag + "/" + value));
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void theGatewayAndItsConnectorsShowTheirLifecycleAndAClosedGatewayRefusesAConfiguration() {
        GatewayConfig config = ConfigLoader.parse("""
                connectors:
                  sim:
                    type: simulator
                    stream: telemetry
                    interval: 100ms
                    tags: [{name: c, kind: counter, count: 1}]
                streams:
                  telemetry: {}
                """, "test.yaml");
        Gateway gateway = Gateway.start(config, dir.resolve("data"));
        try {
            assertEquals(GatewayLifecycle.RUNNING, gateway.lifecycle());
            GatewayStatus status = gateway.status(false);
            assertEquals("running", status.state());
            assertEquals(io.sluice.runtime.connector.ConnectorLifecycle.RUNNING, status.connectors().get(0).lifecycle());
        } finally {
            gateway.close();
        }
        assertEquals(GatewayLifecycle.STOPPED, gateway.lifecycle());
        GatewayStatus stopped = gateway.status(false);
        assertEquals("stopped", stopped.state());
        assertEquals(io.sluice.runtime.connector.ConnectorLifecycle.STOPPED, stopped.connectors().get(0).lifecycle());
        io.sluice.spi.SluiceException e = org.junit.jupiter.api.Assertions.assertThrows(io.sluice.spi.SluiceException.class,
                () -> gateway.reconfigure(config));
        assertTrue(e.getMessage().contains("STOPPED"), e.getMessage());
        gateway.close(); // closing twice is harmless
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> GatewayLifecycle.STOPPED.moveTo(GatewayLifecycle.RUNNING));
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void theStatusListsEveryMetricSortedWithItsCurrentValueAndMetersAddedLater() {
        GatewayConfig config = ConfigLoader.parse("""
                connectors:
                  sim:
                    type: simulator
                    stream: telemetry
                    interval: 100ms
                    tags: [{name: c, kind: counter, count: 1}]
                streams:
                  telemetry: {}
                """, "test.yaml");
        try (Gateway gateway = Gateway.start(config, dir.resolve("data"))) {
            io.micrometer.core.instrument.Counter counter = gateway.registry().counter("test.zz.counter", "k", "b");
            counter.increment(2);
            assertEquals(2.0, metric(gateway.status(true), "test.zz.counter", "b"));
            counter.increment(3);
            assertEquals(5.0, metric(gateway.status(true), "test.zz.counter", "b"), "the value now, not the first one");
            gateway.registry().counter("test.zz.counter", "k", "a").increment();
            GatewayStatus status = gateway.status(true);
            assertEquals(1.0, metric(status, "test.zz.counter", "a"), "a meter registered later is listed");
            List<String> order = status.metrics().stream().map(m -> m.name() + " " + m.tags()).toList();
            List<String> sorted = new java.util.ArrayList<>(order);
            sorted.sort(java.util.Comparator.comparing((String line) -> line.substring(0, line.indexOf(' ')))
                    .thenComparing(line -> line.substring(line.indexOf(' ') + 1)));
            assertEquals(sorted, order, "by name, then by tags");
            assertTrue(order.indexOf("test.zz.counter {k=a}") < order.indexOf("test.zz.counter {k=b}"));
            gateway.registry().remove(counter);
            assertTrue(gateway.status(true).metrics().stream().noneMatch(m -> m.tags().equals(java.util.Map.of("k", "b"))),
                    "a removed meter is gone");
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aStatusMeasuresEachGaugeOnce() {
        // gauges such as system.cpu.usage read cgroup and /proc files on every measurement
        GatewayConfig config = ConfigLoader.parse("""
                streams:
                  telemetry: {}
                """, "test.yaml");
        try (Gateway gateway = Gateway.start(config, dir.resolve("data"))) {
            Thread caller = Thread.currentThread(); // status.json is written meanwhile on another thread
            java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
            io.micrometer.core.instrument.Gauge.builder("test.zz.gauge", reads,
                    r -> Thread.currentThread() == caller ? r.incrementAndGet() * 10.0 : -1).tag("k", "g").register(gateway.registry());
            GatewayStatus status = gateway.status(true);
            assertEquals(1, reads.get(), "measurements of the gauge for one status");
            assertEquals(10.0, metric(status, "test.zz.gauge", "g"), "the value measured is the value listed");
        }
    }

    private static double metric(GatewayStatus status, String name, String k) {
        return status.metrics().stream().filter(m -> m.name().equals(name) && k.equals(m.tags().get("k")))
                .findFirst().orElseThrow().value();
    }
}
