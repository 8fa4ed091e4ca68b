package io.sluice.destination.iotcore;

import io.sluice.spi.config.ProblemReporter;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code type: iotcore}: AWS IoT Core over MQTT with mutual TLS, or through Greengrass IPC. */
public final class IotCoreDestinationFactory implements DestinationFactory<IotCoreDestinationConfig> {

    @Override
    public String type() {
        return "iotcore";
    }

    @Override
    public String description() {
        return "AWS IoT Core (MQTT 3.1.1 with mutual TLS, or Greengrass IPC), many samples per message";
    }

    @Override
    public Class<IotCoreDestinationConfig> configType() {
        return IotCoreDestinationConfig.class;
    }

    @Override
    public void validate(IotCoreDestinationConfig c, ProblemReporter problems) {
        List<String> transports = IotCoreDestination.transportNames();
        if (!transports.contains(c.transport())) {
            problems.report("transport", "unknown transport '" + c.transport() + "'; expected one of " + transports);
        }
        if (c.transport().equals("mqtt")) {
            if (c.endpoint().isEmpty()) {
                problems.report("endpoint", "required for transport mqtt: ssl://<prefix>-ats.iot.<region>.amazonaws.com:8883");
            }
            c.endpoint().ifPresent(e -> {
                try {
                    URI uri = new URI(e);
                    if (!"ssl".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1) {
                        problems.report("endpoint", "expected ssl://host:port (mutual TLS, e.g. port 8883), got '" + e + "'");
                    }
                } catch (URISyntaxException ex) {
                    problems.report("endpoint", "expected ssl://host:port: " + ex.getMessage());
                }
            });
            if (c.certificate().isEmpty() || c.certificate().get().isBlank()) {
                problems.report("certificate", "required for transport mqtt: the device certificate, a PEM file");
            }
            if (c.privateKey().isEmpty() || c.privateKey().get().isBlank()) {
                problems.report("private-key", "required for transport mqtt: the device certificate's private key, a PEM file");
            }
            c.clientId().ifPresent(id -> {
                if (id.isEmpty() || id.getBytes(StandardCharsets.UTF_8).length > 128) {
                    problems.report("client-id", "expected 1 to 128 bytes, got " + id.getBytes(StandardCharsets.UTF_8).length);
                }
            });
        }
        String fixed = c.topic().render(p -> "", "");
        int bytes = fixed.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > IotCoreDestination.MAX_TOPIC_BYTES) {
            problems.report("topic", "the fixed text of the topic is " + bytes + " bytes; IoT Core allows 256");
        }
        long slashes = fixed.chars().filter(ch -> ch == '/').count();
        if (slashes > 7) {
            problems.report("topic", "the topic has " + slashes + " slashes; IoT Core rules and Basic Ingest allow at most 7");
        }
        if (fixed.contains("+") || fixed.contains("#")) {
            problems.report("topic", "a topic to publish to cannot contain the wildcards + or #");
        }
        if (c.maxPayloadSize().bytes() > IotCoreDestinationConfig.IOT_CORE_MAX_PAYLOAD) {
            problems.report("max-payload-size", "IoT Core accepts at most 128KB per message, got " + c.maxPayloadSize());
        }
        if (c.maxPayloadSize().bytes() < 1024) {
            problems.report("max-payload-size", "expected at least 1KB, got " + c.maxPayloadSize());
        }
        if (c.keepAlive().toSeconds() < 1) problems.report("keep-alive", "expected at least 1s");
        if (c.reconnectMinDelay().compareTo(c.reconnectMaxDelay()) > 0) {
            problems.report("reconnect-min-delay", "must not be longer than reconnect-max-delay (" + io.sluice.spi.Durations.format(c.reconnectMaxDelay()) + ")");
        }
        if (c.bytesPerSecond().bytes() < 1) problems.report("bytes-per-second", "expected more than 0");
    }

    @Override
    public Destination create(String name, IotCoreDestinationConfig config) {
        return new IotCoreDestination(name, config);
    }
}
