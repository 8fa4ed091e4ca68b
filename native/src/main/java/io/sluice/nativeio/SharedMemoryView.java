package io.sluice.nativeio;

import java.nio.ByteBuffer;

/**
 * A read-only view of a named shared-memory object another process writes (a simulator page).
 *
 * <p>The view never creates the object and never writes to it. {@link #buffer()} is a little-endian, read-only
 * direct buffer over the mapped bytes: what it returns changes while the writer writes, so a reader that needs a
 * consistent picture copies the bytes and checks the writer's update counter around the copy.
 */
public interface SharedMemoryView extends AutoCloseable {

    /** The name it was opened by (the Windows mapping name or the POSIX path). */
    String name();

    /** How many bytes are mapped. For a POSIX object this is its size when it was opened. */
    int size();

    /** A read-only little-endian buffer over the mapping; position 0 is the first byte of the object. */
    ByteBuffer buffer();

    /**
     * Whether the view still shows the object that lives under its name. POSIX: false once the writer removed
     * the object or replaced it with a new one (a restarted simulator), so the reader must open it again.
     * Windows keeps a mapping alive while any view of it is open, so this is always true there.
     */
    boolean isCurrent();

    /** Unmaps the view. Any buffer obtained from it must not be used afterwards. */
    @Override
    void close();
}
