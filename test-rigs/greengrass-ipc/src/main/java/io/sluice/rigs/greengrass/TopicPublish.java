package io.sluice.rigs.greengrass;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * A {@code PublishToTopic} request the stand-in accepted (local publish/subscribe). Exactly one of {@code binary}
 * and {@code json} is set, as in the IPC model's {@code PublishMessage} union.
 */
public record TopicPublish(Instant time, String topic, byte[] binary, Map<String, Object> json) {

    public String binaryText() {
        return binary == null ? null : new String(binary, StandardCharsets.UTF_8);
    }
}
