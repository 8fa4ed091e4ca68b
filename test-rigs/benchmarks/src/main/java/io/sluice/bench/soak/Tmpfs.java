package io.sluice.bench.soak;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A size-limited tmpfs mounted on a folder (root only), unmounted on close. */
final class Tmpfs implements AutoCloseable {

    private final Path mountPoint;

    private Tmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    static boolean runningAsRoot() {
        try {
            return run(List.of("id", "-u")).strip().equals("0");
        } catch (IOException e) {
            return false;
        }
    }

    static Tmpfs mount(Path dir, String size) throws IOException {
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", dir.toString()));
        return new Tmpfs(dir);
    }

    Path path() {
        return mountPoint;
    }

    @Override
    public void close() throws IOException {
        try {
            run(List.of("umount", mountPoint.toString()));
        } catch (IOException e) {
            run(List.of("umount", "-l", mountPoint.toString()));   // still busy: detach now, freed when the last user goes
        }
    }

    private static String run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within 30 s");
            }
            String out = new String(p.getInputStream().readAllBytes());
            if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + " failed: " + out.strip());
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
