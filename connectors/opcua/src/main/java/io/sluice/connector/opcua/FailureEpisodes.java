package io.sluice.connector.opcua;

/**
 * Groups consecutive connection failures into episodes, so the log gets one line per episode instead of one per
 * attempt. An episode is a run of failures with the same cause; it ends with a success or when the cause changes
 * (an untrusted certificate that, once accepted, turns into a refused identity is two episodes). Causes are
 * compared with digits blanked out, so a message that only differs in a port number, a millisecond figure or a
 * counter belongs to the same episode.
 */
final class FailureEpisodes {

    private String cause;
    private int failures;

    /**
     * Records a failure (a failed attempt counts towards {@link #recovered()}, a lost connection does not); true when
     * it starts a new episode (the caller logs it), false for a repeat (DEBUG).
     */
    synchronized boolean failed(String message, boolean attempt) {
        if (attempt) failures++;
        String key = key(message);
        if (key.equals(cause)) return false;
        cause = key;
        return true;
    }

    /** Ends the current episode; returns how many failed attempts it had (0 when there was none). */
    synchronized int recovered() {
        int n = failures;
        failures = 0;
        cause = null;
        return n;
    }

    static String key(String message) {
        return message == null ? "" : message.replaceAll("\\d+", "#");
    }
}
