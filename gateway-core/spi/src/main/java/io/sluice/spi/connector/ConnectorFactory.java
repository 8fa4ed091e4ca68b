package io.sluice.spi.connector;

import io.sluice.spi.config.ProblemReporter;

/**
 * Names a connector type and builds its instances. Registered in
 * {@code META-INF/services/io.sluice.spi.connector.ConnectorFactory}; two factories with the same {@link #type()} on
 * the class path are an error.
 *
 * <p>The runtime binds the connector's section of the YAML file to {@link #configType()}, a record whose
 * components are the keys (camelCase in Java, kebab-case in YAML), annotated with
 * {@link io.sluice.spi.config.Doc} and {@link io.sluice.spi.config.DefaultValue}. Binding reports type errors and
 * unknown keys; {@link #validate} adds the checks that span keys. Neither may do I/O.
 *
 * @param <C> the connector's config record
 */
public interface ConnectorFactory<C extends Record> {

    /** The {@code type:} value in config, e.g. {@code opcua}. */
    String type();

    /** One line for {@code sluice --help} and the schema. */
    String description();

    Class<C> configType();

    /** Cross-key checks; report each problem with a key path relative to the connector section. */
    default void validate(C config, ProblemReporter problems) {}

    /** Builds an instance; no I/O here, that belongs in {@link Connector#start}. */
    Connector create(String name, C config);
}
