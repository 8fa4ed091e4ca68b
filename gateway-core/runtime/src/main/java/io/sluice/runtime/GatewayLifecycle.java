package io.sluice.runtime;

import io.sluice.support.LifecycleState;
import java.util.EnumSet;
import java.util.Set;

/**
 * A {@link Gateway}'s life, as its class comment draws it. {@code status.json} shows it as {@link #statusWord()}.
 *
 * <pre>
 *   STARTING ──► RUNNING ──close()──► STOPPING ──► STOPPED
 *       └──── a failed start ──────────►┘
 * </pre>
 */
public enum GatewayLifecycle implements LifecycleState<GatewayLifecycle> {
    /** Applying the first configuration: connectors, streams, destinations. */
    STARTING,
    /** Running; {@code reconfigure} is allowed. */
    RUNNING,
    /** Stopping connectors, flushing, stopping the publisher, closing the store. */
    STOPPING,
    /** Stopped; the data directory is released. */
    STOPPED;

    @Override
    public Set<GatewayLifecycle> next() {
        return switch (this) {
            case STARTING -> EnumSet.of(RUNNING, STOPPING);
            case RUNNING -> EnumSet.of(STOPPING);
            case STOPPING -> EnumSet.of(STOPPED);
            case STOPPED -> EnumSet.noneOf(GatewayLifecycle.class);
        };
    }

    /**
     * The {@code state} word of {@code status.json}: {@code starting}, {@code running}, or {@code stopped} once
     * stopping has begun (the last status is written while stopping; readers take {@code stopped} as "stopped on
     * purpose", as opposed to a status left by a gateway that died).
     */
    public String statusWord() {
        return switch (this) {
            case STARTING -> "starting";
            case RUNNING -> "running";
            case STOPPING, STOPPED -> "stopped";
        };
    }
}
