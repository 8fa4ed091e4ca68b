package io.sluice.runtime.publish;

import io.sluice.spi.SluiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether an operator paused a destination, kept as the empty file {@code paused} in its state directory
 * ({@code <data>/state/destinations/<name>/}), so a pause outlives restarts and can be set on a stopped data
 * directory.
 */
public final class PauseMarker {

    static final String FILE = "paused";

    private PauseMarker() {}

    public static boolean isPaused(Path stateRoot, String destination) {
        return Files.exists(stateRoot.resolve(destination).resolve(FILE));
    }

    /** Sets or clears the marker; returns whether it changed anything. */
    public static boolean set(Path stateRoot, String destination, boolean paused) {
        Path file = stateRoot.resolve(destination).resolve(FILE);
        try {
            if (paused) {
                if (Files.exists(file)) return false;
                Files.createDirectories(file.getParent());
                Files.createFile(file);
                return true;
            }
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new SluiceException("cannot " + (paused ? "write " : "remove ") + file + ": " + e.getMessage(), false, e);
        }
    }
}
