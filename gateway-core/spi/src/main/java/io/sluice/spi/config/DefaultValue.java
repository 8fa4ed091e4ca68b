package io.sluice.spi.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value a config key takes when the file leaves it out, written as it would be in YAML ({@code 500ms},
 * {@code 256MB}, {@code true}, {@code drop-oldest}). A key without a default, that is not optional, a list or a
 * map, is required.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface DefaultValue {
    String value();
}
