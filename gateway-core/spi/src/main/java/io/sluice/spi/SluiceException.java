package io.sluice.spi;

/**
 * The one exception family of Sluice. {@link #retryable()} tells the runtime whether trying again later can
 * succeed (an outage, throttling, a full disk) or never will (invalid data, bad configuration).
 */
public class SluiceException extends RuntimeException {

    private final boolean retryable;

    public SluiceException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public SluiceException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    public static SluiceException retryable(String message, Throwable cause) {
        return new SluiceException(message, true, cause);
    }

    public static SluiceException permanent(String message) {
        return new SluiceException(message, false);
    }
}
