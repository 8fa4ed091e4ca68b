package io.sluice.runtime.store;

/**
 * Which of a stream's oldest blocks go, and how many samples that loses. The one place that decides retention:
 * delivered and expired data ({@link #passedOrExpired}), and room under drop-oldest, for the stream's own limit,
 * the store-wide budget or a full disk ({@link #oldest}). Only whole blocks go, oldest first, so a stream's stored
 * samples stay one contiguous range. Pure functions over the block index; the store applies the result.
 */
final class RetentionPolicy {

    private RetentionPolicy() {}

    /**
     * Blocks below {@code deleteBefore} go; they hold {@code freedBytes} and {@code lostSamples} that not every
     * destination had. Empty when {@code deleteBefore == start}.
     */
    record Eviction(long start, long deleteBefore, long freedBytes, long lostSamples) {

        static Eviction none(long start) {
            return new Eviction(start, start, 0, 0);
        }

        boolean isEmpty() {
            return deleteBefore <= start;
        }
    }

    /** Samples of {@code b} that not every destination has had ({@code floor} from {@link StoredStream#deliveredFloor}). */
    static long undelivered(BlockMeta b, long floor) {
        return Math.max(0, b.endSeq() - Math.max(b.firstSeq(), floor));
    }

    /**
     * The oldest run of blocks that every destination passed before {@code keepCutoffNanos} (newest receive time
     * before it) or that is older than the TTL (newest receive time before {@code ttlCutoffNanos}). Expired samples
     * not every destination had are lost (counted as TTL drops).
     */
    static Eviction passedOrExpired(Iterable<BlockMeta> oldestFirst, long start, long floor, long keepCutoffNanos,
                                    long ttlCutoffNanos) {
        long deleteBefore = start;
        long freed = 0;
        long lost = 0;
        for (BlockMeta b : oldestFirst) {
            if (b.endSeq() <= start) continue;
            boolean passed = b.endSeq() <= floor;
            boolean expired = b.newestRx() < ttlCutoffNanos;
            if (!(passed && b.newestRx() < keepCutoffNanos) && !expired) break;
            if (!passed) lost += undelivered(b, floor);
            deleteBefore = b.endSeq();
            freed += b.bytes();
        }
        return new Eviction(start, deleteBefore, freed, lost);
    }

    /** How a stream gives up its oldest blocks to free {@code bytesToFree}: {@link #delivered} or {@link #oldest}. */
    @FunctionalInterface
    interface Choice {
        Eviction choose(Iterable<BlockMeta> oldestFirst, long start, long bytesToFree, long floor);
    }

    /**
     * The fewest oldest blocks from {@code start} on that every destination passed (kept by {@code keep-delivered})
     * and that free at least {@code bytesToFree} bytes, or all such blocks when they hold less. Nothing is lost.
     */
    static Eviction delivered(Iterable<BlockMeta> oldestFirst, long start, long bytesToFree, long floor) {
        long deleteBefore = start;
        long freed = 0;
        for (BlockMeta b : oldestFirst) {
            if (freed >= bytesToFree) break;
            if (b.endSeq() <= start) continue;
            if (b.endSeq() > floor) break;
            freed += b.bytes();
            deleteBefore = b.endSeq();
        }
        return new Eviction(start, deleteBefore, freed, 0);
    }

    /**
     * The fewest oldest blocks from {@code start} on that free at least {@code bytesToFree} bytes (all of them when
     * they hold less). Samples not every destination had are lost (counted as full drops).
     */
    static Eviction oldest(Iterable<BlockMeta> oldestFirst, long start, long bytesToFree, long floor) {
        long deleteBefore = start;
        long freed = 0;
        long lost = 0;
        for (BlockMeta b : oldestFirst) {
            if (freed >= bytesToFree) break;
            if (b.endSeq() <= start) continue;
            freed += b.bytes();
            lost += undelivered(b, floor);
            deleteBefore = b.endSeq();
        }
        return new Eviction(start, deleteBefore, freed, lost);
    }
}
