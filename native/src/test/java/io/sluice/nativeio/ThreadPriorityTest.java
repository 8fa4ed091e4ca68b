package io.sluice.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class ThreadPriorityTest {

    @Test
    void rejectsOutOfRangePriorities() {
        assertThrows(IllegalArgumentException.class, () -> ThreadPriority.raiseCurrentThread(0));
        assertThrows(IllegalArgumentException.class, () -> ThreadPriority.raiseCurrentThread(100));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void raisesOnlyTheCallingThreadOrSaysWhyNot() throws Exception {
        AtomicReference<ThreadPriority.Result> result = new AtomicReference<>();
        AtomicReference<String> policy = new AtomicReference<>();
        Thread t = new Thread(() -> {
            result.set(ThreadPriority.raiseCurrentThread(5));
            try {
                // field 41 of /proc/thread-self/stat is the scheduling policy (1 = SCHED_FIFO)
                String stat = Files.readString(Path.of("/proc/thread-self/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                policy.set(f[41 - 3]);
            } catch (Exception e) {
                policy.set("?" + e);
            }
        });
        t.start();
        t.join();
        if (result.get().raised()) {
            assertEquals("1", policy.get(), result.get().detail());
        } else {
            assertTrue(result.get().detail().contains("errno"), result.get().detail());
            assertFalse(policy.get().equals("1"));
        }
    }
}
