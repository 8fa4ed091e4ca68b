package io.sluice.runtime.publish;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DestinationStateTest {

    @Test
    void onlyTheDrawnTransitionsAreAllowed() {
        assertTrue(DestinationState.STARTING.canMoveTo(DestinationState.FAILED));
        assertTrue(DestinationState.FAILED.canMoveTo(DestinationState.STARTING));
        assertFalse(DestinationState.FAILED.canMoveTo(DestinationState.SENDING), "a failed destination starts first");
        assertFalse(DestinationState.STOPPED.canMoveTo(DestinationState.STARTING), "stopped is final");
        assertTrue(DestinationState.DISABLED.next().isEmpty(), "a disabled destination has no run");
        assertFalse(DestinationState.SENDING.canMoveTo(DestinationState.STOPPED), "a worker stops through STOPPING");
        for (DestinationState s : DestinationState.values()) {
            if (s != DestinationState.STOPPED && s != DestinationState.DISABLED) assertTrue(s.canMoveTo(DestinationState.STOPPING) || s.canMoveTo(DestinationState.STOPPED), s.name());
        }
        assertEquals("backing-off", DestinationState.BACKING_OFF.label());
    }

    @Test
    void aStopFreezesTheWorkersActivityAtStoppingAndAWrongMoveThrows() {
        DestinationLifecycle lifecycle = new DestinationLifecycle(new AtomicReference<>());
        assertEquals(DestinationState.STARTING, lifecycle.state());
        lifecycle.started();
        lifecycle.activity(DestinationState.SENDING);
        assertEquals(DestinationState.SENDING, lifecycle.state());
        lifecycle.requestStop(Duration.ofMinutes(1));
        assertEquals(DestinationState.STOPPING, lifecycle.state());
        lifecycle.activity(DestinationState.BACKING_OFF);
        assertEquals(DestinationState.STOPPING, lifecycle.state(), "draining does not leave STOPPING");
        assertFalse(lifecycle.pastDeadline());
        assertThrows(IllegalStateException.class, () -> lifecycle.moveTo(DestinationState.IDLE));
        lifecycle.moveTo(DestinationState.STOPPED);
    }

    @Test
    void failedRetriesContinueOneEpisode() throws InterruptedException {
        DestinationLifecycle lifecycle = new DestinationLifecycle(new AtomicReference<>());
        lifecycle.moveTo(DestinationState.FAILED);
        long since = lifecycle.sinceMillis();
        long later = System.currentTimeMillis() + 5;
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1)).until(() -> System.currentTimeMillis() >= later);
        lifecycle.moveTo(DestinationState.STARTING);
        lifecycle.moveTo(DestinationState.FAILED);
        assertEquals(since, lifecycle.sinceMillis(), "FAILED since the first failed start");
        lifecycle.moveTo(DestinationState.STARTING);
        lifecycle.started();
        assertTrue(lifecycle.sinceMillis() > since);
    }

    @Test
    void aPauseStopsTheWorkerAtItsNextStepAResumeReturnsToIdleAndAPausedDestinationStartsPaused() {
        assertTrue(DestinationState.SENDING.canMoveTo(DestinationState.PAUSED));
        assertTrue(DestinationState.PAUSED.canMoveTo(DestinationState.IDLE));
        assertFalse(DestinationState.PAUSED.canMoveTo(DestinationState.SENDING), "a paused destination resumes through IDLE");
        assertFalse(DestinationState.FAILED.canMoveTo(DestinationState.PAUSED), "a failed destination pauses once it starts");
        DestinationLifecycle lifecycle = new DestinationLifecycle(new AtomicReference<>());
        lifecycle.started();
        lifecycle.activity(DestinationState.SENDING);
        lifecycle.pause(true);
        assertEquals(DestinationState.SENDING, lifecycle.state(), "the worker leaves its window first");
        lifecycle.enterPause();
        assertEquals(DestinationState.PAUSED, lifecycle.state());
        lifecycle.activity(DestinationState.SENDING);
        assertEquals(DestinationState.PAUSED, lifecycle.state(), "no activity while paused");
        lifecycle.pause(false);
        assertEquals(DestinationState.IDLE, lifecycle.state());
        lifecycle.pause(true);
        lifecycle.enterPause();
        lifecycle.requestStop(Duration.ofMinutes(1));
        assertEquals(DestinationState.STOPPING, lifecycle.state(), "a paused destination can be stopped");

        DestinationLifecycle restarted = new DestinationLifecycle(new AtomicReference<>());
        restarted.pause(true);
        restarted.started();
        assertEquals(DestinationState.PAUSED, restarted.state());
    }

    @Test
    void aStopDuringStartLeavesTheNewWorkerOnlyToDrain() {
        DestinationLifecycle lifecycle = new DestinationLifecycle(new AtomicReference<>());
        lifecycle.requestStop(Duration.ZERO);
        assertTrue(lifecycle.pastDeadline());
        lifecycle.started();
        assertEquals(DestinationState.STOPPING, lifecycle.state());
    }
}
