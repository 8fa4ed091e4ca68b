package io.sluice.runtime.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a fresh folder, for tests that need a file system that really fills up. Mounting needs
 * root: without it {@link #mountOrSkip} fails a JUnit assumption, so the calling test is skipped, not failed.
 * {@link #close()} unmounts it (lazily, so a file a test left open does not keep it busy).
 */
public final class Tmpfs implements AutoCloseable {

    private static final long WAIT_SECONDS = 30;

    private final Path path;

    private Tmpfs(Path path) {
        this.path = path;
    }

    /**
     * Creates {@code folder} and mounts a tmpfs of {@code size} (as {@code mount -o size=}, e.g. {@code "16m"}) on it;
     * skips the calling test if that is refused. {@code skipped} names what is skipped in the assumption's message.
     */
    public static Tmpfs mountOrSkip(Path folder, String size, String skipped) throws IOException, InterruptedException {
        Files.createDirectories(folder);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", folder.toString())
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes());
        assumeTrue(done && p.exitValue() == 0, "needs root to mount a tmpfs (" + skipped + " skipped): " + output);
        return new Tmpfs(folder);
    }

    /** The mount point. */
    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", "-l", path.toString()).inheritIO().start().waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
