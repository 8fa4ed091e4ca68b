package io.sluice.testkit;

import java.util.concurrent.TimeUnit;

/** The one bounded monitor wait the fakes share. */
final class Waits {

    private Waits() {}

    /** Waits on {@code monitor} (held by the caller) for at most {@code nanos}; a notify ends it early. */
    static void waitOn(Object monitor, long nanos) throws InterruptedException {
        monitor.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
    }
}
