package io.sluice.samplejson;

/** Data that is not in the series format; the message says where (a line, a series) and what is wrong. */
public final class SeriesFormatException extends IllegalArgumentException {

    public SeriesFormatException(String message) {
        super(message);
    }

    public SeriesFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
