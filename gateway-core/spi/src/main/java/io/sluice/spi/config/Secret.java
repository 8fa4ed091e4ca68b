package io.sluice.spi.config;

import java.util.Objects;

/**
 * A password, key or token from the config. It never prints itself: {@link #toString()} is masked, so a config
 * record can be logged safely. Write it in YAML as {@code ${env:NAME}} to keep it out of the file.
 */
public final class Secret {

    private final String value;

    public Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The clear text. Pass it straight to the library that needs it; never log it. */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return "****";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
