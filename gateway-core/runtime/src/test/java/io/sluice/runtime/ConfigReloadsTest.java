package io.sluice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.spi.SluiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Standalone reload of the config file: only what changed restarts; an invalid edit is rejected and the old config runs on. */
@Timeout(60)
class ConfigReloadsTest {

    @TempDir
    Path dir;

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    private static String config(String bInterval, int priority) {
        return """
                connectors:
                  a: {type: simulator, stream: t, interval: 50ms, tags: [{name: x, kind: counter, count: 1}]}
                  b: {type: simulator, stream: t, interval: %s, tags: [{name: y, kind: counter, count: 1}]}
                streams:
                  t:
                    priority: %d
                """.formatted(bInterval, priority);
    }

    private static GatewayStatus.ConnectorStatus connector(Gateway g, String name) {
        return g.status().connectors().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aChangedConnectorRestartsAloneAndAnInvalidEditIsRejectedWithFileLineAndKey() throws Exception {
        Path file = dir.resolve("gw.yaml");
        Files.writeString(file, config("50ms", 5));
        MeterRegistry registry = new SimpleMeterRegistry();
        try (Gateway g = Gateway.start(ConfigLoader.load(file), dir.resolve("data"), Clock.systemUTC(), registry)) {
            await(() -> connector(g, "a").samplesCommitted() > 0 && connector(g, "b").samplesCommitted() > 0, "both connectors run");
            long aSince = connector(g, "a").sinceMillis();
            long bSince = connector(g, "b").sinceMillis();
            await(() -> System.currentTimeMillis() > Math.max(aSince, bSince) + 1, "the clock moved on");

            assertEquals(ConfigReloads.Outcome.UNCHANGED, g.reload("test").outcome(), "an untouched file changes nothing");

            Files.writeString(file, config("20ms", 5));
            ConfigReloads.Result applied = g.reload("test");
            assertEquals(ConfigReloads.Outcome.APPLIED, applied.outcome(), applied.detail());
            assertEquals("connectors changed [b]", applied.detail());
            assertEquals(aSince, connector(g, "a").sinceMillis(), "a kept running");
            assertTrue(connector(g, "b").sinceMillis() > bSince, "b restarted");

            Files.writeString(file, config("20ms", 99));
            ConfigReloads.Result rejected = g.reload("test");
            assertEquals(ConfigReloads.Outcome.REJECTED, rejected.outcome());
            assertTrue(rejected.detail().startsWith(file + ":6:"), rejected.detail());
            assertTrue(rejected.detail().contains("streams.t.priority"), rejected.detail());
            assertEquals(5, g.config().streams().get("t").priority(), "the running configuration stays");
            long bAfter = connector(g, "b").sinceMillis();
            assertEquals(bAfter, connector(g, "b").sinceMillis());

            ConfigReloads.Status status = g.status().reloads();
            assertEquals(1, status.applied());
            assertEquals(1, status.unchanged());
            assertEquals(1, status.rejected());
            assertEquals(ConfigReloads.Outcome.REJECTED, status.lastOutcome());
            assertEquals(1.0, registry.find("sluice.config.reloads").tags("result", "rejected").counter().count());
        }
    }

    @Test
    void aChangeThatAppliesOnlyAtTheNextStartIsSaidSo() {
        var before = io.sluice.runtime.config.ConfigLoader.parse("streams: {t: {}}", "a.yaml");
        var after = io.sluice.runtime.config.ConfigLoader.parse("admin: {listen: \"127.0.0.1:9999\"}\nstreams: {t: {}}", "a.yaml");
        assertEquals(java.util.List.of("admin endpoint settings changed (they apply at the next start)"), ConfigChanges.between(before, after));
        assertEquals("no effective change", ConfigChanges.describe(before, before));
        var json = io.sluice.runtime.config.ConfigLoader.parse("logging: {format: json}\nstreams: {t: {}}", "a.yaml");
        assertEquals(java.util.List.of("logging settings changed (they apply at the next start)"), ConfigChanges.between(before, json));
    }

    @Test
    void aConfigThatDidNotComeFromAFileCannotBeReloaded() {
        try (Gateway g = Gateway.start(ConfigLoader.parse("streams: {t: {}}", "greengrass:io.sluice.Gateway"), dir.resolve("data"))) {
            var e = assertThrows(SluiceException.class, () -> g.reload("test"));
            assertTrue(e.getMessage().contains("not from a file"), e.getMessage());
        }
    }

    @Test
    void theWatcherCallsOnceTheFileIsQuietAfterAnEditorsWrites() throws Exception {
        Path file = dir.resolve("gw.yaml");
        Files.writeString(file, "a: 1\n");
        Files.writeString(dir.resolve("other.yaml"), "x");
        AtomicInteger changes = new AtomicInteger();
        try (ConfigFileWatcher watcher = ConfigFileWatcher.start(file, Duration.ofMillis(300), changes::incrementAndGet)) {
            Files.writeString(dir.resolve("other.yaml"), "y"); // another file in the folder is no change
            Path tmp = dir.resolve("gw.yaml.tmp");
            Files.writeString(tmp, "a: 2\n");
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(file, "a: 3\n");
            await(() -> changes.get() >= 1, "the change is reported");
        }
    }
}
