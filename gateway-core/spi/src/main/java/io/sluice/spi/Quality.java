package io.sluice.spi;

/** The coarse quality of a sample. The source's own status code travels next to it in {@link Sample#statusCode()}. */
public enum Quality {
    GOOD,
    UNCERTAIN,
    BAD
}
