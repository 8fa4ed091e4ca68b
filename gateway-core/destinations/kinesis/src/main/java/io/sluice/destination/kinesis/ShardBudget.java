package io.sluice.destination.kinesis;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;

/**
 * The write quota of each shard (1 MiB and 1,000 records per second), kept at send time. Every {@code PutRecords}
 * call is first cut into chunks ({@link #chunks}) that each put at most one window's quota on any shard; then each
 * chunk {@linkplain #reserve reserves} its records on their shards and gets the earliest time at which, for every
 * shard it writes to, the records reserved in the {@code window} before it plus its own stay within the quota. The
 * check is a sliding window over the reserved send times, so a backlog (after an outage) drains at the quota and
 * never faster: nothing accumulates while idle, unlike a token bucket's burst. The window is a little longer than a
 * second (see {@link KinesisDestination#BUDGET_WINDOW}) to absorb network jitter between send and arrival.
 *
 * <p>Reservation times never go backwards on a shard, so each sliding window holds at most one quota. When a chunk's
 * call is answered its records move to the answer time ({@link #answered}): the service stamps a record anywhere
 * between send and answer, so windows count from the answer. Thread-safe: concurrent calls reserve one after the
 * other; a chunk that fits only once a chunk still in flight has left the window waits for that answer.
 *
 * <p>Hot keys: per partition key, the records and bytes reserved per second are compared with {@code hotShare} of
 * its shard's quota; a key above that for {@code hotSeconds} seconds in a row starts a hot-key episode, logged once
 * (WARN, naming key and shard); it ends (INFO) after a second below.
 */
public final class ShardBudget {

    /** The records and bytes one item puts on its shard. */
    public record Need(String shard, String key, long bytes, int records) {}

    /**
     * When a chunk may be sent ({@link System#nanoTime()} scale), whether the budget held it back, and its entries in
     * the shards' windows (for {@link #answered}).
     */
    public record Reservation(long atNanos, boolean heldBack, List<long[]> entries) {}

    private static final long SECOND = 1_000_000_000L;
    private static final long FORGET_KEY_AFTER = 60 * SECOND;

    private final long bytesPerWindow;
    private final long recordsPerWindow;
    private final long windowNanos;
    private final double hotShare;
    private final int hotSeconds;
    private final LongSupplier clock;
    private final Logger log;
    private final String streamName;
    private final Map<String, ShardWindow> shards = new HashMap<>();
    private final Map<String, KeyRate> keys = new LinkedHashMap<>();
    private final List<Runnable> waiting = new ArrayList<>();
    private long nextSweep;
    private long heldBackRecords;
    private long hotKeyEpisodes;

    public ShardBudget(String streamName, long bytesPerWindow, long recordsPerWindow, long windowNanos, double hotShare,
                       int hotSeconds, LongSupplier clock, Logger log) {
        this.streamName = streamName;
        this.bytesPerWindow = bytesPerWindow;
        this.recordsPerWindow = recordsPerWindow;
        this.windowNanos = windowNanos;
        this.hotShare = hotShare;
        this.hotSeconds = hotSeconds;
        this.clock = clock;
        this.log = log;
        this.nextSweep = clock.getAsLong();
    }

    /**
     * Cuts items (in order) into consecutive chunks that each put at most {@code bytesPerShard} bytes and
     * {@code recordsPerShard} records on any one shard; an item larger than that alone is a chunk of its own.
     */
    public static <T> List<List<T>> chunks(List<T> items, Function<T, String> shardOf, ToLongFunction<T> bytesOf,
                                           long bytesPerShard, long recordsPerShard) {
        List<List<T>> chunks = new ArrayList<>();
        List<T> current = new ArrayList<>();
        Map<String, long[]> use = new HashMap<>();
        for (T item : items) {
            String shard = shardOf.apply(item);
            long bytes = bytesOf.applyAsLong(item);
            long[] u = use.get(shard);
            if (u != null && (u[0] + bytes > bytesPerShard || u[1] + 1 > recordsPerShard)) {
                chunks.add(current);
                current = new ArrayList<>();
                use.clear();
                u = null;
            }
            if (u == null) {
                u = new long[2];
                use.put(shard, u);
            }
            u[0] += bytes;
            u[1]++;
            current.add(item);
        }
        if (!current.isEmpty()) chunks.add(current);
        return chunks;
    }

    /** Reserves one chunk's records on their shards; the caller sends the chunk at (not before) the time returned. */
    public Reservation reserve(List<Need> needs) {
        Reservation r = reserve(needs, null);
        if (r == null) throw new IllegalStateException("a chunk in flight must be answered first");
        return r;
    }

    /**
     * As {@link #reserve(List)}; but when the chunk fits only after a chunk still in flight on one of its shards has
     * left the window, that time is not known until the answer: then nothing is reserved, {@code retry} runs after
     * the next {@link #answered} and null is returned.
     */
    public Reservation reserve(List<Need> needs, Runnable retry) {
        synchronized (this) {
            Reservation r = tryReserve(needs);
            if (r != null || retry == null) return r;
            waiting.add(retry);
            return null;
        }
    }

    private Reservation tryReserve(List<Need> needs) {
        long now = clock.getAsLong();
        Map<String, long[]> perShard = new LinkedHashMap<>();
        for (Need n : needs) {
            long[] u = perShard.computeIfAbsent(n.shard(), s -> new long[2]);
            u[0] += n.bytes();
            u[1] += n.records();
        }
        long at = now;
        for (Map.Entry<String, long[]> e : perShard.entrySet()) {
            ShardWindow w = shards.computeIfAbsent(e.getKey(), s -> new ShardWindow());
            w.forgetBefore(now - windowNanos);
            long earliest = w.earliest(Math.min(e.getValue()[0], bytesPerWindow), Math.min(e.getValue()[1], recordsPerWindow));
            if (earliest == Long.MAX_VALUE) return null;
            at = Math.max(at, earliest);
        }
        List<long[]> entries = new ArrayList<>(perShard.size());
        for (Map.Entry<String, long[]> e : perShard.entrySet()) {
            entries.add(shards.get(e.getKey()).add(at, e.getValue()[0], e.getValue()[1]));
        }
        boolean heldBack = at - now > 0;
        long sendAt = at;
        for (Need n : needs) {
            if (heldBack) heldBackRecords += n.records();
            keys.computeIfAbsent(n.key(), k -> new KeyRate(n.shard(), sendAt)).add(n, sendAt);
        }
        if (now - nextSweep >= 0) sweep(now);
        return new Reservation(at, heldBack, entries);
    }

    /**
     * The chunk's call was answered (or failed): its records count from now on, not from when they were sent. The
     * service stamps records somewhere between send and answer, so the window of the next chunk on the shard starts
     * at the answer; a slow call therefore cannot bring two chunks closer together than the window.
     */
    public void answered(Reservation reservation) {
        List<Runnable> retry;
        synchronized (this) {
            long now = clock.getAsLong();
            for (long[] e : reservation.entries()) {
                e[0] = Math.max(e[0], now);
                e[3] = 0;
            }
            retry = new ArrayList<>(waiting);
            waiting.clear();
        }
        for (Runnable r : retry) r.run();
    }

    /** Chunks waiting for an answer before they can reserve. */
    public synchronized int waiting() {
        return waiting.size();
    }

    /** Records that had to wait for their shard's budget, in total. */
    public synchronized long heldBackRecords() {
        return heldBackRecords;
    }

    /** Keys in a hot-key episode now. */
    public synchronized int hotKeys() {
        int n = 0;
        for (KeyRate k : keys.values()) if (k.hot) n++;
        return n;
    }

    public synchronized long hotKeyEpisodes() {
        return hotKeyEpisodes;
    }

    /** Drops shards that no longer exist (after a resharding) and keys not written for a minute. */
    private void sweep(long now) {
        nextSweep = now + SECOND;
        shards.values().removeIf(w -> {
            w.forgetBefore(now - windowNanos);
            return w.entries.isEmpty();
        });
        for (Iterator<Map.Entry<String, KeyRate>> it = keys.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, KeyRate> e = it.next();
            KeyRate k = e.getValue();
            if (now - k.lastAt > FORGET_KEY_AFTER) {
                if (k.hot) endEpisode(e.getKey(), k);
                it.remove();
            } else if (k.hot && now - k.bucketStart >= 2 * SECOND) {
                endEpisode(e.getKey(), k);
            }
        }
    }

    private void endEpisode(String key, KeyRate k) {
        k.hot = false;
        k.hotRun = 0;
        log.info("kinesis stream {}: partition key '{}' is no longer hot on {}", streamName, key, k.shard);
    }

    /** The reservations of one shard within the last window, oldest first. */
    private final class ShardWindow {
        final ArrayDeque<long[]> entries = new ArrayDeque<>();
        long bytes;
        long records;
        long last = Long.MIN_VALUE;

        void forgetBefore(long cutoff) {
            while (!entries.isEmpty() && entries.peekFirst()[3] == 0 && entries.peekFirst()[0] - cutoff <= 0) {
                long[] e = entries.pollFirst();
                bytes -= e[1];
                records -= e[2];
            }
        }

        /**
         * The earliest time a chunk of this size fits: after enough of the oldest reservations leave the window;
         * {@code Long.MAX_VALUE} when one of those is still in flight (its time is known at its answer).
         */
        long earliest(long needBytes, long needRecords) {
            long at = last;
            long b = bytes;
            long r = records;
            Iterator<long[]> it = entries.iterator();
            while ((b + needBytes > bytesPerWindow || r + needRecords > recordsPerWindow) && it.hasNext()) {
                long[] e = it.next();
                b -= e[1];
                r -= e[2];
                if (e[3] != 0) return Long.MAX_VALUE;
                at = Math.max(at, e[0] + windowNanos);
            }
            return at;
        }

        long[] add(long at, long b, long r) {
            long[] e = {at, b, r, 1};
            entries.addLast(e);
            bytes += b;
            records += r;
            last = Math.max(last, at);
            return e;
        }
    }

    /** One partition key's records and bytes per second (by reserved send time) and its hot-key episode. */
    private final class KeyRate {
        String shard;
        long bucketStart;
        long bytes;
        long records;
        int hotRun;
        boolean hot;
        long lastAt;

        KeyRate(String shard, long at) {
            this.shard = shard;
            this.bucketStart = at;
        }

        void add(Need n, long at) {
            if (at - bucketStart >= SECOND) {
                boolean wasHot = bytes > hotShare * bytesPerSecond() || records > hotShare * recordsPerSecond();
                hotRun = wasHot && at - bucketStart < 2 * SECOND ? hotRun + 1 : 0;
                bucketStart = at;
                bytes = 0;
                records = 0;
                if (!hot && hotRun >= hotSeconds) {
                    hot = true;
                    hotKeyEpisodes++;
                    log.warn("kinesis stream {}: partition key '{}' is hot: more than {}% of shard {}'s write quota"
                            + " for {} s; its samples queue behind the shard's budget (choose a key with more values)",
                            streamName, n.key(), Math.round(hotShare * 100), n.shard(), hotRun);
                } else if (hot && hotRun == 0) {
                    endEpisode(n.key(), this);
                }
            }
            shard = n.shard();
            bytes += n.bytes();
            records += n.records();
            lastAt = at;
        }
    }

    private double bytesPerSecond() {
        return bytesPerWindow * (double) SECOND / windowNanos;
    }

    private double recordsPerSecond() {
        return recordsPerWindow * (double) SECOND / windowNanos;
    }
}
