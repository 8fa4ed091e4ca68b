package io.sluice.connector.opcua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FailureEpisodesTest {

    @Test
    void repeatsOfOneCauseAreOneEpisodeUntilARecovery() {
        FailureEpisodes episodes = new FailureEpisodes();
        assertTrue(episodes.failed("cannot reach opc.tcp://h:4840: Connection refused", true));
        assertFalse(episodes.failed("cannot reach opc.tcp://h:4840: Connection refused", true));
        assertFalse(episodes.failed("cannot reach opc.tcp://h:4840: Connection refused", true));
        assertEquals(3, episodes.recovered());
        assertEquals(0, episodes.recovered(), "nothing failed since");
        assertTrue(episodes.failed("cannot reach opc.tcp://h:4840: Connection refused", true), "a new episode after a recovery");
    }

    @Test
    void aNewCauseIsANewEpisodeAndFiguresDoNotMakeOne() {
        FailureEpisodes episodes = new FailureEpisodes();
        assertTrue(episodes.failed("session to opc.tcp://h:4840 lost; reconnecting", false));
        assertTrue(episodes.failed("cannot open a session on opc.tcp://h:4840: timed out after 10s", true));
        assertFalse(episodes.failed("cannot open a session on opc.tcp://h:4840: timed out after 12s", true), "only a figure differs");
        assertTrue(episodes.failed("the server refused the user identity (Bad_UserAccessDenied)", true));
        assertEquals(3, episodes.recovered(), "the lost session is not a failed attempt");
    }
}
