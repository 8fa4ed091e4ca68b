package io.sluice.gateway.greengrass;

import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.Range;
import io.sluice.spi.config.Template;

/** Options of the {@code greengrass-pubsub} destination. */
@Doc("Publishes samples on the Greengrass local publish/subscribe bus (IPC PublishToTopic), so other components on "
        + "the core device can subscribe to them. Only works when Sluice runs as a Greengrass component.")
public record GreengrassPubSubConfig(
        @Doc("Topic template. Placeholders: {stream}, {connector}, {tag}, {unit} and the asset levels ({site}, {area}, "
                + "{line}, {machine}, ...). A placeholder without a value renders as `unknown`. Every topic must be allowed "
                + "by the component's aws.greengrass.ipc.pubsub access control.")
        @DefaultValue("sluice/{stream}") String topic,
        @Doc("`json`: subscribers receive a JSON object ({\"samples\": [...]}); `binary`: the same JSON as UTF-8 bytes.")
        @DefaultValue("json") MessageFormat messageFormat,
        @Doc("Most samples packed into one message.")
        @DefaultValue("100") @Range(min = 1, max = 10000) int maxSamplesPerMessage,
        @Doc("Largest message (encoded JSON); a single sample larger than this goes to the dead-letter stream.")
        @DefaultValue("128KB") DataSize maxMessageSize) {

    public enum MessageFormat { JSON, BINARY }

    /**
     * The topic as a template. The component is a String rather than a {@link Template} so that two equal
     * configurations compare equal (Template has no value equality) and a reconfigure leaves this destination
     * running when its section did not change.
     */
    public Template topicTemplate() {
        return Template.parse(topic);
    }

    static final long MIN_MESSAGE_SIZE = 1024;
    static final long MAX_MESSAGE_SIZE = 10L * 1024 * 1024;
}
