package io.sluice.gateway.greengrass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.destination.iotcore.IotPayloadFormat;
import io.sluice.rigs.greengrass.DeploymentResult;
import io.sluice.rigs.greengrass.GreengrassIpcStandIn;
import io.sluice.rigs.greengrass.IoTCorePublish;
import io.sluice.samplejson.DecodedSample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real application jar ({@code target/sluice.jar}, built in the package phase) started as a child process the
 * way the nucleus starts a component: {@code java -jar sluice.jar run --greengrass} with {@code SVCUID} and the IPC
 * socket in its environment, the IPC stand-in playing the nucleus.
 */
class GreengrassComponentIT {

    private static final Path JAR = Path.of("target", "sluice.jar");
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int PUBLISHES_PER_SECOND = 5;
    private static final int MAX_PAYLOAD = 4096;
    private static final String TOPIC = "sluice/it-site/telemetry";

    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    private GreengrassIpcStandIn nucleus;
    private Process process;
    private Path log;

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (nucleus != null) nucleus.close();
    }

    static Map<String, Object> simulator(String tag) {
        return Map.of("type", "simulator", "stream", "telemetry", "asset", Map.of("site", "it-site"),
                "interval", "50ms", "tags", List.of(Map.of("name", tag, "kind", "counter", "count", 2)));
    }

    static Map<String, Object> configuration(Map<String, Object> connectors) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("jvmOptions", "-Xmx128m");
        config.put("admin", Map.of("listen", "127.0.0.1:0")); // another gateway on the machine may hold 9180
        config.put("accessControl", Map.of("aws.greengrass.ipc.mqttproxy", Map.of("io.sluice.Gateway:mqttproxy:1", Map.of(
                "operations", List.of("aws.greengrass#PublishToIoTCore"), "resources", List.of("sluice/it-site/#")))));
        config.put("connectors", connectors);
        config.put("streams", Map.of("telemetry", Map.of("priority", 5,
                "export", List.of(Map.of("destination", "cloud")))));
        config.put("destinations", Map.of("cloud", Map.of("type", "iotcore", "transport", "greengrass-ipc",
                "topic", "sluice/{site}/{stream}", "publishes-per-second", PUBLISHES_PER_SECOND,
                "max-payload-size", MAX_PAYLOAD + "B")));
        return config;
    }

    private Process launch(Path data, String logName) throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " must be built (package phase) before the ITs");
        log = dir.resolve(logName);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-jar", JAR.toString(), "run", "--greengrass", "--data", data.toString());
        pb.environment().putAll(nucleus.componentEnvironment());
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        return pb.start();
    }

    private String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void awaitLog(String text, Duration timeout) throws InterruptedException {
        String seen = GreengrassIpcStandIn.await(this::logText, l -> l.contains(text), timeout);
        if (!seen.contains(text)) {
            fail("the component did not log '" + text + "' within " + timeout.toSeconds() + "s; its output:\n" + seen);
        }
    }

    /** The samples of IoT Core payloads, read with the destination's own payload format. */
    private static List<DecodedSample> samples(List<IoTCorePublish> publishes) throws IOException {
        List<DecodedSample> out = new ArrayList<>();
        for (IoTCorePublish p : publishes) {
            out.addAll(IotPayloadFormat.decode(p.payload()));
        }
        return out;
    }

    @Test
    void runsAsAComponent() throws Exception {
        Path data = dir.resolve("data");
        nucleus = GreengrassIpcStandIn.builder().socketPath(dir.resolve("ipc.sock"))
                .configuration(configuration(Map.of("line1", simulator("line1.count"))))
                .allowIoTCoreTopics(List.of("sluice/it-site/#"))
                .start();
        process = launch(data, "run1.log");

        // reports RUNNING
        List<String> states = GreengrassIpcStandIn.await(nucleus::reportedStates, s -> !s.isEmpty(), START);
        assertEquals(List.of("RUNNING"), states, logText());

        // simulator samples arrive as PublishToIoTCore on the configured topic, within the publisher's limits
        List<IoTCorePublish> published = GreengrassIpcStandIn.await(nucleus::iotCorePublishes, l -> l.size() >= 15, WAIT);
        assertTrue(published.size() >= 15, "publishes: " + published.size() + "\n" + logText());
        for (IoTCorePublish p : published) {
            assertEquals(TOPIC, p.topic());
            assertEquals(1, p.qos());
            assertTrue(p.payload().length <= MAX_PAYLOAD, "payload of " + p.payload().length + " bytes");
        }
        assertRate(published);
        assertTrue(samples(published).stream().allMatch(s -> s.connector().equals("line1")));

        // a deployment adds a connector and changes the stream's priority, applied without a restart
        long pid = process.pid();
        nucleus.mergeConfiguration(Map.of("connectors", Map.of("line2", simulator("line2.count")),
                "streams", Map.of("telemetry", Map.of("priority", 2))));
        awaitLog("configuration update applied without restart", WAIT);
        String applied = logText();
        assertTrue(applied.contains("connectors added [line2]"), applied);
        assertTrue(applied.contains("stream telemetry priority 5 -> 2"), applied);
        int before = nucleus.iotCorePublishes().size();
        List<IoTCorePublish> afterUpdate = GreengrassIpcStandIn.await(nucleus::iotCorePublishes, l -> {
            try {
                return samples(l.subList(before, l.size())).stream().anyMatch(s -> s.connector().equals("line2"));
            } catch (IOException e) {
                return false;
            }
        }, WAIT);
        assertTrue(samples(afterUpdate.subList(before, afterUpdate.size())).stream()
                .anyMatch(s -> s.connector().equals("line2")), "samples of the added connector");
        assertTrue(process.isAlive());
        assertEquals(pid, process.pid());
        assertEquals(1, nucleus.connects().size(), "one IPC connection: the component did not restart");

        // an invalid deployment is rejected; the old configuration keeps running
        nucleus.mergeConfiguration(Map.of("streams", Map.of("telemetry", Map.of("priority", 11))));
        awaitLog("configuration update REJECTED", WAIT);
        assertTrue(logText().contains("streams.telemetry.priority"), "the rejection names the key:\n" + logText());
        int count = nucleus.iotCorePublishes().size();
        assertTrue(GreengrassIpcStandIn.await(() -> nucleus.iotCorePublishes().size(), n -> n >= count + 5, WAIT) >= count + 5,
                "publishing continues with the old configuration");
        assertEquals(List.of("RUNNING"), nucleus.reportedStates());

        // a deployment the component validates first fails with the problem as its reason
        DeploymentResult refused = nucleus.deploy(Map.of("streams", Map.of("telemetry", Map.of("ttl", "forever"))), WAIT);
        assertEquals("REJECTED", refused.status(), logText());
        assertTrue(refused.message().contains("streams.telemetry.ttl"), refused.message());
        assertTrue(process.isAlive());

        // SIGTERM stops it cleanly
        process.destroy();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "stopped within 30 s of SIGTERM\n" + logText());
        int exit = process.exitValue();
        assertEquals(0, exit, "exit code after a clean stop\n" + logText());
        String stopped = logText();
        assertTrue(stopped.contains("gateway stopped"), stopped);
        assertFalse(stopped.contains("Exception in thread"), stopped);

        // nothing committed is lost: what the store had committed at shutdown is delivered after a restart
        long next = nextSequence(data, "telemetry");
        String firstLog = logText();
        String firstStatus = Files.readString(data.resolve("status.json"));
        assertTrue(next > 0, "status.json names the committed samples");
        // the same connectors, disabled: nothing new is produced, and stored samples keep their asset context (topic)
        Map<String, Object> disabled = new LinkedHashMap<>();
        for (String name : List.of("line1", "line2")) {
            Map<String, Object> connector = new LinkedHashMap<>(simulator(name + ".count"));
            connector.put("enabled", false);
            disabled.put(name, connector);
        }
        nucleus.replaceConfiguration(configuration(disabled));
        process = launch(data, "run2.log");
        GreengrassIpcStandIn.await(nucleus::reportedStates, s -> s.size() == 2, START);
        Set<Long> delivered = GreengrassIpcStandIn.await(this::deliveredSequences,
                s -> s.containsAll(range(first(s), next)), WAIT);
        long first = first(delivered);
        assertTrue(first <= 1, "sequences start at the beginning: " + first);
        Set<Long> missing = new TreeSet<>(range(first, next));
        missing.removeAll(delivered);
        assertTrue(missing.isEmpty(), "committed but never delivered: " + missing + "\nstatus after the first run: "
                + firstStatus + "\nfirst run:\n" + firstLog + "\nsecond run:\n" + logText());
        process.destroy();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    }

    private Set<Long> deliveredSequences() {
        Set<Long> seqs = new TreeSet<>();
        try {
            for (DecodedSample s : samples(nucleus.iotCorePublishes())) {
                seqs.add(s.sequence());
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return seqs;
    }

    private static long first(Set<Long> seqs) {
        return seqs.isEmpty() ? 0 : ((TreeSet<Long>) seqs).first();
    }

    private static Set<Long> range(long fromInclusive, long toExclusive) {
        Set<Long> out = new TreeSet<>();
        for (long i = fromInclusive; i < toExclusive; i++) out.add(i);
        return out;
    }

    private long nextSequence(Path data, String stream) throws IOException {
        JsonNode status = json.readTree(data.resolve("status.json").toFile());
        for (JsonNode s : status.get("streams")) {
            if (s.get("name").asText().equals(stream)) {
                return s.get("nextSequence").asLong();
            }
        }
        return fail("stream " + stream + " not in status.json: " + status);
    }

    /**
     * The publisher keeps to publishes-per-second with a token bucket: between any two publishes i < j,
     * {@code j - i <= rate * (t_j - t_i) + burst}, allowing one second of burst (the bucket starts full).
     */
    private static void assertRate(List<IoTCorePublish> published) {
        List<Instant> times = published.stream().map(IoTCorePublish::time).toList();
        double burst = PUBLISHES_PER_SECOND + 1;
        for (int i = 0; i < times.size(); i++) {
            for (int j = i + 1; j < times.size(); j++) {
                double seconds = Duration.between(times.get(i), times.get(j)).toNanos() / 1e9;
                assertTrue(j - i <= PUBLISHES_PER_SECOND * seconds + burst,
                        (j - i) + " publishes within " + seconds + " s exceed " + PUBLISHES_PER_SECOND + "/s");
            }
        }
        double total = Duration.between(times.get(0), times.get(times.size() - 1)).toNanos() / 1e9;
        assertTrue(total >= (times.size() - 1 - burst) / PUBLISHES_PER_SECOND, "publishes spread over " + total + " s");
    }
}
