package io.sluice.rigs.greengrass;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle states the nucleus gives a component whose recipe starts it with {@code Lifecycle.Startup}, as the
 * stand-in models them ({@link ComponentRun}). The component stays {@link #STARTING} until it reports
 * {@code RUNNING} with {@code UpdateState}; it is {@link #ERRORED} when it reports {@code ERRORED}, when its process
 * exits with a non-zero code, or when it does not report within the startup timeout.
 */
public enum ComponentState {
    NEW, STARTING, RUNNING, ERRORED, STOPPING, FINISHED;

    /** The states this one may move to. */
    public Set<ComponentState> next() {
        return switch (this) {
            case NEW -> EnumSet.of(STARTING);
            case STARTING -> EnumSet.of(RUNNING, ERRORED, STOPPING);
            case RUNNING -> EnumSet.of(ERRORED, STOPPING, FINISHED);
            case ERRORED -> EnumSet.of(STOPPING, FINISHED);
            case STOPPING -> EnumSet.of(FINISHED, ERRORED);
            case FINISHED -> EnumSet.noneOf(ComponentState.class);
        };
    }

    public boolean canMoveTo(ComponentState target) {
        return next().contains(target);
    }
}
