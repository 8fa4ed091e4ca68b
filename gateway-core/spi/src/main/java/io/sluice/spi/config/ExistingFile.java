package io.sluice.spi.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A config key whose value names a file that must exist and be readable (a certificate, a key, a layout file).
 * {@code sluice validate} checks each such file, resolved as the gateway resolves it (relative to the working
 * directory), and reports a missing or unreadable one with the file, line and key path of the config entry and the
 * resolved path. An empty {@code Optional} is not checked (optional files); on a {@code List<String>}, every element
 * is. Starting a gateway does not check: a destination whose file appears later is retried.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface ExistingFile {

    /** What the file is, for messages: "device certificate", "private key". */
    String value() default "file";

    /** When not empty, only values ending in one of these suffixes name a file (others are, e.g., built-in names). */
    String[] suffixes() default {};
}
