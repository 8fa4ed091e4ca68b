package io.sluice.spi.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An earlier name of a config key that is still accepted: the loader binds it as the key it was renamed to and warns,
 * with file and line, that the new name should be written ({@code sluice validate} lists it). Writing both is an error.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface FormerKey {
    /** The old key, kebab-case as it was written. */
    String value();
}
