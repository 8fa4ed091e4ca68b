package io.sluice.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.rigs.browser.HeadlessChromium;
import io.sluice.rigs.process.PeerProcess;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real browser against a real {@code sluice demo}: the demo runs as its own process (the built
 * jar, a free admin port, 3 s laps of the shared-memory racing simulator), and {@code console-check.cjs} drives
 * headless Chromium through it — the overview lists the demo's streams and destinations, a stream's live values
 * change between two screenshots, and the lap board shows a completed lap. Screenshots are left in
 * {@code target/console-screenshots/}.
 */
class ConsoleBrowserIT {

    private static final Duration DEMO_START = Duration.ofSeconds(120);
    private static final Duration BROWSER = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void theConsoleShowsTheDemosStreamsLiveValuesAndACompletedLap() throws Exception {
        Path jar = Path.of("target", "sluice-demo.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the demo jar is built in the package phase: " + jar);
        Path shots = Path.of("target", "console-screenshots").toAbsolutePath();
        Files.createDirectories(shots);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int port = PeerProcess.freeLoopbackPort();

        PeerProcess demo = PeerProcess.start("sluice demo",
                List.of(java, "-Xmx512m", "-jar", jar.toString(), "demo", "--duration", "10m", "--lap-time", "3s",
                        "--data", dir.resolve("data").toString(), "--admin-listen", "127.0.0.1:" + port),
                Map.of(), dir, dir.resolve("demo.log"), List.of(port), DEMO_START);
        try {
            Path script = dir.resolve("console-check.cjs");
            try (InputStream in = ConsoleBrowserIT.class.getResourceAsStream("console-check.cjs")) {
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            HeadlessChromium.Result run = HeadlessChromium.run(script, Map.of(
                    "SLUICE_URL", "http://127.0.0.1:" + port,
                    "SHOTS", shots.toString(),
                    "EXPECT_STREAMS", "telemetry,sim-telemetry,laps,alarms",
                    "EXPECT_DESTINATIONS", "local-files",
                    "LIVE_STREAM", "telemetry",
                    "LAP_STREAM", "laps",
                    "WAIT_MS", "30000",
                    "LAP_WAIT_MS", "60000",
                    "OVERALL_MS", Long.toString(BROWSER.minusSeconds(10).toMillis())), dir, BROWSER);
            String failure = "browser check: " + run.lastLine() + "\nbrowser log: " + Files.readString(run.log())
                    + "\ndemo log:\n" + demo.logTail(3000);
            assertEquals(0, run.exitCode(), failure);
            JsonNode result = new ObjectMapper().readTree(run.lastLine());
            assertTrue(result.path("ok").asBoolean(), failure);

            Set<String> streams = names(result.path("overview").path("streams"));
            assertTrue(streams.containsAll(Set.of("telemetry", "sim-telemetry", "laps", "alarms")), "overview streams " + streams);
            assertTrue(names(result.path("overview").path("destinations")).contains("local-files"), failure);
            assertTrue(names(result.path("overview").path("connectors")).containsAll(Set.of("press-line", "press-plc", "race-sim")), failure);

            JsonNode stream = result.path("stream");
            assertTrue(stream.path("changed").asInt() > 0, "live values changed between the screenshots: " + stream);
            assertFalse(stream.path("example").path("before").asText().equals(stream.path("example").path("after").asText()));
            assertTrue(stream.path("sparklines").asInt() > 0, "sparklines drawn: " + stream);

            JsonNode laps = result.path("laps");
            assertTrue(laps.size() > 0, "a completed lap on the board: " + result);
            JsonNode lap = laps.get(laps.size() - 1);
            assertTrue(lap.path("lap").asInt() >= 1, lap.toString());
            String lapTime = lap.path("cells").get(1).asText();
            assertTrue(lapTime.matches("\\d+\\.\\d{3}"), "a 3 s lap shows as s.mmm: " + lap);
            double seconds = Double.parseDouble(lapTime);
            assertTrue(seconds >= 2.7 && seconds <= 3.3, "the writer's laps last 3 s +- 200 ms: " + lap);
            assertTrue(Set.of("true", "false").contains(lap.path("valid").asText()), "valid flag shown: " + lap);
            assertTrue(result.path("bestLap").asText().matches("\\d+\\.\\d{3}"), "best lap shown: " + result);

            for (String shot : List.of("overview.png", "stream-1.png", "stream-2.png", "laps.png", "dead-letters.png")) {
                assertTrue(Files.size(shots.resolve(shot)) > 10_000, shot + " saved");
            }
        } finally {
            stopWithChildren(demo);
        }
    }

    private static Set<String> names(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Stops the demo (SIGTERM; it stops its simulators itself) and, should any outlive it, its child processes. */
    private static void stopWithChildren(PeerProcess demo) throws InterruptedException {
        List<ProcessHandle> children = new ArrayList<>(ProcessHandle.of(demo.pid()).map(p -> p.descendants().toList()).orElse(List.of()));
        demo.close();
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroy();
                if (!child.onExit().completeOnTimeout(child, 5, TimeUnit.SECONDS).join().isAlive()) continue;
                child.destroyForcibly();
            }
        }
    }
}
