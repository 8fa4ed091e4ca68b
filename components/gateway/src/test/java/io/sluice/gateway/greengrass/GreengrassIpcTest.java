package io.sluice.gateway.greengrass;

import static io.sluice.gateway.greengrass.IpcSessionState.CLOSED;
import static io.sluice.gateway.greengrass.IpcSessionState.CONNECTED;
import static io.sluice.gateway.greengrass.IpcSessionState.CONNECTING;
import static io.sluice.gateway.greengrass.IpcSessionState.RECONNECTING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.support.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GreengrassIpcTest {

    @Test
    void theSessionMovesOnlyAsDrawn() {
        assertTrue(CONNECTING.canMoveTo(CONNECTED));
        assertTrue(CONNECTED.canMoveTo(RECONNECTING));
        assertTrue(RECONNECTING.canMoveTo(CONNECTED));
        for (IpcSessionState s : List.of(CONNECTING, CONNECTED, RECONNECTING)) {
            assertTrue(s.canMoveTo(CLOSED), s + " can close");
        }
        assertFalse(CONNECTING.canMoveTo(RECONNECTING), "a first connect that fails is retried, not reconnected");
        assertFalse(RECONNECTING.canMoveTo(CONNECTING));
        for (IpcSessionState s : IpcSessionState.values()) {
            assertFalse(CLOSED.canMoveTo(s), "nothing after CLOSED: " + s);
            assertFalse(s.canMoveTo(s), s + " to itself");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CLOSED.moveTo(CONNECTED));
        assertTrue(e.getMessage().contains("CLOSED") && e.getMessage().contains("CONNECTED"), e.getMessage());
    }

    /** A clock the sleeper moves: no real waiting. */
    private long now = 1_000_000_000L;
    private final List<Duration> waits = new ArrayList<>();

    private void sleep(Duration wait) {
        waits.add(wait);
        now += wait.toNanos();
    }

    @Test
    void connectRetriesWithTheSharedBackoffUntilItSucceeds() throws IOException {
        int[] attempts = {0};
        GreengrassIpc.retryUntil(() -> {
            if (++attempts[0] < 4) throw new IOException("no socket yet");
        }, Duration.ofSeconds(60), new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30), () -> 0.0),
                () -> now, this::sleep, "/tmp/ipc.sock");
        assertEquals(4, attempts[0]);
        assertEquals(List.of(125L, 250L, 500L), waits.stream().map(Duration::toMillis).toList(), "doubling waits (the lower half of each step)");
    }

    @Test
    void connectGivesUpWhenTheNextWaitWouldPassTheTimeout() {
        IOException e = assertThrows(IOException.class, () -> GreengrassIpc.retryUntil(() -> {
            throw new IOException("connection refused");
        }, Duration.ofSeconds(5), new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30), () -> 0.0),
                () -> now, this::sleep, "/tmp/ipc.sock"));
        assertTrue(e.getMessage().contains("/tmp/ipc.sock") && e.getMessage().contains("connection refused"), e.getMessage());
        // 125 + 250 + 500 + 1000 + 2000 ms = 3.875 s; the next wait (4 s) would end after 5 s
        assertEquals(List.of(125L, 250L, 500L, 1000L, 2000L), waits.stream().map(Duration::toMillis).toList());
    }
}
