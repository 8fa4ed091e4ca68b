package io.sluice.spi.destination;

import io.sluice.spi.config.ProblemReporter;

/**
 * Names a destination type and builds its instances; registered in
 * {@code META-INF/services/io.sluice.spi.destination.DestinationFactory}. Config binding works as for
 * {@link io.sluice.spi.connector.ConnectorFactory}.
 */
public interface DestinationFactory<C extends Record> {

    String type();

    String description();

    Class<C> configType();

    default void validate(C config, ProblemReporter problems) {}

    /**
     * The source times the service accepts ({@link SampleWindow#UNBOUNDED} unless it refuses some): the default and
     * the widest allowed value of the destination's {@code max-age} and {@code max-ahead}.
     */
    default SampleWindow serviceWindow() {
        return SampleWindow.UNBOUNDED;
    }

    Destination create(String name, C config);
}
