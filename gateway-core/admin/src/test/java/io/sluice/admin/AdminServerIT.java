package io.sluice.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The admin endpoint over real HTTP on loopback (port 0), in front of a real gateway with a simulator source. */
@Timeout(120)
class AdminServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private GatewayConfig config(String admin, String fileDirectory) {
        return ConfigLoader.parse("""
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
                  out: {type: file, directory: "%s", max-backoff: 500ms}
                admin:
                %s
                """.formatted(fileDirectory, admin.indent(2)), "test.yaml");
    }

    private HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(condition::getAsBoolean);
    }

    @Test
    void servesStatusHealthAndTheConsoleNote() throws Exception {
        try (RunningGateway running = RunningGateway.start(config("listen: 127.0.0.1:0", dir.resolve("out").toString()), dir.resolve("data"))) {
            AdminServer admin = running.admin().orElseThrow();
            String base = admin.url();
            assertEquals("none", AdminAddress.read(dir.resolve("data")).orElseThrow().auth());
            await("samples delivered", () -> running.gateway().store().cursor("telemetry", "out") > 100);

            HttpResponse<String> status = get(base + "/api/v1/status");
            assertEquals(200, status.statusCode());
            assertTrue(status.headers().firstValue("content-type").orElse("").startsWith("application/json"));
            JsonNode doc = JSON.readTree(status.body());
            assertEquals("running", doc.path("state").asText());
            JsonNode stream = null;
            for (JsonNode s : doc.path("streams")) if (s.path("name").asText().equals("telemetry")) stream = s;
            assertNotNull(stream, doc.toString());
            for (String key : List.of("backlog", "oldestAgeMillis", "drainRatePerSecond", "etaSeconds")) {
                assertTrue(stream.has(key), key + " in " + stream);
            }
            JsonNode out = doc.path("destinations").get(0);
            assertTrue(out.has("failingSince") && out.path("failingSince").isNull(), out.toString());
            assertTrue(out.path("lastError").isNull(), out.toString());
            assertTrue(doc.path("store").path("diskTotalBytes").asLong() > 0);
            assertEquals("OK", doc.path("store").path("state").asText());

            HttpResponse<String> live = get(base + "/health/live");
            assertEquals(200, live.statusCode(), live.body());
            assertEquals("UP", JSON.readTree(live.body()).path("status").asText());
            await("ready", () -> {
                try {
                    return get(base + "/health/ready").statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            });

            HttpResponse<String> console = get(base + "/");
            assertEquals(404, console.statusCode());
            assertTrue(console.body().contains("web console is not part of this build"), console.body());
            assertEquals(404, get(base + "/api/v1/streams/nope/tail").statusCode());
        }
        assertFalse(Files.exists(dir.resolve("data").resolve(AdminServer.ADDRESS_FILE)), "admin.json removed at stop");
    }

    @Test
    void tailReplaysTheNewestSamplesThenFollows() throws Exception {
        try (RunningGateway running = RunningGateway.start(config("listen: 127.0.0.1:0", dir.resolve("out").toString()), dir.resolve("data"))) {
            String base = running.admin().orElseThrow().url();
            await("samples stored", () -> running.gateway().store().nextSequence("telemetry") > 50);
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/streams/telemetry/tail?last=5")).build();
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            // a loaded machine may let the tail fall behind its buffer: then a dropped note must account for the gap
            List<JsonNode> events = new ArrayList<>();
            long expectedSeq = -1;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                boolean droppedNote = false;
                while (events.size() < 20 && (line = in.readLine()) != null) {
                    if (line.equals("event: dropped")) {
                        droppedNote = true;
                    } else if (line.startsWith("data: ")) {
                        JsonNode data = JSON.readTree(line.substring(6));
                        if (droppedNote) {
                            assertTrue(data.path("dropped").asLong() > 0, data.toString());
                            if (expectedSeq >= 0) expectedSeq += data.path("dropped").asLong();
                            droppedNote = false;
                        } else {
                            long seq = data.path("seq").asLong();
                            if (expectedSeq >= 0) assertEquals(expectedSeq, seq, "sequences without an announced gap");
                            expectedSeq = seq + 1;
                            events.add(data);
                        }
                    }
                }
            }
            assertEquals(20, events.size());
            JsonNode first = events.get(0);
            assertEquals("telemetry", first.path("stream").asText());
            assertEquals("sim", first.path("connector").asText());
            assertNotNull(first.get("value"));
            await("tail closed after the client left", () -> running.admin().orElseThrow().openTails() == 0);
        }
    }

    @Test
    void aTailThatFallsBehindItsBufferIsToldHowManySamplesItMissed() throws Exception {
        // 5 tags every millisecond is ~5,000 samples/s: far more than 10 per 200 ms poll
        GatewayConfig config = ConfigLoader.parse("""
                connectors:
                  sim:
                    type: simulator
                    stream: telemetry
                    interval: 1ms
                    tags: [{name: c, kind: counter, count: 5}]
                streams:
                  telemetry: {}
                admin:
                  listen: 127.0.0.1:0
                  tail-buffer: 10
                  max-tails: 1
                """, "test.yaml");
        try (RunningGateway running = RunningGateway.start(config, dir.resolve("data"))) {
            String base = running.admin().orElseThrow().url();
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/streams/telemetry/tail")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            await("the tail is open", () -> running.admin().orElseThrow().openTails() == 1);
            assertEquals(503, get(base + "/api/v1/streams/telemetry/tail").statusCode(), "max-tails: 1");
            long dropped = 0;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                boolean droppedEvent = false;
                while (dropped == 0 && (line = in.readLine()) != null) {
                    if (line.equals("event: dropped")) droppedEvent = true;
                    else if (droppedEvent && line.startsWith("data: ")) dropped = JSON.readTree(line.substring(6)).path("dropped").asLong();
                }
            }
            assertTrue(dropped > 0, "a dropped event with its count");
        }
    }

    @Test
    void aTokenIsRequiredWhenConfiguredAndTheTokenFileIsPrivate() throws Exception {
        try (RunningGateway running = RunningGateway.start(config("listen: 127.0.0.1:0\nauth: token", dir.resolve("out").toString()), dir.resolve("data"))) {
            String base = running.admin().orElseThrow().url();
            Path tokenFile = dir.resolve("data").resolve(AdminToken.FILE);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
            String token = Files.readString(tokenFile).trim();
            assertTrue(token.length() >= 40, "a long random token");

            for (String path : List.of("/api/v1/status", "/metrics", "/health/ready", "/")) {
                HttpResponse<String> refused = get(base + path);
                assertEquals(401, refused.statusCode(), path);
                assertFalse(refused.body().contains(token));
            }
            assertEquals(401, get(base + "/api/v1/status", "Authorization", "Bearer wrong").statusCode());
            assertEquals(200, get(base + "/api/v1/status", "Authorization", "Bearer " + token).statusCode());

            HttpResponse<String> login = get(base + "/?token=" + token);
            assertEquals(302, login.statusCode());
            String cookie = login.headers().firstValue("set-cookie").orElseThrow();
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
            assertEquals(200, get(base + "/api/v1/status", "Cookie", cookie.substring(0, cookie.indexOf(';'))).statusCode());
        }
    }

    @Test
    void anAddressBeyondLoopbackWithoutAuthenticationIsRefused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> config("listen: 0.0.0.0:9180\nauth: none", dir.resolve("out").toString()));
        assertTrue(e.getMessage().contains("admin.auth"), e.getMessage());
        assertTrue(e.getMessage().contains("loopback"), e.getMessage());
    }

    @Test
    void readinessFollowsAFailingDestinationAndItsRecovery() throws Exception {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "a file where the destination wants a directory");
        GatewayConfig config = config("listen: 127.0.0.1:0\nready-failing-after: 1s", blocker.resolve("out").toString());
        try (RunningGateway running = RunningGateway.start(config, dir.resolve("data"))) {
            String base = running.admin().orElseThrow().url();
            await("not ready while the destination fails", () -> readyStatus(base) == 503);
            JsonNode ready = JSON.readTree(get(base + "/health/ready").body());
            JsonNode out = ready.path("components").path("destination:out");
            assertEquals("DOWN", out.path("status").asText(), ready.toString());
            assertTrue(out.path("detail").asText().contains("failing since"), out.toString());
            JsonNode dest = JSON.readTree(get(base + "/api/v1/status").body()).path("destinations").get(0);
            assertFalse(dest.path("failingSince").isNull(), dest.toString());
            assertFalse(dest.path("lastError").isNull(), dest.toString());
            assertEquals("degraded", JSON.readTree(get(base + "/api/v1/status").body()).path("health").path("status").asText());

            Files.delete(blocker);
            await("ready after the destination recovers", () -> readyStatus(base) == 200);
            await("error cleared", () -> {
                try {
                    JsonNode d = JSON.readTree(get(base + "/api/v1/status").body()).path("destinations").get(0);
                    return d.path("failingSince").isNull() && d.path("lastError").isNull();
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    private int readyStatus(String base) {
        try {
            return get(base + "/health/ready").statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
