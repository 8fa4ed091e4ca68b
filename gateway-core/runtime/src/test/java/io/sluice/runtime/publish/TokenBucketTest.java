package io.sluice.runtime.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The publisher's token bucket on a hand-moved clock: no real time passes, every figure is exact. */
class TokenBucketTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** A monotonic clock the test moves. */
    private static final class FakeTicker {
        long now = 1_000 * SECOND; // an arbitrary origin, as System.nanoTime has

        void advance(long nanos) {
            now += nanos;
        }
    }

    private final FakeTicker ticker = new FakeTicker();

    private TokenBucket bucket(double rate) {
        return new TokenBucket(rate, () -> ticker.now);
    }

    /** After the wait the bucket names, the tokens are there; a millisecond earlier they are not. */
    private void assertWaitIsExact(TokenBucket bucket, double amount) {
        long wait = bucket.waitNanos(amount);
        assertTrue(wait > TimeUnit.MILLISECONDS.toNanos(1), "a wait of " + wait + " ns");
        ticker.advance(wait - TimeUnit.MILLISECONDS.toNanos(1));
        assertTrue(bucket.waitNanos(amount) > 0, "not yet, a millisecond before the named wait");
        ticker.advance(TimeUnit.MILLISECONDS.toNanos(1));
        assertEquals(0, bucket.waitNanos(amount), "there after the named wait");
    }

    @Test
    void startsEmptySoTheFirstSecondCannotExceedTheQuota() {
        TokenBucket b = bucket(100);
        long wait = b.waitNanos(10);
        assertEquals(SECOND / 10, wait, 2, "10 tokens at 100/s take 100 ms");
        assertWaitIsExact(bucket(100), 50);
    }

    @Test
    void refillsAtTheRateAndHoldsAtMostOneSecondsWorth() {
        TokenBucket b = bucket(100);
        ticker.advance(10 * SECOND); // idle for ten seconds: still only one second's worth
        assertEquals(0, b.waitNanos(100));
        b.take(100);
        assertTrue(b.waitNanos(1) > 0, "the bucket is empty after taking its size, not 900 tokens ahead");
        assertWaitIsExact(b, 25);
    }

    @Test
    void takingSmallAmountsDrainsTheBucketToTheToken() {
        TokenBucket b = bucket(10);
        ticker.advance(SECOND);
        for (int i = 0; i < 10; i++) {
            assertEquals(0, b.waitNanos(1), "token " + i);
            b.take(1);
        }
        assertEquals(SECOND / 10, b.waitNanos(1), 2, "the 11th token comes 100 ms later");
    }

    @Test
    void aRequestLargerThanTheBucketNeedsAFullBucketAndLeavesItInDebt() {
        TokenBucket b = bucket(100);
        ticker.advance(SECOND / 2);
        assertEquals(SECOND / 2, b.waitNanos(500), 2, "a request above the size waits for a full bucket, not for 5 s");
        ticker.advance(SECOND / 2);
        assertEquals(0, b.waitNanos(500), "allowed once the bucket is full: big packets are slowed, never stuck");
        b.take(500); // 100 - 500: 400 in debt
        assertEquals(5 * SECOND, b.waitNanos(100), 2, "the debt (400) and a full bucket (100) at 100/s");
        assertWaitIsExact(b, 1);
    }

    @Test
    void rateZeroIsUnlimited() {
        TokenBucket b = bucket(0);
        b.take(1_000_000);
        assertEquals(0, b.waitNanos(1_000_000));
        assertEquals(0, bucket(100).waitNanos(0), "nothing asked, nothing to wait for");
    }

    @Test
    void aLowerRateKeepsAtMostTheNewBucketSize() {
        TokenBucket b = bucket(100);
        ticker.advance(SECOND);
        b.setRate(10);
        assertEquals(10, b.rate());
        assertEquals(0, b.waitNanos(10));
        b.take(10);
        assertEquals(SECOND / 2, b.waitNanos(5), 2, "refills at the new rate");
    }

    @Test
    void aRaisedRateRefillsAtTheNewRateFromThenOn() {
        TokenBucket b = bucket(10);
        ticker.advance(SECOND / 2); // 5 tokens at the old rate
        b.setRate(100);
        assertEquals(SECOND / 20, b.waitNanos(10), 2, "5 more tokens at 100/s take 50 ms");
    }

    @Test
    void unlimitedThenLimitedStartsFromAnEmptyBucket() {
        TokenBucket b = bucket(0);
        ticker.advance(10 * SECOND);
        b.setRate(100);
        assertTrue(b.waitNanos(1) > 0, "an unlimited bucket held no tokens to spend once limited");
    }
}
