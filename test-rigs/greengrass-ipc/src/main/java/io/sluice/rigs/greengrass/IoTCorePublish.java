package io.sluice.rigs.greengrass;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** A {@code PublishToIoTCore} request the stand-in accepted. */
public record IoTCorePublish(Instant time, String topic, int qos, byte[] payload) {

    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
