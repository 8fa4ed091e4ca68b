package io.sluice.destination.kinesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ShardMapTest {

    private static final BigInteger HALF = BigInteger.ONE.shiftLeft(127);

    @Test
    void hashKeyIsTheMd5OfTheUtf8KeyAsAnUnsignedBigEndianNumber() {
        assertEquals(new BigInteger("0cc175b9c0f1b6a831c399e269772661", 16), ShardMap.hashKey("a"));
        // the top bit set: read as unsigned, never negative
        BigInteger x = ShardMap.hashKey("x");
        assertEquals(new BigInteger("9dd4e461268c8034f5c8564e155c67a6", 16), x);
        assertTrue(x.signum() > 0);
        assertEquals(new BigInteger("6cf13db99282ce728dba826286ba4d3a", 16), ShardMap.hashKey("sim/press.force"));
    }

    @Test
    void anEvenSplitCoversTheWholeRangeLikeCreateStream() {
        ShardMap two = ShardMap.even(2);
        assertEquals(2, two.shardCount());
        assertFalse(two.listed());
        assertEquals(BigInteger.ZERO, two.ranges().get(0).startHashKey());
        assertEquals(HALF.subtract(BigInteger.ONE), two.ranges().get(0).endHashKey());
        assertEquals(HALF, two.ranges().get(1).startHashKey());
        assertEquals(ShardMap.MAX_HASH_KEY, two.ranges().get(1).endHashKey());
        assertEquals("shardId-000000000000", two.shardOf("a"));   // 0x0cc1... < 2^127
        assertEquals("shardId-000000000001", two.shardOf("x"));   // 0x9dd4... >= 2^127
        ShardMap three = ShardMap.even(3);
        assertEquals(ShardMap.MAX_HASH_KEY, three.ranges().get(2).endHashKey());
        assertEquals(three.ranges().get(0).endHashKey().add(BigInteger.ONE), three.ranges().get(1).startHashKey());
        assertEquals("shardId-000000000000", ShardMap.even(1).shardOf("x"));
    }

    @Test
    void listedRangesDecideAtTheirInclusiveBoundaries() {
        // after a split of shard 0 of a 1-shard stream: two children with uneven ranges, listed out of order
        BigInteger cut = new BigInteger("0cc175b9c0f1b6a831c399e269772661", 16);
        ShardMap map = ShardMap.of(List.of(
                new ShardMap.Range("shardId-000000000002", cut.add(BigInteger.ONE), ShardMap.MAX_HASH_KEY),
                new ShardMap.Range("shardId-000000000001", BigInteger.ZERO, cut)));
        assertTrue(map.listed());
        assertEquals("shardId-000000000001", map.shardOf("a"), "the range's end is inclusive");
        assertEquals("shardId-000000000002", map.shardOfHash(cut.add(BigInteger.ONE)));
        assertEquals("shardId-000000000001", map.shardOfHash(BigInteger.ZERO));
        assertEquals("shardId-000000000002", map.shardOfHash(ShardMap.MAX_HASH_KEY));
        assertEquals("shardId-000000000002", map.shardOf("x"));
    }
}
