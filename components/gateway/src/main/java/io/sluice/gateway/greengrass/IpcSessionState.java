package io.sluice.gateway.greengrass;

import io.sluice.support.LifecycleState;
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
public enum IpcSessionState implements LifecycleState<IpcSessionState> {
    /** The first connect, retried with backoff until the start timeout. */
    CONNECTING,
    /** Calls go through. */
    CONNECTED,
    /** The nucleus dropped the connection; reconnecting in the background with backoff, calls fail as retryable. */
    RECONNECTING,
    /** Closed for good. */
    CLOSED;

    @Override
    public Set<IpcSessionState> next() {
        return switch (this) {
            case CONNECTING, RECONNECTING -> EnumSet.of(CONNECTED, CLOSED);
            case CONNECTED -> EnumSet.of(RECONNECTING, CLOSED);
            case CLOSED -> EnumSet.noneOf(IpcSessionState.class);
        };
    }
}
