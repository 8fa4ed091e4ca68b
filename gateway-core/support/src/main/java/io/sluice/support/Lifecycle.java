package io.sluice.support;

import java.util.Objects;

/**
 * The current state of one thing's lifecycle (a connector runner, a gateway, an IPC session); every move is checked
 * against the {@link LifecycleState} enum, and a move it does not allow throws {@link IllegalStateException}.
 * Thread-safe: moves are atomic, {@link #state()} reads without locking.
 */
public final class Lifecycle<S extends Enum<S> & LifecycleState<S>> {

    private final String owner;
    private volatile S state;

    /** {@code owner} names the thing in error messages, e.g. {@code connector plc}. */
    public Lifecycle(String owner, S initial) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.state = Objects.requireNonNull(initial, "initial");
    }

    public S state() {
        return state;
    }

    /** True when the state is one of {@code states}. */
    @SafeVarargs
    public final boolean isAnyOf(S... states) {
        S now = state;
        for (S s : states) {
            if (s == now) return true;
        }
        return false;
    }

    /** Moves to {@code target}; throws {@link IllegalStateException} when the current state does not allow it. */
    public synchronized void moveTo(S target) {
        if (!state.canMoveTo(target)) {
            throw new IllegalStateException(owner + " cannot go from " + state + " to " + target + " (allowed: "
                    + state.next() + ")");
        }
        state = target;
    }

    /** Moves to {@code target} if the state is {@code expected}; false, and no move, when it is another. */
    public synchronized boolean moveFrom(S expected, S target) {
        if (state != expected) return false;
        moveTo(target);
        return true;
    }

    /** Moves to {@code target} if the current state allows it; false, and no move, when it does not. */
    public synchronized boolean moveIfAllowed(S target) {
        if (!state.canMoveTo(target)) return false;
        state = target;
        return true;
    }

    @Override
    public String toString() {
        return owner + " " + state;
    }
}
