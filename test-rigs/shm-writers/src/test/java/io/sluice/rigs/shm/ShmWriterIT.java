package io.sluice.rigs.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ShmWriterIT {

    @Test
    void accWriterCreatesPagesRunsItsCountAndRemovesThem() throws Exception {
        String prefix = "sluice_rigit_" + ProcessHandle.current().pid() + "_";
        try (ShmWriter writer = ShmWriter.acc(prefix, 1000, "--count", "500", "--types")) {
            assertEquals(800, Files.size(Path.of("/dev/shm/" + prefix + "physics")));
            assertEquals(1588, Files.size(Path.of("/dev/shm/" + prefix + "graphics")));
            assertEquals(820, Files.size(Path.of("/dev/shm/" + prefix + "static")));
            assertEquals(128, Files.size(Path.of("/dev/shm/" + prefix + "types")));
            String done = writer.awaitExit(Duration.ofSeconds(20));
            assertTrue(done.startsWith("DONE physics=500 "), done);
        }
        assertFalse(Files.exists(Path.of("/dev/shm/" + prefix + "physics")));
    }

    @Test
    void teWriterStopsOnSigtermAndRemovesItsPage() throws Exception {
        String name = "sluice_rigit_te_" + ProcessHandle.current().pid();
        ShmWriter writer = ShmWriter.tennesseeEastman(name, 100);
        assertEquals(424, Files.size(Path.of("/dev/shm/" + name)));
        String done = writer.stop();
        assertTrue(done.startsWith("DONE steps="), done);
        assertFalse(Files.exists(Path.of("/dev/shm/" + name)));
    }
}
