package io.sluice.nativeio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * POSIX shared memory: an object created with {@code shm_open} appears on Linux as a file under {@code /dev/shm},
 * so it is mapped read-only ({@code mmap(PROT_READ, MAP_SHARED)}) through {@link FileChannel#map}. Any other
 * file (a tmpfs file, a memory-mapped log) works the same way.
 */
final class PosixSharedMemory implements SharedMemoryView {

    private final Path path;
    private final Object fileKey;
    private final int size;
    private final ByteBuffer buffer;

    private PosixSharedMemory(Path path, Object fileKey, int size, ByteBuffer buffer) {
        this.path = path;
        this.fileKey = fileKey;
        this.size = size;
        this.buffer = buffer;
    }

    static Optional<SharedMemoryView> openReadOnly(Path path) {
        Objects.requireNonNull(path, "path");
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
            long length = channel.size();
            if (length > Integer.MAX_VALUE) {
                throw new SharedMemoryException(path + " is " + length + " bytes; at most 2 GB can be mapped");
            }
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, length);
            ByteBuffer view = mapped.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
            return Optional.of(new PosixSharedMemory(path, attrs.fileKey(), (int) length, view));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SharedMemoryException("cannot map " + path + ": " + e, e);
        }
    }

    @Override
    public String name() {
        return path.toString();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public ByteBuffer buffer() {
        return buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public boolean isCurrent() {
        try {
            BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class);
            return fileKey == null || fileKey.equals(now.fileKey());
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        // A MappedByteBuffer is unmapped when it becomes unreachable; nothing else holds the file open.
    }
}
