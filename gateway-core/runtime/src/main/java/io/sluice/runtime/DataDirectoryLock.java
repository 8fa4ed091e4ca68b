package io.sluice.runtime;

import io.sluice.spi.SluiceException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lock a running gateway holds on {@code .lock} in its data directory: exclusive, taken at start, released at
 * stop, and dropped by the operating system when the process dies (kill -9, power loss leave no stale lock). So a
 * second gateway refuses the directory, and {@link #probe} tells a live gateway from a dead one without looking at
 * clocks or at files a full disk may keep from being rewritten.
 *
 * <p>POSIX record locks belong to the process, and closing any channel on the file drops them all; so within one
 * JVM the directories locked here are remembered and {@link #probe} never opens their lock file.
 */
public final class DataDirectoryLock implements AutoCloseable {

    /** What {@link #probe} found. */
    public enum State {
        /** A gateway holds the directory: it is running (or stopping). */
        HELD,
        /** A gateway has used the directory, but none holds it now: stopped, killed or crashed. */
        FREE,
        /** No gateway has ever run here. */
        NEVER_USED
    }

    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final Path directory;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(Path directory, FileChannel channel, FileLock lock) {
        this.directory = directory;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the directory (creating it) or fails with a one-line {@link SluiceException} when it is in use. */
    public static DataDirectoryLock acquire(Path dataDir) {
        Path directory = dataDir.toAbsolutePath().normalize();
        if (!HELD_HERE.add(directory)) throw inUse(directory);
        FileChannel channel = null;
        try {
            Files.createDirectories(directory);
            channel = FileChannel.open(directory.resolve(Gateway.LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) throw inUse(directory);
            writePid(channel);
            return new DataDirectoryLock(directory, channel, lock);
        } catch (IOException e) {
            throw release(directory, channel, new SluiceException("cannot use data directory " + directory + ": " + describe(e), false, e));
        } catch (RuntimeException e) {
            throw release(directory, channel, e);
        }
    }

    /** Whether a gateway holds {@code dataDir} now; opens the lock file only for reading and takes nothing. */
    public static State probe(Path dataDir) {
        Path directory = dataDir.toAbsolutePath().normalize();
        if (HELD_HERE.contains(directory)) return State.HELD;
        Path file = directory.resolve(Gateway.LOCK_FILE);
        if (!Files.exists(file)) return State.NEVER_USED;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock shared = channel.tryLock(0, Long.MAX_VALUE, true);
            if (shared == null) return State.HELD;
            shared.release();
            return State.FREE;
        } catch (OverlappingFileLockException e) {
            return State.HELD;
        } catch (IOException e) {
            throw new SluiceException("cannot read " + file + ": " + describe(e), false, e);
        }
    }

    /**
     * The holder's process id, for {@code sluice reload} (SIGHUP) when no admin endpoint answers. Best effort: on a
     * full disk the lock is taken all the same, without it.
     */
    private static void writePid(FileChannel channel) {
        try {
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 0);
        } catch (IOException e) {
            // no pid in the file: `sluice reload` then needs the admin endpoint
        }
    }

    /** The process id the gateway holding {@code dataDir} wrote into its lock file, or empty when none is there. */
    public static java.util.OptionalLong holderPid(Path dataDir) {
        Path file = dataDir.toAbsolutePath().normalize().resolve(Gateway.LOCK_FILE);
        try {
            String text = Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII).trim();
            return text.matches("\\d+") ? java.util.OptionalLong.of(Long.parseLong(text)) : java.util.OptionalLong.empty();
        } catch (IOException e) {
            return java.util.OptionalLong.empty();
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the channel is gone either way; the process exit drops the lock at the latest
        } finally {
            HELD_HERE.remove(directory);
        }
    }

    private static SluiceException inUse(Path directory) {
        return new SluiceException("data directory " + directory + " is in use by another running gateway"
                + " (stop it first, or give this one its own --data directory)", false);
    }

    private static RuntimeException release(Path directory, FileChannel channel, RuntimeException failure) {
        HELD_HERE.remove(directory);
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // failing anyway
            }
        }
        return failure;
    }

    static String describe(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage();
    }
}
