package io.sluice.destination.iotcore;

import java.util.concurrent.CompletableFuture;

/**
 * How the IoT Core destination gets a message to AWS IoT Core: its own MQTT connection with mutual TLS when running
 * standalone, or the Greengrass nucleus (IPC {@code PublishToIoTCore}) when running as a component. Batching, rate
 * limits and retries stay with the publisher; a transport only moves one message.
 */
public interface IotCoreTransport extends AutoCloseable {

    /**
     * Publishes one message. Completes when the broker (or nucleus) acknowledged it (QoS 1), or exceptionally with
     * a {@link io.sluice.spi.SluiceException} whose retryable flag says whether to try again. Not retryable means
     * the message itself was refused (its topic or payload) and sends its samples to the dead-letter stream; a fault
     * of the transport (not connected, closed, not authorized, TLS, timeouts) must be retryable.
     */
    CompletableFuture<Void> publish(String topic, byte[] payload, int qos);

    /**
     * As {@link #publish}, completing with the MQTT packet id the message went with (for the delivery receipt), or
     * -1 when the transport does not know it (the nucleus publishes for us).
     */
    default CompletableFuture<Integer> publishWithId(String topic, byte[] payload, int qos) {
        return publish(topic, payload, qos).thenApply(v -> -1);
    }

    /** True while the transport believes it can publish. */
    boolean isConnected();

    @Override
    void close();
}
