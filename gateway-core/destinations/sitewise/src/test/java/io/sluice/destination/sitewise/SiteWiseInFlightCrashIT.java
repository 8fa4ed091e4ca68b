package io.sluice.destination.sitewise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.sitewise.AcceptedValue;
import io.sluice.rigs.sitewise.SiteWiseStandIn;
import io.sluice.rigs.sitewise.ValueType;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway process killed with SIGKILL while it has eight SiteWise calls in flight (the stand-in answers each after
 * 20 ms): after a restart on the same data folder every sample arrives at least once, and the samples that arrive
 * twice are no more than the windows the kill could catch unconfirmed (the 2 windows in flight, and the ones settled
 * just before them if their cursor commit had not reached the disk: at most 2 more), counted at the stand-in.
 */
@Timeout(240)
class SiteWiseInFlightCrashIT {

    private static final String PREFIX = "/hamburg/press-shop/press-3/";
    private static final int TAGS = 20;
    private static final int PER_TAG = 1500;
    private static final int WINDOW = 1000;
    /** Windows a kill can catch unconfirmed: 2 in flight, and up to 2 settled with their cursor commit on its way. */
    private static final int UNCONFIRMED_WINDOWS = 4;

    @TempDir
    Path dir;

    private SiteWiseStandIn standIn;
    private Process child;

    @BeforeAll
    static void credentials() {
        System.setProperty("aws.accessKeyId", "AKIDSTANDIN");
        System.setProperty("aws.secretAccessKey", "secret");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        if (standIn != null) standIn.close();
    }

    private String config(boolean connector, boolean export) {
        return """
                connectors:
                  sim:
                    type: simulator
                    enabled: %s
                    stream: telemetry
                    asset: {site: hamburg, area: press-shop, machine: press-3}
                    interval: 1ms
                    limit: %d
                    tags: [{name: count, kind: counter, count: %d}]
                streams:
                  telemetry:
                    priority: 3
                    export: [{destination: sitewise}]
                destinations:
                  sitewise:
                    type: sitewise
                    enabled: %s
                    region: eu-central-1
                    endpoint-override: http://127.0.0.1:%d
                    request-timeout: 30s
                    max-backoff: 1s
                    max-calls-in-flight: 8
                    window-samples: %d
                """.formatted(connector, TAGS * PER_TAG, TAGS, export, standIn.port(), WINDOW);
    }

    private static void await(String what, Duration timeout, java.util.concurrent.Callable<Boolean> done) {
        org.awaitility.Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(20)).until(done);
    }

    @Test
    void aKillWithCallsInFlightRedeliversAtMostTheUnconfirmedWindows() throws Exception {
        standIn = SiteWiseStandIn.start();
        for (int i = 1; i <= TAGS; i++) standIn.defineAlias(PREFIX + String.format("count.%04d", i), ValueType.INTEGER);
        Path data = dir.resolve("data");
        int total = TAGS * PER_TAG;
        // the backlog, stored while the destination is disabled
        try (Gateway g = Gateway.start(ConfigLoader.parse(config(true, false), "fill.yaml"), data)) {
            await("the backlog stored", Duration.ofSeconds(60), () -> g.store().nextSequence("telemetry") >= total);
        }

        standIn.latency(Duration.ofMillis(20));
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, config(false, true));
        child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SiteWiseCrashChild.class.getName(),
                file.toString(), data.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        await("a third delivered by the child", Duration.ofSeconds(120), () -> standIn.acceptedCount() >= total / 3);
        child.destroyForcibly(); // SIGKILL with calls in flight
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        int atKill = standIn.acceptedCount();
        assertTrue(atKill < total, "killed before the end: " + atKill);

        standIn.latency(Duration.ZERO);
        try (Gateway g = Gateway.start(ConfigLoader.parse(config(false, true), "restart.yaml"), data)) {
            await("everything settled after the restart", Duration.ofSeconds(120),
                    () -> g.store().stats("telemetry").backlog("sitewise") == 0);
        }
        Map<String, Integer> counts = new HashMap<>();
        for (AcceptedValue v : standIn.accepted()) counts.merge(v.property() + "=" + v.value(), 1, Integer::sum);
        assertEquals(total, counts.size(), "every sample delivered at least once");
        int duplicates = standIn.acceptedCount() - total;
        System.out.printf("SiteWiseInFlightCrashIT: %d accepted at the kill, %d delivered twice (window %d)%n",
                atKill, duplicates, WINDOW);
        assertTrue(counts.values().stream().allMatch(n -> n <= 2), "no sample more than twice");
        assertTrue(duplicates <= UNCONFIRMED_WINDOWS * WINDOW, "at most the unconfirmed windows again: " + duplicates);
        assertEquals(java.util.List.of(), standIn.errorEntries());
    }
}
