package io.sluice.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LifecycleTest {

    enum Door implements LifecycleState<Door> {
        CLOSED, OPEN, LOCKED;

        public Set<Door> next() {
            return switch (this) {
                case CLOSED -> EnumSet.of(OPEN, LOCKED);
                case OPEN -> EnumSet.of(CLOSED);
                case LOCKED -> EnumSet.of(CLOSED);
            };
        }
    }

    @Test
    void movesTheEnumAllowsAndRefusesTheOthersNamingTheOwner() {
        Lifecycle<Door> door = new Lifecycle<>("door 3", Door.CLOSED);
        door.moveTo(Door.OPEN);
        assertEquals(Door.OPEN, door.state());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> door.moveTo(Door.LOCKED));
        assertEquals("door 3 cannot go from OPEN to LOCKED (allowed: [CLOSED])", e.getMessage());
        assertEquals(Door.OPEN, door.state(), "a refused move changes nothing");
        assertThrows(IllegalStateException.class, () -> Door.OPEN.moveTo(Door.LOCKED));
        assertEquals(Door.CLOSED, Door.OPEN.moveTo(Door.CLOSED));
    }

    @Test
    void conditionalMovesTellWhetherTheyMoved() {
        Lifecycle<Door> door = new Lifecycle<>("door", Door.CLOSED);
        assertFalse(door.moveFrom(Door.OPEN, Door.CLOSED), "not open");
        assertTrue(door.moveFrom(Door.CLOSED, Door.LOCKED));
        assertFalse(door.moveIfAllowed(Door.OPEN), "a locked door does not open");
        assertEquals(Door.LOCKED, door.state());
        assertTrue(door.moveIfAllowed(Door.CLOSED));
        assertTrue(door.isAnyOf(Door.OPEN, Door.CLOSED));
        assertFalse(door.isAnyOf(Door.LOCKED));
    }
}
