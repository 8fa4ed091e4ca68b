package io.sluice.gateway.greengrass;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.destination.SampleJson;
import io.sluice.spi.SluiceException;
import io.sluice.spi.config.Template;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationContext;
import io.sluice.spi.destination.DestinationLimits;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.spi.destination.RateLimits;
import io.sluice.spi.destination.Rejection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.aws.greengrass.model.BinaryMessage;
import software.amazon.awssdk.aws.greengrass.model.InvalidArgumentsError;
import software.amazon.awssdk.aws.greengrass.model.JsonMessage;
import software.amazon.awssdk.aws.greengrass.model.PublishMessage;
import software.amazon.awssdk.aws.greengrass.model.PublishToTopicRequest;
import software.amazon.awssdk.aws.greengrass.model.UnauthorizedError;

/**
 * Packs samples into {@code {"samples": [...]}} messages per rendered topic (at most {@code max-samples-per-message}
 * samples and {@code max-message-size} bytes each, stream order kept) and publishes each with one IPC
 * {@code PublishToTopic}. The nucleus answers once the message is handed to the local subscribers. Each sample has
 * the same JSON form as a line of the file destination ({@link SampleJson}).
 */
final class GreengrassPubSubDestination implements Destination {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] ENVELOPE_START = "{\"samples\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENVELOPE_END = "]}".getBytes(StandardCharsets.US_ASCII);
    private static final int ENVELOPE_BYTES = ENVELOPE_START.length + ENVELOPE_END.length;
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final GreengrassPubSubConfig config;
    private final Template topic;
    private final AtomicBoolean unauthorizedLogged = new AtomicBoolean();
    private volatile IpcConnectionSource ipc;
    private Logger log = LoggerFactory.getLogger(GreengrassPubSubDestination.class);

    /** A message ready to publish: {@code {"samples": [...]}} as UTF-8 JSON. */
    record Message(String topic, byte[] encoded) {}

    /** {@code ipc} null: the connection the context shares at {@link #start} (or one of its own). */
    GreengrassPubSubDestination(String name, GreengrassPubSubConfig config, Supplier<GreengrassIpc> ipc) {
        this.name = name;
        this.config = config;
        this.topic = config.topicTemplate();
        this.ipc = ipc == null ? null : IpcConnectionSource.of(ipc);
    }

    @Override
    public DestinationLimits limits() {
        long max = config.maxMessageSize().bytes();
        return new DestinationLimits(1, max, max, Math.max(1000, config.maxSamplesPerMessage()), RateLimits.UNLIMITED);
    }

    @Override
    public void start(DestinationContext context) {
        this.log = context.logger();
        if (ipc == null) {
            ipc = IpcConnectionSource.from(context);
        }
    }

    @Override
    public PackResult pack(List<OutboundSample> samples) {
        long maxBytes = config.maxMessageSize().bytes();
        int maxSamples = config.maxSamplesPerMessage();
        List<Packet> packets = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        // open message per topic, so samples of one topic keep their order and fill messages
        Map<String, Builder> open = new LinkedHashMap<>();
        for (OutboundSample s : samples) {
            String topic = this.topic.render(s::placeholder, "unknown");
            byte[] json;
            try {
                json = SampleJson.encode(s);
            } catch (UncheckedIOException e) {
                rejected.add(new Rejection(s, "cannot encode as JSON: " + e.getCause().getMessage()));
                continue;
            }
            int size = json.length;
            if (ENVELOPE_BYTES + size > maxBytes) {
                rejected.add(new Rejection(s, "sample encodes to " + (ENVELOPE_BYTES + size)
                        + " bytes, more than max-message-size " + config.maxMessageSize()));
                continue;
            }
            Builder b = open.get(topic);
            if (b != null && (b.samples.size() >= maxSamples || b.bytes + 1 + size > maxBytes)) {
                packets.add(b.build());
                b = null;
            }
            if (b == null) {
                b = new Builder(topic);
                open.put(topic, b);
            }
            b.add(s, json, size);
        }
        open.values().forEach(b -> packets.add(b.build()));
        return new PackResult(packets, rejected);
    }

    private static final class Builder {
        final String topic;
        final List<OutboundSample> samples = new ArrayList<>();
        final List<byte[]> json = new ArrayList<>();
        long bytes = ENVELOPE_BYTES;

        Builder(String topic) {
            this.topic = topic;
        }

        void add(OutboundSample s, byte[] encoded, int size) {
            bytes += (samples.isEmpty() ? 0 : 1) + size;
            samples.add(s);
            json.add(encoded);
        }

        Packet build() {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) bytes);
            out.writeBytes(ENVELOPE_START);
            for (int i = 0; i < json.size(); i++) {
                if (i > 0) out.write(',');
                out.writeBytes(json.get(i));
            }
            out.writeBytes(ENVELOPE_END);
            byte[] encoded = out.toByteArray();
            return new Packet(topic, encoded.length, samples, new Message(topic, encoded));
        }
    }

    @Override
    public CompletableFuture<List<PacketOutcome>> sendAsync(List<Packet> packets) {
        GreengrassIpc connection;
        try {
            connection = ipc();
        } catch (SluiceException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<CompletableFuture<PacketOutcome>> outcomes = new ArrayList<>(packets.size());
        for (Packet packet : packets) {
            Message message = (Message) packet.body();
            PublishToTopicRequest request = new PublishToTopicRequest();
            request.setTopic(message.topic());
            PublishMessage publish = new PublishMessage();
            if (config.messageFormat() == GreengrassPubSubConfig.MessageFormat.JSON) {
                JsonMessage json = new JsonMessage();
                try {
                    json.setMessage(JSON.readValue(message.encoded(), MAP));
                } catch (IOException e) {
                    throw new IllegalStateException("a message this destination encoded does not parse", e);
                }
                publish.setJsonMessage(json);
            } else {
                BinaryMessage binary = new BinaryMessage();
                binary.setMessage(message.encoded());
                publish.setBinaryMessage(binary);
            }
            request.setPublishMessage(publish);
            outcomes.add(connection.call(() -> connection.client().publishToTopicAsync(request), CALL_TIMEOUT)
                    .handle((response, error) -> {
                        if (error == null) {
                            unauthorizedLogged.set(false);
                            return PacketOutcome.DELIVERED;
                        }
                        return outcome(message.topic(), error);
                    }));
        }
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenApply(v -> outcomes.stream().map(CompletableFuture::join).toList());
    }

    private PacketOutcome outcome(String topic, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof UnauthorizedError) {
            if (unauthorizedLogged.compareAndSet(false, true)) {
                log.error("destination {}: the nucleus refused PublishToTopic on '{}': {}. Add the topic to the "
                        + "component's accessControl (aws.greengrass.ipc.pubsub) and deploy again; samples stay in the "
                        + "store until then", name, topic, cause.getMessage());
            }
            return PacketOutcome.retry("not authorized to publish to local topic '" + topic + "'");
        }
        if (cause instanceof InvalidArgumentsError) {
            return PacketOutcome.reject("the nucleus rejected the message: " + cause.getMessage());
        }
        if (cause instanceof TimeoutException) {
            return PacketOutcome.retry("no answer from the nucleus within " + CALL_TIMEOUT.toSeconds() + "s");
        }
        return PacketOutcome.retry("PublishToTopic failed: " + cause);
    }

    private GreengrassIpc ipc() {
        IpcConnectionSource source = ipc;
        if (source == null) {
            throw new SluiceException("destination " + name + " is not started", true);
        }
        return source.get();
    }

    @Override
    public void close() {
        IpcConnectionSource source = ipc;
        if (source != null) {
            source.close(); // a connection of its own only; the shared one stays with GreengrassMode
        }
    }
}
