package io.sluice.support;

import java.util.Set;

/**
 * An enum of lifecycle states that names, for each state, the states it may move to: the diagram a class comment
 * draws, in code. Hold the current state in a {@link Lifecycle}.
 */
public interface LifecycleState<S extends Enum<S> & LifecycleState<S>> {

    /** The states this one may move to (empty for a final state). */
    Set<S> next();

    default boolean canMoveTo(S target) {
        return next().contains(target);
    }

    /** {@code target}, or an {@link IllegalStateException} naming both states when the move is not allowed. */
    default S moveTo(S target) {
        if (!canMoveTo(target)) {
            throw new IllegalStateException("cannot go from " + this + " to " + target + " (allowed: " + next() + ")");
        }
        return target;
    }
}
