package io.sluice.runtime.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A small tmpfs, mounted for each test on a fresh folder, for tests that need a file system that really fills up:
 * {@code @RegisterExtension final Tmpfs tmpfs = new Tmpfs("16m", "disk-full test");}, then {@link #path()}.
 * Mounting needs root: without it the mount is refused and the test is skipped by a JUnit assumption, not failed.
 * After each test the tmpfs is unmounted (lazily, so a file the test left open does not keep it busy).
 */
public final class Tmpfs implements BeforeEachCallback, AfterEachCallback {

    private static final long WAIT_SECONDS = 30;

    private final String size;
    private final String skipped;
    private Path path;
    private boolean mounted;

    /**
     * @param size as {@code mount -o size=}, e.g. {@code "16m"}
     * @param skipped what the message of the assumption says is skipped without root
     */
    public Tmpfs(String size, String skipped) {
        this.size = size;
        this.skipped = skipped;
    }

    /** The mount point of the current test. */
    public Path path() {
        return path;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        path = Files.createTempDirectory("sluice-tmpfs-");
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path.toString())
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes());
        mounted = done && p.exitValue() == 0;
        assumeTrue(mounted, "needs root to mount a tmpfs (" + skipped + " skipped): " + output);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (mounted) {
            new ProcessBuilder("umount", "-l", path.toString()).inheritIO().start().waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
            mounted = false;
        }
        if (path != null) Files.deleteIfExists(path);
    }
}
