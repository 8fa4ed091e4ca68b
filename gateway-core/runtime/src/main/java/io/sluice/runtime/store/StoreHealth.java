package io.sluice.runtime.store;

/** The store's own condition, shown in metrics, status and the CLI. */
public record StoreHealth(State state, String detail, long sinceMillis) {

    public enum State { OK, DISK_FULL, IO_ERROR, CLOSED }

    public static StoreHealth ok(long now) {
        return new StoreHealth(State.OK, "", now);
    }
}
