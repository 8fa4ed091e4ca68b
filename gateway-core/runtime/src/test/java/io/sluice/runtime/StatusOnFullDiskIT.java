package io.sluice.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.testing.Tmpfs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A gateway whose data directory is on a 16 MB tmpfs that another file fills to the last byte keeps rewriting
 * {@code status.json}, and still holds its lock. Needs root (mount); skipped otherwise.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatusOnFullDiskIT {

    @RegisterExtension
    final Tmpfs tmpfs = new Tmpfs("16m", "full-disk status test");

    /** Writes to {@code filler} until the file system refuses even one more byte. */
    private static void fill(Path filler) throws IOException {
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (int chunk : new int[] {1 << 20, 4096, 1}) {
                byte[] bytes = new byte[chunk];
                try {
                    while (true) {
                        out.write(bytes);
                        out.flush();
                    }
                } catch (IOException full) {
                    // next, smaller chunk
                }
            }
        } catch (IOException closingOnAFullDisk) {
            // the stream's close may fail the same way
        }
    }

    private static JsonNode status(Path data) throws IOException {
        // the plain way any tool reads it: the whole file as JSON
        return new ObjectMapper().readTree(data.resolve(Gateway.STATUS_FILE).toFile());
    }

    @Test
    void statusIsRewrittenWhileTheDiskIsFull() throws Exception {
        Path mount = tmpfs.path();
        Path data = mount.resolve("data");
        var config = ConfigLoader.parse("streams:\n  s: {priority: 1}\n", "full.yaml");
        try (Gateway gateway = Gateway.start(config, data)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> Files.exists(data.resolve(Gateway.STATUS_FILE)));
            fill(mount.resolve("filler.bin"));
            FileStore store = Files.getFileStore(mount);
            assertTrue(store.getUsableSpace() < 4096, "disk full: " + store.getUsableSpace() + " bytes free");
            long fullSince = System.currentTimeMillis();

            long[] written = {0};
            await().atMost(Duration.ofNanos(deadline - System.nanoTime())).pollInterval(Duration.ofMillis(50)).until(() -> {
                try {
                    written[0] = status(data).path("writtenMillis").asLong();
                } catch (IOException unreadable) {
                    // the old writer's partial file; keep looking until the deadline
                }
                return written[0] > fullSince + 1000;
            });
            assertTrue(written[0] > fullSince + 1000, "status.json was rewritten after the disk became full: written "
                    + (written[0] - fullSince) + " ms after");
            assertEquals("running", status(data).path("state").asText());
            assertEquals(DataDirectoryLock.State.HELD, DataDirectoryLock.probe(data));
            assertTrue(StatusFile.read(data.resolve(Gateway.STATUS_FILE)).isPresent());
        }
        assertEquals("stopped", status(data).path("state").asText(), "the last status is written at stop, disk still full");
        assertEquals(DataDirectoryLock.State.FREE, DataDirectoryLock.probe(data));
    }
}
