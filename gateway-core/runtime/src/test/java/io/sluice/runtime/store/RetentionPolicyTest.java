package io.sluice.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RetentionPolicyTest {

    /** Blocks of 10 samples, 100 bytes, newest receive time = first sequence. */
    private static final List<BlockMeta> BLOCKS = List.of(block(0), block(10), block(20), block(30));

    private static BlockMeta block(long first) {
        return new BlockMeta(first, 10, first, first, 100, null, null, null);
    }

    @Test
    void passedBlocksGoWithoutLossExpiredOnesCountWhatWasUndelivered() {
        var passed = RetentionPolicy.passedOrExpired(BLOCKS, 0, 25, Long.MAX_VALUE, Long.MIN_VALUE);
        assertEquals(20, passed.deleteBefore(), "only whole blocks every destination passed");
        assertEquals(0, passed.lostSamples());
        assertEquals(200, passed.freedBytes());
        var expired = RetentionPolicy.passedOrExpired(BLOCKS, 0, 5, Long.MAX_VALUE, 25);
        assertEquals(30, expired.deleteBefore());
        assertEquals(25, expired.lostSamples(), "5..30 had not reached every destination");
        var none = RetentionPolicy.passedOrExpired(BLOCKS, 0, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE);
        assertTrue(none.isEmpty(), "no destination: nothing is ever passed");
    }

    @Test
    void passedBlocksStayWhileYoungerThanTheKeepCutoffExpiredOnesGoAnyway() {
        var kept = RetentionPolicy.passedOrExpired(BLOCKS, 0, 40, 15, Long.MIN_VALUE);
        assertEquals(20, kept.deleteBefore(), "blocks received at 0 and 10 are past the keep time; 20 and 30 stay");
        assertEquals(0, kept.lostSamples());
        var keptExpired = RetentionPolicy.passedOrExpired(BLOCKS, 0, 40, Long.MIN_VALUE, 25);
        assertEquals(30, keptExpired.deleteBefore(), "the TTL applies to kept samples too");
        assertEquals(0, keptExpired.lostSamples(), "every destination had them");
    }

    @Test
    void oldestFreesWholeBlocksUntilEnoughAndCountsEveryUndeliveredSample() {
        var e = RetentionPolicy.oldest(BLOCKS, 0, 150, Long.MIN_VALUE);
        assertEquals(20, e.deleteBefore());
        assertEquals(200, e.freedBytes());
        assertEquals(20, e.lostSamples(), "without destinations every dropped sample is lost");
        var delivered = RetentionPolicy.oldest(BLOCKS, 10, 100, 15);
        assertEquals(20, delivered.deleteBefore(), "starts at the first block not yet evicted");
        assertEquals(5, delivered.lostSamples());
        var all = RetentionPolicy.oldest(BLOCKS, 0, 10_000, Long.MIN_VALUE);
        assertEquals(40, all.deleteBefore());
        assertEquals(400, all.freedBytes());
        assertTrue(RetentionPolicy.oldest(BLOCKS, 0, 0, 0).isEmpty());
    }
}
