package io.sluice.gateway.greengrass;

import io.sluice.destination.iotcore.IotCoreTransport;
import io.sluice.spi.SluiceException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import software.amazon.awssdk.aws.greengrass.model.InvalidArgumentsError;
import software.amazon.awssdk.aws.greengrass.model.PublishToIoTCoreRequest;
import software.amazon.awssdk.aws.greengrass.model.QOS;
import software.amazon.awssdk.aws.greengrass.model.UnauthorizedError;

/**
 * Publishes to AWS IoT Core through the Greengrass nucleus ({@code PublishToIoTCore} over IPC) instead of a second
 * MQTT connection. The nucleus completes a QoS 1 publish once its own MQTT client has queued it, and keeps queueing
 * while the core device is offline (its spooler), so a completed future is as good as a broker acknowledgement.
 *
 * <p>Errors: an unauthorised topic (missing from the recipe's {@code aws.greengrass.ipc.mqttproxy} access control)
 * stays retryable — a deployment that fixes the policy lets the data flow again, nothing is dead-lettered — and is
 * logged as an error once per episode; an invalid request (empty topic, bad QoS) is permanent; anything else
 * (nucleus errors, a dropped connection, no answer within the timeout) is retryable.
 */
final class GreengrassIpcTransport implements IotCoreTransport {

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final String destination;
    private final IpcConnectionSource ipc;
    private final Logger log;
    private final AtomicBoolean unauthorizedLogged = new AtomicBoolean();

    /** {@code ipc} is asked for the connection on the first publish, so creating the transport does no I/O. */
    GreengrassIpcTransport(String destination, IpcConnectionSource ipc, Logger log) {
        this.destination = destination;
        this.ipc = ipc;
        this.log = log;
    }

    private GreengrassIpc ipc() {
        return ipc.get();
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos) {
        if (qos != 0 && qos != 1) {
            return CompletableFuture.failedFuture(SluiceException.permanent("IoT Core supports QoS 0 and 1, not " + qos));
        }
        PublishToIoTCoreRequest request = new PublishToIoTCoreRequest();
        request.setTopicName(topic);
        request.setQos(qos == 1 ? QOS.AT_LEAST_ONCE : QOS.AT_MOST_ONCE);
        request.setPayload(payload);
        GreengrassIpc connection;
        try {
            connection = ipc();
        } catch (SluiceException e) {
            return CompletableFuture.failedFuture(e);
        }
        return connection.call(() -> connection.client().publishToIoTCoreAsync(request), CALL_TIMEOUT)
                .handle((response, error) -> {
                    if (error == null) {
                        unauthorizedLogged.set(false);
                        return null;
                    }
                    throw new CompletionException(translate(topic, error));
                });
    }

    private SluiceException translate(String topic, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof SluiceException se) {
            return se;
        }
        if (cause instanceof UnauthorizedError) {
            if (unauthorizedLogged.compareAndSet(false, true)) {
                log.error("destination {}: the nucleus refused PublishToIoTCore on topic '{}': {}. Add the topic to the "
                        + "component's accessControl (aws.greengrass.ipc.mqttproxy) and deploy again; samples stay in "
                        + "the store until then", destination, topic, cause.getMessage());
            }
            return new SluiceException("not authorized to publish to IoT Core topic '" + topic + "'", true, cause);
        }
        if (cause instanceof InvalidArgumentsError) {
            return new SluiceException("the nucleus rejected the publish to '" + topic + "': " + cause.getMessage(),
                    false, cause);
        }
        if (cause instanceof TimeoutException) {
            return new SluiceException("no answer from the nucleus to PublishToIoTCore within "
                    + CALL_TIMEOUT.toSeconds() + "s", true, cause);
        }
        return new SluiceException("PublishToIoTCore failed: " + cause, true, cause);
    }

    @Override
    public boolean isConnected() {
        try {
            return ipc().isConnected();
        } catch (SluiceException e) {
            return false;
        }
    }

    @Override
    public void close() {
        ipc.close(); // a connection of its own only; the shared one stays with GreengrassMode
    }
}
