package io.sluice.gateway.greengrass;

import io.sluice.spi.config.ProblemReporter;
import io.sluice.spi.config.Template;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationFactory;

/**
 * {@code type: greengrass-pubsub}: samples to the Greengrass local publish/subscribe bus. Registered in
 * {@code META-INF/services/io.sluice.spi.destination.DestinationFactory}.
 */
public final class GreengrassPubSubDestinationFactory implements DestinationFactory<GreengrassPubSubConfig> {

    public static final String TYPE = "greengrass-pubsub";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String description() {
        return "Greengrass local publish/subscribe (IPC PublishToTopic) for other components on the core device";
    }

    @Override
    public Class<GreengrassPubSubConfig> configType() {
        return GreengrassPubSubConfig.class;
    }

    @Override
    public void validate(GreengrassPubSubConfig config, ProblemReporter problems) {
        String topic = config.topic();
        Template template = null;
        try {
            template = config.topicTemplate();
        } catch (IllegalArgumentException e) {
            problems.report("topic", "expected a topic template such as sluice/{site}/{stream}: " + e.getMessage());
        }
        if (topic.isBlank()) {
            problems.report("topic", "must not be empty");
        } else if (template != null) {
            String literal = template.render(p -> "x", "x");
            if (literal.contains("+") || literal.contains("#")) {
                problems.report("topic", "a topic to publish to must not contain the MQTT wildcards '+' or '#', got '"
                        + topic + "'");
            }
            if (literal.startsWith("/") || literal.endsWith("/") || literal.contains("//")) {
                problems.report("topic", "expected topic levels separated by single '/' without a leading or trailing "
                        + "'/', got '" + topic + "'");
            }
        }
        long size = config.maxMessageSize().bytes();
        if (size < GreengrassPubSubConfig.MIN_MESSAGE_SIZE || size > GreengrassPubSubConfig.MAX_MESSAGE_SIZE) {
            problems.report("max-message-size", "expected a size between 1KB and 10MB, got " + config.maxMessageSize());
        }
    }

    @Override
    public Destination create(String name, GreengrassPubSubConfig config) {
        return new GreengrassPubSubDestination(name, config, null); // the connection comes with the context at start
    }
}
