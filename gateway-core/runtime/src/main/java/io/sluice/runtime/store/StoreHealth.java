package io.sluice.runtime.store;

import java.util.EnumSet;
import java.util.Set;

/**
 * The store's own condition, shown in metrics, {@code status.json} and {@code sluice status}.
 *
 * <pre>
 *   OK ──budget/watermark reached──► LOW_SPACE ──headroom above the margin, reserve there──► OK
 *   OK, LOW_SPACE, RECOVERING, IO_ERROR ──commit fails: disk full──► FULL
 *   OK, LOW_SPACE, RECOVERING, FULL ──commit fails: other error──► IO_ERROR
 *   FULL, IO_ERROR ──a write succeeds──► RECOVERING ──reserve back──► OK (or LOW_SPACE when at the budget)
 *   any state ──close()──► CLOSED (final)
 * </pre>
 * The transitions each state allows are coded in {@link State#allowed()} (docs/store.md draws them); the store logs
 * a transition once per episode and counts each one.
 */
public record StoreHealth(State state, String detail, long sinceMillis) {

    public enum State {
        /** Writes succeed and the store is within its budget with room to spare. */
        OK,
        /** The store-wide budget or the free-disk watermark is reached: drop-oldest streams evict, reject-new refuse. */
        LOW_SPACE,
        /** The file system (or file) is full: commits fail; the disk reserve is released and drop-oldest data evicted. */
        FULL,
        /** Writes succeed again after FULL or IO_ERROR; the disk reserve is being restored. */
        RECOVERING,
        /** A commit failed for another reason; appends fail (retryable) until a write succeeds. */
        IO_ERROR,
        /** The store is closed (final). */
        CLOSED;

        /** The states this one may move to. */
        public Set<State> allowed() {
            return switch (this) {
                case OK -> EnumSet.of(LOW_SPACE, FULL, IO_ERROR, CLOSED);
                case LOW_SPACE -> EnumSet.of(OK, FULL, IO_ERROR, CLOSED);
                case FULL -> EnumSet.of(RECOVERING, IO_ERROR, CLOSED);
                case IO_ERROR -> EnumSet.of(RECOVERING, FULL, CLOSED);
                case RECOVERING -> EnumSet.of(OK, LOW_SPACE, FULL, IO_ERROR, CLOSED);
                case CLOSED -> EnumSet.noneOf(State.class);
            };
        }

        public boolean canMoveTo(State next) {
            return allowed().contains(next);
        }

        /** Appends can be committed in this state. */
        public boolean writable() {
            return this == OK || this == LOW_SPACE || this == RECOVERING;
        }
    }

    public static StoreHealth ok(long now) {
        return new StoreHealth(State.OK, "", now);
    }
}
