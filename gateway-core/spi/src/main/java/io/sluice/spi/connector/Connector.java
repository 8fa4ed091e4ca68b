package io.sluice.spi.connector;

/**
 * A running source of samples. {@link #start} must return quickly: connect in the background and report through
 * {@link ConnectorContext#health()}; losing the source is the connector's own business (reconnect with backoff,
 * never throw out of a callback). {@link #stop} releases everything and returns within a few seconds.
 */
public interface Connector {

    void start(ConnectorContext context) throws Exception;

    void stop();
}
