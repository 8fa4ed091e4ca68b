package io.sluice.rigs.greengrass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class ComponentStateTest {

    @Test
    void runningOnlyFromStarting() {
        for (ComponentState s : ComponentState.values()) {
            assertEquals(s == ComponentState.STARTING, s.canMoveTo(ComponentState.RUNNING), s + " -> RUNNING");
        }
    }

    @Test
    void finishedIsTerminalAndErroredCannotBecomeRunning() {
        assertTrue(ComponentState.FINISHED.next().isEmpty());
        assertFalse(ComponentState.ERRORED.canMoveTo(ComponentState.RUNNING));
        assertEquals(EnumSet.of(ComponentState.STARTING), ComponentState.NEW.next());
    }
}
