package io.sluice.runtime.publish;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a destination is in its life, as shown by {@code sluice status}, status.json and the
 * {@code sluice.destination.state} gauge.
 *
 * <pre>
 *   STARTING ──ok──► IDLE ◄──► SENDING ◄──► BACKING_OFF
 *      │  ▲    │        (any of the three) ──stop──► STOPPING ──► STOPPED
 *      │  │    │               │ pause  ▲ resume        ▲
 *      │  │    │               ▼        │               │
 *      │  │    └─(paused)──► PAUSED ────┘ ──stop────────┘ (no drain)
 *   failed │ retry after backoff
 *      ▼  │
 *    FAILED ──stop──────────────────────────────────────────────────────► STOPPED
 * </pre>
 *
 * PAUSED is an operator's {@code sluice destinations pause}: the worker sends nothing (a window half sent is given
 * up after its settled packets, and sent again after the resume) until {@code resume}; its streams keep buffering.
 * The pause outlives restarts (it is kept in the destination's state directory), so a paused destination starts
 * into PAUSED; a FAILED one stays FAILED until it starts, then pauses.
 *
 * A destination configured with {@code enabled: false} is DISABLED: no run, and so no transitions; enabling it
 * starts a new run at STARTING.
 *
 * <p>A FAILED destination could not be started (for example a missing certificate file); its streams keep buffering and
 * their cursors and backlog stay visible, and it is started again with exponential backoff until it starts.
 * During STOPPING the worker still sends: it drains what it can within the destination's {@code drain-on-stop}
 * deadline, so its activity no longer changes the state.
 */
public enum DestinationState {
    STARTING, FAILED, IDLE, SENDING, BACKING_OFF,
    /** Paused by an operator: nothing is sent until it is resumed; its streams keep buffering. */
    PAUSED,
    STOPPING, STOPPED,
    /** Configured with {@code enabled: false}: nothing runs; its cursors stay and its backlog is shown. */
    DISABLED;

    /** The states this one may move to. */
    public Set<DestinationState> next() {
        return switch (this) {
            case STARTING -> EnumSet.of(IDLE, PAUSED, FAILED, STOPPING, STOPPED);
            case FAILED -> EnumSet.of(STARTING, STOPPED);
            case IDLE -> EnumSet.of(SENDING, BACKING_OFF, PAUSED, STOPPING);
            case SENDING -> EnumSet.of(IDLE, BACKING_OFF, PAUSED, STOPPING);
            case BACKING_OFF -> EnumSet.of(IDLE, SENDING, PAUSED, STOPPING);
            case PAUSED -> EnumSet.of(IDLE, STOPPING, STOPPED);
            case STOPPING -> EnumSet.of(STOPPED);
            case STOPPED, DISABLED -> EnumSet.noneOf(DestinationState.class);
        };
    }

    public boolean canMoveTo(DestinationState target) {
        return target == this || next().contains(target);
    }

    /** IDLE, SENDING and BACKING_OFF: the worker runs and its activity sets the state. */
    public boolean active() {
        return this == IDLE || this == SENDING || this == BACKING_OFF;
    }

    /** How status output writes it: lower case, words joined by a hyphen ({@code backing-off}). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
