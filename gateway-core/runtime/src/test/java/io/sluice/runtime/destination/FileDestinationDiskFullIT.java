package io.sluice.runtime.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.testing.Tmpfs;
import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.testkit.FakeDestinationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file destination on a 2 MB tmpfs that fills up in the middle of a window: the call fails as retryable, the file
 * still ends on a whole line, and once space is freed the same window is written again, exactly once. Needs root
 * (mount); without it the test is skipped (FileDestinationTest injects the same fault through a FileChannel).
 */
@Timeout(60)
class FileDestinationDiskFullIT {

    @TempDir
    Path dir;

    @RegisterExtension
    final Tmpfs tmpfs = new Tmpfs("2m", "disk-full test");

    @Test
    void aDiskThatFillsMidWindowLeavesWholeLinesAndTheRetryWritesTheWindowOnce() throws Exception {
        Path mount = tmpfs.path();
        Path filler = mount.resolve("filler.bin");
        Files.write(filler, new byte[1 << 20]);
        Path out = mount.resolve("out");
        try (FakeDestinationContext context = FileTestData.context(dir.resolve("state"))) {
            FileDestination destination = new FileDestination("out", FileTestData.config(out, "64MB", Duration.ZERO, 0),
                    FileDestination.DEFAULT_OPENER);
            destination.start(context);
            long next = 0;
            Throwable failure = null;
            while (failure == null && next < 100_000) {
                try {
                    destination.sendAsync(destination.pack(FileTestData.samples(next, next + 200)).packets()).get(10, TimeUnit.SECONDS);
                    next += 200;
                } catch (ExecutionException e) {
                    failure = e.getCause();
                }
            }
            assertNotNull(failure, "the disk filled up");
            assertTrue(assertInstanceOf(SluiceException.class, failure).retryable(), failure.getMessage());
            assertEquals(FileLines.range(0, next), FileLines.sequences(out), "whole lines of the confirmed windows only");
            assertEquals(1, context.counter("file.writes.failed"));

            Files.delete(filler); // the operator frees space; the publisher retries the window
            List<PacketOutcome> retried = destination.sendAsync(destination.pack(FileTestData.samples(next, next + 200)).packets())
                    .get(10, TimeUnit.SECONDS);
            assertTrue(retried.stream().allMatch(o -> o instanceof PacketOutcome.Delivered));
            destination.sendAsync(destination.pack(FileTestData.samples(next + 200, next + 400)).packets()).get(10, TimeUnit.SECONDS);
            destination.close();
            assertEquals(FileLines.range(0, next + 400), FileLines.sequences(out));
        }
    }
}
