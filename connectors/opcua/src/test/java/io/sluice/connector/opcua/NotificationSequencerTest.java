package io.sluice.connector.opcua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class NotificationSequencerTest {

    private static final long WAIT = 1_000;

    private final List<String> out = new ArrayList<>();
    private final NotificationSequencer<String> seq = new NotificationSequencer<>(new NotificationSequencer.Receiver<>() {
        @Override public void deliver(long sub, long n, String message) { out.add(sub + ":" + n + "=" + message); }
        @Override public void lost(long sub, long first, long count) { out.add(sub + ":lost " + first + "+" + count); }
    }, 3, WAIT);

    @Test
    void inOrderMessagesPassStraightThrough() {
        seq.begin(7);
        assertTrue(seq.offer(7, 1, "a", 0));
        assertTrue(seq.offer(7, 2, "b", 0));
        assertEquals(List.of("7:1=a", "7:2=b"), out);
    }

    @Test
    void aLaterMessageWaitsForTheEarlierOneAndADuplicateIsDropped() {
        seq.begin(7);
        seq.offer(7, 1, "a", 0);
        assertTrue(seq.offer(7, 3, "c", 0));      // 2 is still on its way
        assertEquals(List.of("7:1=a"), out);
        assertTrue(seq.offer(7, 2, "b", 0));      // the republish answer
        assertFalse(seq.offer(7, 2, "b", 0));     // the original, late
        assertFalse(seq.offer(7, 3, "c", 0));     // the server sending its queue again
        assertEquals(List.of("7:1=a", "7:2=b", "7:3=c"), out);
        assertTrue(seq.received(7, 3));
        assertFalse(seq.received(7, 4));
    }

    @Test
    void aGapIsLostOnlyWhenTheServerNoLongerHasIt() {
        seq.begin(7);
        seq.offer(7, 1, "a", 0);
        seq.offer(7, 4, "d", 0);
        seq.unavailable(7, 2, 0);
        assertEquals(List.of("7:1=a"), out);       // 3 may still come
        seq.unavailable(7, 3, 0);
        assertEquals(List.of("7:1=a", "7:lost 2+2", "7:4=d"), out);
    }

    @Test
    void aGapIsGivenUpAfterTheWaitOrWhenTooManyMessagesWaitBehindIt() {
        seq.begin(7);
        seq.offer(7, 1, "a", 0);
        seq.offer(7, 3, "c", 10);
        seq.expire(10 + WAIT - 1);
        assertEquals(List.of("7:1=a"), out);
        seq.expire(10 + WAIT);
        assertEquals(List.of("7:1=a", "7:lost 2+1", "7:3=c"), out);

        out.clear();
        seq.begin(8);
        seq.offer(8, 2, "b", 0);
        seq.offer(8, 3, "c", 0);
        seq.offer(8, 4, "d", 0);
        assertEquals(List.of(), out);
        seq.offer(8, 5, "e", 0);                    // a fourth message behind the gap: more than maxHeld
        assertEquals(List.of("8:lost 1+1", "8:2=b", "8:3=c", "8:4=d", "8:5=e"), out);
    }

    @Test
    void aKeepAliveAnnouncesMessagesThatMustHaveBeenSent() {
        seq.begin(7);
        seq.offer(7, 1, "a", 0);
        seq.keepAlive(7, 2, 0);                     // nothing missing: the next message will be 2
        seq.keepAlive(7, 3, 5);                     // 2 was sent but has not arrived
        seq.expire(5 + WAIT);
        assertEquals(List.of("7:1=a", "7:lost 2+1"), out);
        assertTrue(seq.offer(7, 3, "c", 5 + WAIT));
        assertFalse(seq.offer(7, 2, "b", 5 + WAIT)); // too late: already reported lost
        assertEquals(List.of("7:1=a", "7:lost 2+1", "7:3=c"), out);
    }

    @Test
    void subscriptionsAreIndependentAndForgettingOneStartsItAfresh() {
        seq.begin(1);
        seq.begin(2);
        seq.offer(1, 1, "x", 0);
        seq.offer(2, 2, "y", 0);
        seq.offer(2, 1, "z", 0);
        assertEquals(List.of("1:1=x", "2:1=z", "2:2=y"), out);
        seq.forget(1);
        seq.begin(1);                                // a restarted server reusing the id
        assertTrue(seq.offer(1, 1, "again", 0));
        assertEquals("1:1=again", out.get(out.size() - 1));
        assertEquals(0, seq.heldCount());
    }
}
