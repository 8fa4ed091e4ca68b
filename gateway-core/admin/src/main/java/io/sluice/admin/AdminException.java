package io.sluice.admin;

/** Ends a request with an HTTP status and a one-line message (answered as {@code {"error": message}}). */
public final class AdminException extends RuntimeException {

    private final int status;

    public AdminException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
