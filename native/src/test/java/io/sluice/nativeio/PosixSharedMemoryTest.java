package io.sluice.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

@DisabledOnOs(OS.WINDOWS)
class PosixSharedMemoryTest {

    @TempDir
    Path dir;

    @Test
    void missingObjectIsEmptyNotAnError() {
        assertTrue(SharedMemory.openReadOnly("Local\\nothing", dir.resolve("nothing")).isEmpty());
    }

    @Test
    void seesWritesOfAnotherMappingLiveAndLittleEndian() throws Exception {
        Path file = dir.resolve("page");
        ByteBuffer out = WritablePage.create(file, 64);
        out.putInt(0, 7);
        Optional<SharedMemoryView> opened = SharedMemory.openReadOnly("unused", file);
        assertTrue(opened.isPresent());
        try (SharedMemoryView view = opened.get()) {
            assertEquals(64, view.size());
            assertEquals(file.toString(), view.name());
            assertEquals(7, view.buffer().getInt(0));
            out.putInt(0, 0x01020304);
            out.putDouble(8, 2.5);
            assertEquals(0x01020304, view.buffer().getInt(0));
            assertEquals(4, view.buffer().get(0));
            assertEquals(2.5, view.buffer().getDouble(8));
            assertTrue(view.buffer().isReadOnly());
            assertTrue(view.isCurrent());
        }
    }

    @Test
    void replacedOrRemovedObjectIsNoLongerCurrent() throws Exception {
        Path file = dir.resolve("page");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(16);
        }
        SharedMemoryView view = SharedMemory.openReadOnly("unused", file).orElseThrow();
        assertTrue(view.isCurrent());
        Files.delete(file);
        assertFalse(view.isCurrent());
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(16);
        }
        assertFalse(view.isCurrent(), "a new object under the same name is a different object");
        SharedMemoryView reopened = SharedMemory.openReadOnly("unused", file).orElseThrow();
        assertTrue(reopened.isCurrent());
        view.close();
        reopened.close();
    }

    @Test
    void unreadableObjectIsAnError() throws Exception {
        Path notAFile = Files.createDirectory(dir.resolve("dir"));
        assertThrows(SharedMemoryException.class, () -> SharedMemory.openReadOnly("unused", notAFile));
    }
}
