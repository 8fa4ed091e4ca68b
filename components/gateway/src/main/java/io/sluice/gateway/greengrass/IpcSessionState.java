package io.sluice.gateway.greengrass;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of the component's IPC session with the Greengrass nucleus ({@link GreengrassIpc}).
 *
 * <pre>
 *   CONNECTING ──► CONNECTED ──nucleus drops it──► RECONNECTING
 *       │              ▲ │                              │
 *       │              │ └──────────────┐               │
 *       │              └─── reconnected ┼───────────────┘
 *       ▼                               ▼
 *     CLOSED ◄──────── close() ─────────┴─── (from any state but CLOSED)
 * </pre>
 */
public enum IpcSessionState {
    /** The first connect, retried with backoff until the start timeout. */
    CONNECTING,
    /** Calls go through. */
    CONNECTED,
    /** The nucleus dropped the connection; reconnecting in the background with backoff, calls fail as retryable. */
    RECONNECTING,
    /** Closed for good. */
    CLOSED;

    public Set<IpcSessionState> next() {
        return switch (this) {
            case CONNECTING, RECONNECTING -> EnumSet.of(CONNECTED, CLOSED);
            case CONNECTED -> EnumSet.of(RECONNECTING, CLOSED);
            case CLOSED -> EnumSet.noneOf(IpcSessionState.class);
        };
    }

    public boolean canMoveTo(IpcSessionState target) {
        return next().contains(target);
    }

    /** {@code target}, or an {@link IllegalStateException} when the session cannot move there from this state. */
    public IpcSessionState moveTo(IpcSessionState target) {
        if (!canMoveTo(target)) {
            throw new IllegalStateException("the IPC session cannot go from " + this + " to " + target
                    + " (allowed: " + next() + ")");
        }
        return target;
    }
}
