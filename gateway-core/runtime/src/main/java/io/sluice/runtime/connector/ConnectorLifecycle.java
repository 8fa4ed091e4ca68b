package io.sluice.runtime.connector;

import io.sluice.support.LifecycleState;
import java.util.EnumSet;
import java.util.Set;

/**
 * Where a {@link ConnectorRunner} is in its life, apart from what the connector says about its source
 * ({@link io.sluice.spi.connector.HealthState}). Shown in status as {@code lifecycle}.
 *
 * <pre>
 *   NEW ──start()──► STARTING ──► RUNNING ──stop()──► STOPPING ──► STOPPED
 *    │                  │                                ▲            │
 *    │                  └──► FAILED ──stop()─────────────┘            │
 *    │                         │  ▲                                   │
 *    │                start() (restart)                      start() (restart)
 *    │                         ▼  │                                   │
 *    │                      STARTING ◄────────────────────────────────┘
 *    └──stop()──► STOPPED
 * </pre>
 */
public enum ConnectorLifecycle implements LifecycleState<ConnectorLifecycle> {
    /** Built, not started. */
    NEW,
    /** Creating the connector and calling its {@code start}. */
    STARTING,
    /** Started; the connector reports its own health. */
    RUNNING,
    /** Its factory or {@code start} threw; {@code start()} again retries, {@code stop()} releases it. */
    FAILED,
    /** Stopping the connector and its scheduler. */
    STOPPING,
    /** Stopped; may be started again. */
    STOPPED;

    @Override
    public Set<ConnectorLifecycle> next() {
        return switch (this) {
            case NEW -> EnumSet.of(STARTING, STOPPED);
            case STARTING -> EnumSet.of(RUNNING, FAILED);
            case RUNNING -> EnumSet.of(STOPPING);
            case FAILED -> EnumSet.of(STARTING, STOPPING);
            case STOPPING -> EnumSet.of(STOPPED);
            case STOPPED -> EnumSet.of(STARTING);
        };
    }
}
