package io.sluice.destination.kinesis;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which open shard of a stream a partition key writes to. Kinesis hashes the key's UTF-8 bytes with MD5 and reads the
 * 16 digest bytes as an unsigned big-endian 128-bit integer; the shard whose hash key range (inclusive at both ends)
 * holds that number takes the record. The ranges come from {@code ListShards} (open shards only); without them
 * {@link #even} splits the range the way {@code CreateStream} does.
 */
public final class ShardMap {

    static final BigInteger MAX_HASH_KEY = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    /** One open shard and its hash key range, both ends inclusive. */
    public record Range(String shardId, BigInteger startHashKey, BigInteger endHashKey) {}

    private final List<Range> ranges;
    private final boolean listed;

    private ShardMap(List<Range> ranges, boolean listed) {
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparing(Range::startHashKey));
        if (sorted.isEmpty()) throw new IllegalArgumentException("a stream has at least one open shard");
        this.ranges = List.copyOf(sorted);
        this.listed = listed;
    }

    /** From the open shards {@code ListShards} returned. */
    public static ShardMap of(List<Range> openShards) {
        return new ShardMap(openShards, true);
    }

    /** {@code n} shards of equal ranges, as {@code CreateStream} makes them: the fallback before (or without) ListShards. */
    public static ShardMap even(int n) {
        List<Range> ranges = new ArrayList<>(n);
        BigInteger size = BigInteger.ONE.shiftLeft(128).divide(BigInteger.valueOf(n));
        for (int i = 0; i < n; i++) {
            BigInteger start = size.multiply(BigInteger.valueOf(i));
            BigInteger end = i == n - 1 ? MAX_HASH_KEY : start.add(size).subtract(BigInteger.ONE);
            ranges.add(new Range(String.format("shardId-%012d", i), start, end));
        }
        return new ShardMap(ranges, false);
    }

    /** The 128-bit hash key of a partition key: MD5 of its UTF-8 bytes, unsigned big-endian. */
    public static BigInteger hashKey(String partitionKey) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8));
            return new BigInteger(1, digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every Java runtime", e);
        }
    }

    /** The shard a partition key writes to. */
    public String shardOf(String partitionKey) {
        return shardOfHash(hashKey(partitionKey));
    }

    String shardOfHash(BigInteger hash) {
        int lo = 0;
        int hi = ranges.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (ranges.get(mid).startHashKey().compareTo(hash) <= 0) lo = mid;
            else hi = mid - 1;
        }
        Range r = ranges.get(lo);
        // a gap (a resharding caught half-way) or a hash below the first range: the nearest shard is a fair guess
        return r.shardId();
    }

    public int shardCount() {
        return ranges.size();
    }

    public List<Range> ranges() {
        return ranges;
    }

    /** True when the ranges came from ListShards, false for the even split assumed before. */
    public boolean listed() {
        return listed;
    }
}
