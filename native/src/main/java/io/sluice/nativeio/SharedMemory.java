package io.sluice.nativeio;

import com.sun.jna.Platform;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens simulator shared memory read-only, on Windows by mapping name and elsewhere by POSIX path. This is the only
 * entry point the connectors use; the platform code lives in {@link WindowsSharedMemory} and
 * {@link PosixSharedMemory}.
 */
public final class SharedMemory {

    private SharedMemory() {}

    /**
     * Opens the object for reading.
     *
     * @param windowsName the file-mapping name on Windows, e.g. {@code Local\acpmf_physics}
     * @param posixPath   the object's path elsewhere, e.g. {@code /dev/shm/acpmf_physics}
     * @return the view, or empty when no such object exists (the simulator is not running)
     * @throws SharedMemoryException when the object exists but cannot be opened or mapped
     */
    public static Optional<SharedMemoryView> openReadOnly(String windowsName, Path posixPath) {
        if (Platform.isWindows()) {
            return WindowsSharedMemory.openReadOnly(windowsName);
        }
        return PosixSharedMemory.openReadOnly(posixPath);
    }

    /** True on Windows, where mapping names are used; false where POSIX paths are used. */
    public static boolean usesMappingNames() {
        return Platform.isWindows();
    }
}
