package io.sluice.connector.opcda;

import io.sluice.spi.SluiceException;

/**
 * A failed OPC DA / DCOM call. {@link #hresult()} is the COM error code (0 when there is none), and
 * {@link #connectionLost()} says the session cannot be used any more (socket closed, RPC failure, server gone).
 */
public class OpcDaException extends SluiceException {

    private final int hresult;
    private final boolean connectionLost;

    public OpcDaException(String message, int hresult, boolean connectionLost, Throwable cause) {
        super(message, true, cause);
        this.hresult = hresult;
        this.connectionLost = connectionLost;
    }

    public int hresult() {
        return hresult;
    }

    public boolean connectionLost() {
        return connectionLost;
    }
}
