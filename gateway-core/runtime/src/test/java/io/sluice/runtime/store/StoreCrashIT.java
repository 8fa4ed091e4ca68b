package io.sluice.runtime.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.StreamConfig.WhenFull;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a producer process with SIGKILL at random moments, 20 times, and checks after each kill that the store
 * opens cleanly, holds every sample the producer was told was committed, continues its sequence without gaps or
 * repeats, keeps the committed cursor, and passes {@code PRAGMA integrity_check}.
 */
class StoreCrashIT {

    @TempDir
    Path dir;

    @Test
    void survivesTwentyKillsWithoutLosingAcknowledgedData() throws Exception {
        Path file = dir.resolve("crash.db");
        Random random = new Random(42);
        long acknowledgedEnd = 0;
        long acknowledgedCursor = 0;
        for (int round = 1; round <= 20; round++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashProducer.class.getName(), file.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> lines = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (lines) {
                            lines.add(line);
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the child was killed
                }
            });
            reader.start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> {
                synchronized (lines) {
                    return !lines.isEmpty();
                }
            });
            synchronized (lines) {
                assertTrue(!lines.isEmpty() && lines.get(0).startsWith("READY"), "producer did not start: " + lines);
                long reopenedNext = Long.parseLong(lines.get(0).split(" ")[1]);
                assertTrue(reopenedNext >= acknowledgedEnd, "round " + round + ": store reopened at " + reopenedNext
                        + " but " + acknowledgedEnd + " were acknowledged");
            }
            Thread.sleep(200 + random.nextInt(1300)); // the scenario: a kill at a random moment of writing, not a wait
            child.destroyForcibly(); // SIGKILL
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            reader.join(10_000);
            synchronized (lines) {
                for (String line : lines) {
                    String[] parts = line.split(" ");
                    if (parts[0].equals("C")) acknowledgedEnd = Math.max(acknowledgedEnd, Long.parseLong(parts[1]) + Long.parseLong(parts[2]));
                    if (parts[0].equals("K")) acknowledgedCursor = Math.max(acknowledgedCursor, Long.parseLong(parts[1]));
                }
            }
            verify(file, round, acknowledgedEnd, acknowledgedCursor);
        }
        assertTrue(acknowledgedEnd > 20 * 500, "the producer made progress: " + acknowledgedEnd);
    }

    private static void verify(Path file, int round, long acknowledgedEnd, long acknowledgedCursor) {
        try (StoreInspector inspector = new StoreInspector(file)) {
            assertEquals("ok", inspector.integrityCheck(), "round " + round + ": integrity");
        }
        try (SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(new StreamSettings("crash", Long.MAX_VALUE / 4, Duration.ofDays(7), WhenFull.REJECT_NEW, true, Set.of())));
            long next = store.nextSequence("crash");
            assertTrue(next >= acknowledgedEnd, "round " + round + ": " + acknowledgedEnd + " acknowledged, only " + next + " stored");
            assertTrue(store.cursor("crash", "d") >= acknowledgedCursor, "round " + round + ": cursor went back");
            long expected = 0;
            while (expected < next) {
                ReadBatch batch = store.read("crash", expected, 100_000);
                assertTrue(!batch.isEmpty(), "round " + round + ": samples missing from " + expected);
                for (StoredSample s : batch.samples()) {
                    assertEquals(expected, s.sequence(), "round " + round + ": gap or repeat");
                    assertEquals(expected, ((io.sluice.spi.Value.IntValue) s.sample().value()).value(), "round " + round + ": value");
                    expected++;
                }
            }
        }
    }
}
