package io.sluice.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes {@code /metrics} of a running gateway and parses it with an independent Prometheus text-format parser (npm
 * {@code parse-prometheus-text-format}, pinned in test-rigs/peers and installed by test-rigs/setup-peers.sh): the
 * document must parse, and carry Sluice's meters with consistent labels next to the JVM, process and disk ones.
 */
@Timeout(120)
class MetricsScrapeIT {

    private static final String PARSER = "parse-prometheus-text-format";
    private static final Set<String> SLUICE_LABELS = Set.of("stream", "destination", "connector", "state", "to", "reason",
            "operation", "result");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void metricsParseAndCarryEveryKindOfMeter() throws Exception {
        Path parser = locateParser().orElse(null);
        if (parser == null) throw new AssertionError("npm " + PARSER + " not found in test-rigs/peers/node_modules; run test-rigs/setup-peers.sh");
        GatewayConfig config = ConfigLoader.parse("""
                connectors:
                  sim:
                    type: simulator
                    stream: telemetry
                    interval: 5ms
                    tags: [{name: c, kind: counter, count: 5}]
                streams:
                  telemetry:
                    export: [{destination: out}]
                destinations:
                  out: {type: file, directory: "%s"}
                admin:
                  listen: 127.0.0.1:0
                """.formatted(dir.resolve("out")), "test.yaml");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (RunningGateway running = RunningGateway.start(config, dir.resolve("data"))) {
            String base = running.admin().orElseThrow().url();
            await("something delivered").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> running.gateway().store().cursor("telemetry", "out") >= 100);
            HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));

            Map<String, JsonNode> families = new HashMap<>();
            for (JsonNode f : parse(parser, scrape.body())) families.put(f.path("name").asText(), f);

            for (String name : Set.of("sluice_stream_backlog", "sluice_stream_stored_samples", "sluice_stream_oldest_age_seconds",
                    "sluice_stream_dropped_total", "sluice_destination_samples_sent_total", "sluice_destination_state",
                    "sluice_destination_backlog", "sluice_connector_samples_committed_total", "sluice_store_state",
                    "jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_cpu_usage",
                    "process_uptime_seconds", "disk_free_bytes", "disk_total_bytes")) {
                assertTrue(families.containsKey(name), name + " missing; have " + new TreeSet<>(families.keySet()));
            }
            assertEquals("COUNTER", families.get("sluice_destination_samples_sent_total").path("type").asText());
            assertEquals("GAUGE", families.get("sluice_stream_backlog").path("type").asText());
            JsonNode sent = families.get("sluice_destination_samples_sent_total").path("metrics").get(0);
            assertEquals("out", sent.path("labels").path("destination").asText());
            assertTrue(Double.parseDouble(sent.path("value").asText()) >= 100, sent.toString());
            Set<String> streams = new TreeSet<>();
            families.get("sluice_stream_backlog").path("metrics").forEach(m -> streams.add(m.path("labels").path("stream").asText()));
            assertEquals(Set.of("telemetry", "out-dead-letter"), streams);
            assertEquals("sim", families.get("sluice_connector_samples_committed_total").path("metrics").get(0).path("labels").path("connector").asText());

            for (JsonNode f : families.values()) {
                if (!f.path("name").asText().startsWith("sluice_")) continue;
                for (JsonNode m : f.path("metrics")) {
                    for (Iterator<String> it = m.path("labels").fieldNames(); it.hasNext(); ) {
                        String label = it.next();
                        assertTrue(SLUICE_LABELS.contains(label), f.path("name").asText() + " has label " + label);
                    }
                }
            }
        }
    }

    /** Runs the npm parser on {@code text}; its output is the families as JSON. */
    private static JsonNode parse(Path parser, String text) throws IOException, InterruptedException {
        Process node = new ProcessBuilder("node", "-e",
                "const parse=require(process.argv[1]);let s='';process.stdin.setEncoding('utf8');"
                        + "process.stdin.on('data',d=>s+=d).on('end',()=>process.stdout.write(JSON.stringify(parse(s))))",
                parser.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            node.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            node.getOutputStream().close();
            byte[] out = node.getInputStream().readAllBytes();
            assertTrue(node.waitFor(30, TimeUnit.SECONDS), "parser finished");
            assertEquals(0, node.exitValue(), "the parser accepted the document");
            return JSON.readTree(out);
        } finally {
            node.destroyForcibly();
        }
    }

    /** {@code test-rigs/peers/node_modules/parse-prometheus-text-format}, found upwards from the working directory. */
    static Optional<Path> locateParser() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("test-rigs/peers/node_modules").resolve(PARSER);
            if (Files.isDirectory(p)) return Optional.of(p);
        }
        return Optional.empty();
    }
}
