package io.sluice.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.FreeSpace;
import io.sluice.runtime.store.StoreHealth.State;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class StoreHealthTest {

    @TempDir
    Path dir;

    @Test
    void transitionsAreThoseTheDiagramDraws() {
        assertEquals(EnumSet.of(State.LOW_SPACE, State.FULL, State.IO_ERROR, State.CLOSED), State.OK.allowed());
        assertTrue(State.FULL.canMoveTo(State.RECOVERING));
        assertFalse(State.FULL.canMoveTo(State.OK), "a full store recovers through RECOVERING");
        assertFalse(State.IO_ERROR.canMoveTo(State.OK));
        assertTrue(State.RECOVERING.canMoveTo(State.OK));
        assertTrue(State.CLOSED.allowed().isEmpty(), "CLOSED is final");
        for (State s : State.values()) {
            assertFalse(s.canMoveTo(s), s + " does not move to itself");
            if (s != State.CLOSED) assertTrue(s.canMoveTo(State.CLOSED), s + " can close");
        }
    }

    @Test
    void theSpacePolicyCountsAllowedTransitionsAndIgnoresOthers() {
        SpacePolicy space = new SpacePolicy(dir.resolve("s.db"), 0, FreeSpace.ofBytes(0), new StoreBudgetTest.FakeDisk(), Clock.systemUTC());
        assertFalse(space.moveTo(State.RECOVERING, ""), "OK cannot move to RECOVERING");
        assertTrue(space.moveTo(State.FULL, "disk full"));
        assertFalse(space.moveTo(State.OK, ""), "FULL cannot skip RECOVERING");
        assertTrue(space.moveTo(State.RECOVERING, ""));
        assertTrue(space.moveTo(State.FULL, "again"));
        assertTrue(space.moveTo(State.RECOVERING, ""));
        assertTrue(space.moveTo(State.OK, ""));
        assertEquals(2, space.enteredCount(State.FULL));
        assertEquals(2, space.enteredCount(State.RECOVERING));
        assertEquals(1, space.enteredCount(State.OK));
        assertEquals("", space.health().detail());
        assertTrue(space.moveTo(State.CLOSED, ""));
        assertFalse(space.moveTo(State.OK, ""));
        assertEquals(State.CLOSED, space.state());
    }

    @Test
    void headroomIsTheTightestOfBudgetWatermarkAndFile() {
        StoreBudgetTest.FakeDisk disk = new StoreBudgetTest.FakeDisk();
        disk.usable.set(100L << 20);
        SpacePolicy space = new SpacePolicy(dir.resolve("s.db"), 50L << 20, FreeSpace.ofPercent(5), disk, Clock.systemUTC());
        // no reserve file in the temp dir: its 4 MB count as used
        long watermark = (100L << 20) - (long) ((1L << 30) * 0.05) - SpacePolicy.RESERVE_BYTES;
        assertEquals(Math.min(40L << 20, watermark), space.headroom(10L << 20, Long.MAX_VALUE, 0));
        assertEquals(1000 + 24, space.headroom(0, 1000, 24), "the file's page limit plus its free pages");
        assertTrue(space.ensureReserve());
        assertEquals(watermark + SpacePolicy.RESERVE_BYTES + 5, space.headroom(0, Long.MAX_VALUE, 5));
        assertEquals(FreeSpace.ofBytes(256L << 20), FreeSpace.parse("256MB"));
        assertEquals(FreeSpace.ofPercent(5), FreeSpace.parse("5%"));
        assertEquals("5%", FreeSpace.parse("5 %").toString());
    }
}
