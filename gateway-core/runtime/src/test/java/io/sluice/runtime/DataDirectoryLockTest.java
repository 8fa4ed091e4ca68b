package io.sluice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.ConfigLoader;
import io.sluice.spi.SluiceException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DataDirectoryLockTest {

    @TempDir
    Path dir;

    @Test
    void aHeldDirectoryIsRefusedAndProbedAsHeldUntilReleased() {
        Path data = dir.resolve("data");
        assertEquals(DataDirectoryLock.State.NEVER_USED, DataDirectoryLock.probe(data));
        try (DataDirectoryLock lock = DataDirectoryLock.acquire(data)) {
            assertEquals(DataDirectoryLock.State.HELD, DataDirectoryLock.probe(data));
            assertEquals(DataDirectoryLock.State.HELD, DataDirectoryLock.probe(data), "probing does not drop the holder's lock");
            SluiceException e = assertThrows(SluiceException.class, () -> DataDirectoryLock.acquire(dir.resolve("x/../data")));
            assertEquals("data directory " + data + " is in use by another running gateway (stop it first, or give this one "
                    + "its own --data directory)", e.getMessage());
        }
        assertEquals(DataDirectoryLock.State.FREE, DataDirectoryLock.probe(data));
        try (DataDirectoryLock again = DataDirectoryLock.acquire(data)) {
            assertEquals(DataDirectoryLock.State.HELD, DataDirectoryLock.probe(data));
        }
    }

    @Test
    void aSecondGatewayOnTheSameDirectoryFailsWithOneLineAndTheFirstKeepsIt() {
        var config = ConfigLoader.parse("streams:\n  s: {priority: 1}\n", "t.yaml");
        Path data = dir.resolve("data");
        try (Gateway first = Gateway.start(config, data)) {
            SluiceException e = assertThrows(SluiceException.class, () -> Gateway.start(config, data));
            assertTrue(e.getMessage().contains("is in use by another running gateway"), e.getMessage());
            assertEquals(DataDirectoryLock.State.HELD, DataDirectoryLock.probe(data));
        }
        assertEquals(DataDirectoryLock.State.FREE, DataDirectoryLock.probe(data));
    }

    @Test
    void aStoreThatCannotOpenReleasesTheDirectory() throws Exception {
        var config = ConfigLoader.parse("streams:\n  s: {priority: 1}\n", "t.yaml");
        Path data = dir.resolve("data");
        java.nio.file.Files.createDirectories(data.resolve(Gateway.STORE_FILE)); // a directory where the database belongs
        assertThrows(RuntimeException.class, () -> Gateway.start(config, data));
        assertEquals(DataDirectoryLock.State.FREE, DataDirectoryLock.probe(data));
    }
}
