package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class RecentIdsTest {

    static final long HOUR = 3_600_000L;

    @TempDir
    Path state;

    @Test
    void keepsAtMostCapacityIdsOldestOut() throws Exception {
        try (RecentIds r = new RecentIds(3, HOUR, null)) {
            for (int i = 0; i < 5; i++) {
                r.add("id-" + i, 1_000 + i);
            }
            assertEquals(3, r.size());
            assertFalse(r.contains("id-1", 1_010));
            assertTrue(r.contains("id-2", 1_010));
            assertTrue(r.contains("id-4", 1_010));
        }
    }

    @Test
    void forgetsIdsOlderThanMaxAge() throws Exception {
        try (RecentIds r = new RecentIds(100, HOUR, null)) {
            r.add("old", 0);
            r.add("new", HOUR / 2);
            assertTrue(r.contains("old", HOUR));
            assertFalse(r.contains("old", HOUR + 1));
            assertTrue(r.contains("new", HOUR + 1));
            assertEquals(1, r.size());
        }
    }

    @Test
    void survivesARestartThroughTheStateDirectory() throws Exception {
        try (RecentIds r = new RecentIds(100, HOUR, state)) {
            r.load(0);
            r.add("cs:3ac7e3c4-4401-4b8d-9386-a5c902f9202d", 10);
            r.add("tts:70b3d57ed0001234/9/2026-11-22T06:00:01.3Z", 20);
            r.add("an id with spaces", 30);
        }
        try (RecentIds again = new RecentIds(100, HOUR, state)) {
            assertEquals(0, again.load(40));
            assertTrue(again.contains("cs:3ac7e3c4-4401-4b8d-9386-a5c902f9202d", 40));
            assertTrue(again.contains("tts:70b3d57ed0001234/9/2026-11-22T06:00:01.3Z", 40));
            assertTrue(again.contains("an id with spaces", 40));
            assertFalse(again.contains("another", 40));
        }
        try (RecentIds later = new RecentIds(100, HOUR, state)) {
            later.load(HOUR + 15);
            assertFalse(later.contains("cs:3ac7e3c4-4401-4b8d-9386-a5c902f9202d", HOUR + 15), "too old by the time of the restart");
            assertTrue(later.contains("tts:70b3d57ed0001234/9/2026-11-22T06:00:01.3Z", HOUR + 15));
        }
    }

    @Test
    void theFileStaysBoundedAndUnreadableLinesAreSkipped() throws Exception {
        Files.createDirectories(state);
        Files.writeString(state.resolve(RecentIds.FILE), "5 good\nbroken\nx bad\n7 \n");
        try (RecentIds r = new RecentIds(10, HOUR, state)) {
            assertEquals(3, r.load(100));
            assertTrue(r.contains("good", 100));
            for (int i = 0; i < 1_000; i++) {
                r.add("id-" + i, 100 + i);
            }
            assertEquals(10, r.size());
        }
        long lines = Files.readAllLines(state.resolve(RecentIds.FILE)).size();
        assertTrue(lines <= 20, lines + " lines for a window of 10");
        try (RecentIds r = new RecentIds(10, HOUR, state)) {
            r.load(2_000);
            assertTrue(r.contains("id-999", 2_000));
            assertFalse(r.contains("id-989", 2_000));
            assertEquals(10, r.size());
        }
    }

    @Test
    void capacityZeroTurnsItOff() throws Exception {
        try (RecentIds r = new RecentIds(0, HOUR, state)) {
            r.load(0);
            r.add("x", 0);
            assertFalse(r.contains("x", 0));
            assertFalse(Files.exists(state.resolve(RecentIds.FILE)));
        }
    }
}
