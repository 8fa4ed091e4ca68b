package io.sluice.connector.simmem;

import static io.sluice.connector.simmem.Configs.config;
import static io.sluice.connector.simmem.Configs.page;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import io.sluice.spi.Value;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/** The connector against pages in plain files written by the test itself (the IT uses the C writer process). */
@DisabledOnOs(OS.WINDOWS)
class SimMemConnectorTest {

    @TempDir
    Path dir;

    private static final String COUNTER_LAYOUT = """
            name: tiny
            path: /dev/shm/unused
            size: 16
            update-counter: n
            fields:
              - {name: n, type: int32, offset: 0}
              - {name: v, type: float64, offset: 8, unit: bar}
            """;

    private Path writeTinyLayout() throws java.io.IOException {
        Path layoutFile = dir.resolve("tiny.yaml");
        Files.writeString(layoutFile, COUNTER_LAYOUT);
        return layoutFile;
    }

    /** The tiny layout over {@code dir/page}. */
    private SimMemConnector tinyPageConnector() throws java.io.IOException {
        return new SimMemConnector("sim", config(List.of(page(writeTinyLayout().toString(), dir.resolve("page").toString()))));
    }

    private static ByteBuffer mapTinyPage(FileChannel ch) throws java.io.IOException {
        return ch.map(FileChannel.MapMode.READ_WRITE, 0, 16).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A page in a plain file, created for the test to write into. */
    private static FileChannel openPage(Path pageFile) throws java.io.IOException {
        return FileChannel.open(pageFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @Test
    void absentPageIsWaitingAndTooSmallPageIsAClearErrorWithoutValues() throws Exception {
        List<Sample> got = new CopyOnWriteArrayList<>();
        Path small = dir.resolve("small");
        Files.write(small, new byte[100]);
        SimMemConnector c = new SimMemConnector("sim", config(List.of(
                page("tennessee-eastman", dir.resolve("absent").toString()),
                page("tennessee-eastman", small.toString()))));
        try (FakeConnectorContext ctx = new FakeConnectorContext("sim", dir).beforeAppend(got::addAll)) {
            c.start(ctx);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx.healthDetail().contains("needs 424")
                    && ctx.healthDetail().contains("not found"), ctx.healthLog().toString()));
            assertTrue(ctx.healthDetail().contains(small + " is 100 bytes but layout tennessee-eastman needs 424"),
                    ctx.healthDetail());
            assertEquals(HealthState.DISCONNECTED, ctx.healthState());
            c.stop();
        }
        assertTrue(got.isEmpty(), "never values from a page too small for its layout");
    }

    @Test
    void emitsEveryUpdateCountsSkippedCountersAndSeesARestart() throws Exception {
        List<Sample> got = new CopyOnWriteArrayList<>();
        SimMemConnector c = tinyPageConnector();
        try (FileChannel ch = openPage(dir.resolve("page")); FakeConnectorContext ctx = new FakeConnectorContext("sim", dir).beforeAppend(got::addAll)) {
            ByteBuffer page = mapTinyPage(ch);
            page.putDouble(8, 1.5).putInt(0, 1);
            c.start(ctx);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(got.size() == 2, got.toString()));
            assertEquals(new Sample("tiny.n", Value.of(1L), io.sluice.spi.Quality.GOOD, 0, got.get(0).sourceTimeNanos(),
                    got.get(0).receiveTimeNanos(), null), got.get(0));
            assertEquals("bar", got.get(1).unit());
            assertEquals(Value.of(1.5), got.get(1).value());
            page.putDouble(8, 2.5).putInt(0, 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 4);
            page.putDouble(8, 5.5).putInt(0, 5);
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 6);
            assertEquals(2, c.stats().get(0).missed(), "counters 3 and 4 were never seen");
            page.putInt(0, 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 8);
            assertEquals(1, c.stats().get(0).restarts());
            assertEquals(2, c.stats().get(0).missed(), "a counter going back is a restart, not a miss");
            assertEquals(HealthState.CONNECTED, ctx.healthState());
            c.stop();
            assertEquals(HealthState.STOPPED, ctx.healthState());
        }
    }

    @Test
    void aStoreThatRefusesIsOneWarningAndACountNotALinePerBatchAndItsEndIsOneLine() throws Exception {
        SimMemConnector c = tinyPageConnector();
        try (FileChannel ch = openPage(dir.resolve("page")); FakeConnectorContext ctx = new FakeConnectorContext("sim", dir).recordLogs()) {
            ByteBuffer page = mapTinyPage(ch);
            ctx.refuseAppends(SluiceException.retryable("stream sim is full (reject-new)", null));
            // the first update is on the page before the reader starts, so it never sees the empty page as one
            page.putInt(0, 1);
            c.start(ctx);
            for (int n = 1; n <= 10; n++) {
                page.putInt(0, n);
                int seen = n;
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(seen, c.stats().get(0).emitted(), c.stats() + " " + ctx.logLines()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> ctx.counter("simmem.samples.refused") == 20);
            assertEquals(1, ctx.logged(Level.WARN, "refus"), ctx.logLines().toString());
            assertTrue(ctx.samples().isEmpty());

            ctx.acceptAppends();
            page.putInt(0, 11);
            ctx.awaitSamples(2, Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10)).until(() -> ctx.logged(Level.INFO, "accepts samples again after 20 refused") == 1);
            assertEquals(1, ctx.logged(Level.WARN, "refus"), "one warning for the whole episode");
            c.stop();
        }
    }

    @Test
    void pageThatStopsUpdatingIsReportedIdleAndDecimationLimitsTheRate() throws Exception {
        Path layoutFile = writeTinyLayout();
        Path pageFile = dir.resolve("page");
        List<Sample> got = new CopyOnWriteArrayList<>();
        try (FileChannel ch = openPage(pageFile); FakeConnectorContext ctx = new FakeConnectorContext("sim", dir).beforeAppend(got::addAll)) {
            ByteBuffer page = mapTinyPage(ch);
            SimMemConfig.PageConfig decimated = new SimMemConfig.PageConfig(layoutFile.toString(),
                    java.util.Optional.of(pageFile.toString()), java.util.Optional.empty(), List.of("v"), 0.5,
                    java.time.Duration.ofMillis(100), java.util.Optional.of("p"), SimMemConfig.Shape.RECORD);
            SimMemConnector c = new SimMemConnector("sim", config(List.of(decimated)));
            page.putInt(0, 1);
            c.start(ctx);
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 1);
            for (int n = 2; n <= 20; n++) {
                page.putInt(0, n);
                int seen = n;
                // polled closely: the whole burst must fall within the 2 s the rate limit allows one snapshot in
                await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(10))
                        .until(() -> c.stats().get(0).snapshots() == seen);
            }
            assertEquals(1, got.size(), "max-rate 0.5/s lets one snapshot of the burst through");
            assertEquals("p", got.get(0).tag());
            assertTrue(got.get(0).value() instanceof Value.StructValue s && s.fields().keySet().equals(java.util.Set.of("v")));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx.healthDetail().contains("no updates"), ctx.healthLog().toString()));
            assertEquals(0, c.stats().get(0).missed());
            c.stop();
        }
    }

    @Test
    void invalidLayoutFileFailsTheStartNamingEveryProblem() throws Exception {
        Path layoutFile = dir.resolve("bad.yaml");
        Files.writeString(layoutFile, COUNTER_LAYOUT.replace("offset: 8", "offset: 2").replace("size: 16", "size: 8"));
        SimMemConnector c = new SimMemConnector("sim", config(List.of(page(layoutFile.toString(), null))));
        try (FakeConnectorContext ctx = new FakeConnectorContext("sim", dir)) {
            SluiceException e = assertThrows(SluiceException.class, () -> c.start(ctx));
            assertTrue(e.getMessage().contains("pages[0].layout"), e.getMessage());
            assertTrue(e.getMessage().contains("overlap 'n'"), e.getMessage());
            assertTrue(e.getMessage().contains("run past the page size 8"), e.getMessage());
            assertTrue(!e.retryable());
        }
    }
}
