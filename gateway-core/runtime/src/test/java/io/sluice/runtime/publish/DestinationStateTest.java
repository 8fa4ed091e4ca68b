package io.sluice.runtime.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DestinationStateTest {

    private static final Instant T0 = Instant.parse("2026-12-07T03:00:00Z");

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
        DestinationLifecycle lifecycle = new DestinationLifecycle(new AtomicReference<>(), PublishClock.of(java.time.Clock.systemUTC()));
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
    void failedRetriesContinueOneEpisode() {
        ManualClock clock = new ManualClock(T0);
        DestinationLifecycle lifecycle = new DestinationLifecycle(new AtomicReference<>(), PublishClock.of(clock));
        lifecycle.moveTo(DestinationState.FAILED);
        clock.advance(Duration.ofSeconds(5));
        lifecycle.moveTo(DestinationState.STARTING);
        assertEquals(T0.plusSeconds(5).toEpochMilli(), lifecycle.sinceMillis());
        lifecycle.moveTo(DestinationState.FAILED);
        assertEquals(T0.toEpochMilli(), lifecycle.sinceMillis(), "FAILED since the first failed start");
        clock.advance(Duration.ofSeconds(5));
        lifecycle.moveTo(DestinationState.STARTING);
        lifecycle.started();
        assertEquals(DestinationState.IDLE, lifecycle.state());
        assertEquals(T0.plusSeconds(10).toEpochMilli(), lifecycle.sinceMillis());
        clock.advance(Duration.ofSeconds(1));
        lifecycle.moveTo(DestinationState.STOPPING);
        lifecycle.moveTo(DestinationState.STOPPED);
        lifecycle.moveTo(DestinationState.STOPPED);
        assertEquals(T0.plusSeconds(11).toEpochMilli(), lifecycle.sinceMillis(), "staying in a state is no transition");
    }

    @Test
    void theWorkersActivityMovesAlongTheAllowedTransitionsAndStampsItsTimeOnTheClock() {
        ManualClock clock = new ManualClock(T0);
        DestinationLifecycle lifecycle = new DestinationLifecycle(new AtomicReference<>(), PublishClock.of(clock));
        lifecycle.activity(DestinationState.SENDING);
        assertEquals(DestinationState.STARTING, lifecycle.state(), "no activity before the start");
        lifecycle.started();
        clock.advance(Duration.ofMillis(250));
        lifecycle.activity(DestinationState.SENDING);
        assertEquals(T0.plusMillis(250).toEpochMilli(), lifecycle.sinceMillis());
        clock.advance(Duration.ofMillis(250));
        lifecycle.activity(DestinationState.SENDING);
        assertEquals(T0.plusMillis(250).toEpochMilli(), lifecycle.sinceMillis(), "the same activity is no transition");
        lifecycle.activity(DestinationState.BACKING_OFF);
        assertEquals(DestinationState.BACKING_OFF, lifecycle.state());
        assertEquals(T0.plusMillis(500).toEpochMilli(), lifecycle.sinceMillis());
        assertThrows(IllegalArgumentException.class, () -> lifecycle.activity(DestinationState.STOPPED), "not an activity");
        assertThrows(IllegalArgumentException.class, () -> lifecycle.activity(DestinationState.PAUSED), "a pause goes through enterPause");
        assertThrows(IllegalStateException.class, () -> lifecycle.moveTo(DestinationState.STARTING));
        assertThrows(IllegalStateException.class, () -> lifecycle.moveTo(DestinationState.FAILED));
        assertThrows(IllegalStateException.class, () -> lifecycle.moveTo(DestinationState.STOPPED), "a worker stops through STOPPING");
        assertEquals(DestinationState.BACKING_OFF, lifecycle.state(), "a refused move changes nothing");
    }

    @Test
    void theDrainDeadlineRunsOnTheClock() {
        ManualClock clock = new ManualClock(T0);
        DestinationLifecycle lifecycle = new DestinationLifecycle(new AtomicReference<>(), PublishClock.of(clock));
        lifecycle.started();
        assertEquals(Long.MAX_VALUE, lifecycle.nanosLeft());
        assertFalse(lifecycle.pastDeadline());
        lifecycle.requestStop(Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(4));
        assertEquals(Duration.ofSeconds(6).toNanos(), lifecycle.nanosLeft());
        assertFalse(lifecycle.pastDeadline());
        clock.advance(Duration.ofSeconds(6));
        assertTrue(lifecycle.pastDeadline());
        assertEquals(0, lifecycle.nanosLeft());
    }

    @Test
    void aPauseStopsTheWorkerAtItsNextStepAResumeReturnsToIdleAndAPausedDestinationStartsPaused() {
        assertTrue(DestinationState.SENDING.canMoveTo(DestinationState.PAUSED));
        assertTrue(DestinationState.PAUSED.canMoveTo(DestinationState.IDLE));
        assertFalse(DestinationState.PAUSED.canMoveTo(DestinationState.SENDING), "a paused destination resumes through IDLE");
        assertFalse(DestinationState.FAILED.canMoveTo(DestinationState.PAUSED), "a failed destination pauses once it starts");
        DestinationLifecycle lifecycle = new DestinationLifecycle(new AtomicReference<>(), PublishClock.of(java.time.Clock.systemUTC()));
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

        DestinationLifecycle restarted = new DestinationLifecycle(new AtomicReference<>(), PublishClock.of(java.time.Clock.systemUTC()));
        restarted.pause(true);
        restarted.started();
        assertEquals(DestinationState.PAUSED, restarted.state());
    }

    @Test
    void aStopDuringStartLeavesTheNewWorkerOnlyToDrain() {
        DestinationLifecycle lifecycle = new DestinationLifecycle(new AtomicReference<>(), PublishClock.of(java.time.Clock.systemUTC()));
        lifecycle.requestStop(Duration.ZERO);
        assertTrue(lifecycle.pastDeadline());
        lifecycle.started();
        assertEquals(DestinationState.STOPPING, lifecycle.state());
    }
}
