package io.sluice.spi.connector;

/** What a connector says about its link to its source. */
public enum HealthState {
    /** Created, not yet connected. */
    STARTING,
    /** Connected and delivering. */
    CONNECTED,
    /** Connected, but part of the configuration does not work (a bad node, an unknown device). */
    DEGRADED,
    /** Lost the source; reconnecting with backoff. */
    DISCONNECTED,
    /** Stopped. */
    STOPPED
}
