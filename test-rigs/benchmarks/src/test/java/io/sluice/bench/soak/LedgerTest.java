package io.sluice.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LedgerTest {

    private static final List<String> DESTINATIONS = List.of("file", "kinesis");

    @Test
    void missingAndPastEndAreCountedAgainstTheAcknowledgedRange() {
        Ledger ledger = new Ledger(DESTINATIONS, Set.of());
        for (long seq = 0; seq < 10; seq++) {
            if (seq != 4) ledger.record("file", 0, "s", seq, "t", seq, 1_000 + seq);
            ledger.record("kinesis", 0, "s", seq, "t", seq, 1_000 + seq);
        }
        ledger.record("kinesis", 0, "s", 10, "t", 10, 1_010);   // delivered, but the store says next_seq = 10

        assertEquals(1, ledger.missing("file", "s", 10));
        assertEquals(0, ledger.missing("kinesis", "s", 10));
        assertEquals(1, ledger.pastEnd("s", 10));
        assertEquals(10, ledger.missing("file", "unknown", 10));
    }

    @Test
    void aSequenceNumberDeliveredWithTwoContentsIsAConflict() {
        Ledger ledger = new Ledger(DESTINATIONS, Set.of());
        ledger.record("file", 0, "s", 0, "t", 0, 1_000);
        ledger.record("kinesis", 0, "s", 0, "t", 0, 1_000);    // the same sample: no conflict
        ledger.record("kinesis", 0, "s", 1, "t", 1, 1_001);
        ledger.record("file", 0, "s", 1, "t", 7, 1_001);       // same number, other value

        assertEquals(1, ledger.conflicts("s"));
    }

    @Test
    void onlyRepeatsDeliveredBeforeAKillAndAgainAfterItCountPerCrash() {
        Ledger ledger = new Ledger(DESTINATIONS, Set.of(1));   // life 1 began after a kill; life 2 after a clean stop
        for (long seq = 0; seq < 5; seq++) ledger.record("file", 0, "s", seq, "t", seq, seq);
        for (long seq = 3; seq < 8; seq++) ledger.record("file", 1, "s", seq, "t", seq, seq);   // 3, 4 again
        ledger.record("file", 1, "s", 7, "t", 7, 7);                                             // a retry in the same life
        ledger.record("file", 2, "s", 6, "t", 6, 6);                                             // after a clean stop

        assertEquals(2, ledger.maxRepeatsAcrossOneCrash());
        assertEquals(Map.of(1, 3L, 2, 1L), ledger.repeatsByLife("file"));
        assertEquals(4, ledger.repeats("file"));
    }

    @Test
    void counterGapsWithinALifeAndSkippedStartsAreSourceGaps() {
        Ledger ledger = new Ledger(DESTINATIONS, Set.of());
        long seq = 0;
        // life 0: tag a counts 0..5 with 2 and 3 missing; tag b counts 0..5 complete
        for (long v : new long[] {0, 1, 4, 5}) ledger.record("file", 0, "s", seq++, "a", v, seq);
        for (long v = 0; v <= 5; v++) ledger.record("file", 0, "s", seq++, "b", v, seq);
        // life 1: tag a starts again, but its first arriving value is 3 (0, 1, 2 never arrived)
        for (long v : new long[] {3, 4}) ledger.record("file", 1, "s", seq++, "a", v, seq);
        // life 2: tag b starts again at 0
        ledger.record("file", 2, "s", seq++, "b", 0, seq);

        assertEquals(2 + 3, ledger.sourceGaps("s"));
        assertEquals(2, ledger.livesSeen("s"));
    }
}
