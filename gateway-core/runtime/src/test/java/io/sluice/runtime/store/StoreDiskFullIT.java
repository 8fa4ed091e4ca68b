package io.sluice.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.runtime.config.StreamConfig.WhenFull;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fills a 16 MB tmpfs: the store reports DISK_FULL, refuses appends with a retryable error, applies drop-oldest,
 * keeps running and loses nothing committed; when space returns, appends succeed again. Needs root (mount).
 */
class StoreDiskFullIT {

    @TempDir
    Path dir;
    Path mount;
    boolean mounted;

    @BeforeEach
    void mountTmpfs() throws Exception {
        mount = dir.resolve("small");
        Files.createDirectories(mount);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes());
        mounted = done && p.exitValue() == 0;
        assumeTrue(mounted, "needs root to mount a tmpfs (disk-full test skipped): " + output);
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
    }

    private static List<Sample> batch(long base) {
        List<Sample> out = new ArrayList<>();
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int i = 0; i < 1000; i++) {
            // random-looking payload so the blocks do not stay tiny
            out.add(new Sample("tag" + i, Value.of("v" + Long.toHexString((base + i) * 0x9E3779B97F4A7C15L)), Quality.GOOD, 0, now, now, null));
        }
        return out;
    }

    @Test
    void fullDiskIsReportedAndSurvivedWithoutLosingCommittedData() throws Exception {
        Path filler = mount.resolve("filler.bin");
        Files.write(filler, new byte[4 << 20]);
        Path file = mount.resolve("store.db");
        List<Long> committedFirst = new ArrayList<>();
        try (SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(
                    new StreamSettings("keep", 1L << 40, Duration.ofDays(7), WhenFull.REJECT_NEW, true, Set.of()),
                    new StreamSettings("bulk", 1L << 40, Duration.ofDays(7), WhenFull.DROP_OLDEST, true, Set.of())));
            Throwable failure = null;
            for (int i = 0; i < 2_000 && failure == null; i++) {
                try {
                    var r = store.append(i % 4 == 0 ? "keep" : "bulk", "t", batch(i * 1000L), null).get(30, TimeUnit.SECONDS);
                    if (i % 4 == 0) committedFirst.add(r.firstSequence());
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = e.getCause();
                }
            }
            assertInstanceOf(StoreFullException.class, failure, "appends fail with a retryable store-full error");
            assertTrue(((StoreFullException) failure).retryable());
            assertEquals(StoreHealth.State.FULL, store.health().state());
            assertTrue(store.stats("bulk").droppedFull() > 0, "drop-oldest stream gave up its oldest samples");
            assertTrue(store.stats("keep").storedSamples() >= committedFirst.size() * 1000L, "nothing committed in 'keep' was dropped");

            Files.delete(filler); // space returns
            boolean resumed = false;
            for (int attempt = 0; attempt < 50 && !resumed; attempt++) {
                try {
                    var r = store.append("keep", "t", batch(-1), null).get(30, TimeUnit.SECONDS);
                    committedFirst.add(r.firstSequence());
                    resumed = true;
                } catch (java.util.concurrent.ExecutionException | CompletionException e) {
                    Thread.sleep(100);
                }
            }
            assertTrue(resumed, "ingest resumes once space is back");
            assertEquals(StoreHealth.State.OK, store.health().state());
        }
        try (StoreInspector inspector = new StoreInspector(file)) {
            assertEquals("ok", inspector.integrityCheck());
        }
        try (SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(new StreamSettings("keep", 1L << 40, Duration.ofDays(7), WhenFull.REJECT_NEW, true, Set.of())));
            for (long first : committedFirst) {
                ReadBatch b = store.read("keep", first, 1000);
                assertEquals(1000, b.samples().size(), "committed block at " + first + " is intact after reopen");
                assertEquals(first, b.samples().get(0).sequence());
            }
        }
    }
}
