package io.sluice.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Runs only on Windows (skipped on Linux and macOS, where this class still compiles): the test plays the
 * simulator with {@code CreateFileMappingW} on the paging file and reads through {@link SharedMemory}.
 */
@EnabledOnOs(OS.WINDOWS)
class WindowsSharedMemoryTest {

    @Test
    void notRunningSimulatorIsEmpty() {
        assertTrue(SharedMemory.openReadOnly("Local\\sluice_test_absent_" + ProcessHandle.current().pid(),
                Path.of("unused")).isEmpty());
    }

    @Test
    void readsWhatTheWriterMapsWithoutCreatingIt() {
        String name = "Local\\sluice_test_" + ProcessHandle.current().pid();
        Kernel32 k32 = Kernel32.INSTANCE;
        WinNT.HANDLE mapping = k32.CreateFileMapping(WinBase.INVALID_HANDLE_VALUE, null, WinNT.PAGE_READWRITE, 0, 800, name);
        assertNotNull(mapping);
        Pointer writer = k32.MapViewOfFile(mapping, WinBase.FILE_MAP_WRITE, 0, 0, 800);
        try {
            writer.setInt(0, 42);
            writer.setFloat(28, 123.5f);
            try (SharedMemoryView view = SharedMemory.openReadOnly(name, Path.of("unused")).orElseThrow()) {
                assertTrue(view.size() >= 800);
                assertEquals(42, view.buffer().getInt(0));
                assertEquals(123.5f, view.buffer().getFloat(28));
                writer.setInt(0, 43);
                assertEquals(43, view.buffer().getInt(0));
                assertTrue(view.buffer().isReadOnly());
            }
        } finally {
            k32.UnmapViewOfFile(writer);
            k32.CloseHandle(mapping);
        }
    }
}
