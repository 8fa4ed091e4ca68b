package io.sluice.nativeio;

/** Shared memory exists but cannot be opened or mapped (access denied, an OS error). */
public class SharedMemoryException extends RuntimeException {

    public SharedMemoryException(String message) {
        super(message);
    }

    public SharedMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
