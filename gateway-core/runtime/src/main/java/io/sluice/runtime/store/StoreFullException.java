package io.sluice.runtime.store;

import io.sluice.spi.SluiceException;

/** An append refused because its stream is full under reject-new, or the disk is full. Retryable. */
public class StoreFullException extends SluiceException {

    public StoreFullException(String message) {
        super(message, true);
    }

    public StoreFullException(String message, Throwable cause) {
        super(message, true, cause);
    }
}
