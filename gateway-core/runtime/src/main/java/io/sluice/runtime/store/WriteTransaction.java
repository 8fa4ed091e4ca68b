package io.sluice.runtime.store;

import io.sluice.runtime.config.StreamConfig.WhenFull;
import io.sluice.runtime.store.RetentionPolicy.Eviction;
import io.sluice.runtime.store.SqliteStreamStore.AppendResult;
import io.sluice.runtime.store.StoredStream.FileStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transaction of the store's writer: the per-stream changes it makes (appends, evictions, refusals), the room
 * it has left under the store-wide budget, and what to do once it committed. Changes reach the streams' in-memory
 * state only through {@link #applyAll()}, after the commit succeeded (peek, then apply: tape's discipline).
 */
final class WriteTransaction {

    private static final Logger log = LoggerFactory.getLogger(SqliteStreamStore.class);

    private final Connection connection;
    private final Collection<StoredStream> streams;
    private final SpacePolicy space;
    final Map<StoredStream, Pending> pending = new LinkedHashMap<>();
    final List<Runnable> onCommit = new ArrayList<>();
    /** Bytes file streams may still add in this transaction. */
    long headroom;
    /** Bytes of file streams this transaction inserted. */
    long added;
    /** An append hit the store-wide budget or the watermark. */
    boolean budgetPressure;

    WriteTransaction(Connection connection, Collection<StoredStream> streams, SpacePolicy space, long headroom) {
        this.connection = connection;
        this.streams = streams;
        this.space = space;
        this.headroom = headroom;
    }

    Pending of(StoredStream s) {
        return pending.computeIfAbsent(s, Pending::new);
    }

    /** After the commit: the streams' in-memory state follows. */
    void applyAll() {
        for (Pending p : pending.values()) apply(p);
    }

    /**
     * Frees {@code need} bytes on a full disk: first what every destination already had (kept by
     * {@code keep-delivered}) from any file stream, then drop-oldest file streams give up their oldest blocks; lowest
     * priority first. Only plans; {@link #deleteEvicted()} and {@link #writeStreamRows()} write it.
     */
    void evictForFullDisk(long need) {
        List<StoredStream> files = fileStreamsLowestPriorityFirst();
        for (StoredStream c : files) {
            if (need <= 0) return;
            need -= evictNow(of(c), need, RetentionPolicy::delivered);
        }
        for (StoredStream c : files) {
            if (need <= 0) return;
            if (c.settings.whenFull() == WhenFull.DROP_OLDEST) need -= evictNow(of(c), need, RetentionPolicy::oldest);
        }
    }

    private static long evictNow(Pending q, long need, RetentionPolicy.Choice choice) {
        Eviction e = choice.choose(q.oldestFirst(), q.evictFrom, need, q.stream.deliveredFloor());
        q.evict(e);
        return e.freedBytes();
    }

    private List<StoredStream> fileStreamsLowestPriorityFirst() {
        return streams.stream().filter(x -> x instanceof FileStream && x.settings != null)
                .sorted(Comparator.comparingInt(StoredStream::priority).reversed()).toList();
    }

    void append(StoreOp.Append a, PreparedStatement insert) throws SQLException {
        Pending p = of(a.stream());
        if (!admit(p, a)) return;
        long seq = p.nextSeq;
        long first = seq;
        boolean persistent = a.stream() instanceof FileStream;
        for (int i = 0; i < a.blocks().size(); i++) {
            byte[] data = a.blocks().get(i);
            int count = a.counts().get(i);
            if (a.stream() instanceof FileStream fs) {
                insert.setLong(1, fs.id);
                insert.setLong(2, seq);
                insert.setInt(3, count);
                insert.setLong(4, a.oldestRx());
                insert.setLong(5, a.newestRx());
                insert.setString(6, a.connector());
                insert.setString(7, a.note());
                insert.setBytes(8, data);
                insert.addBatch();
            }
            p.added.add(new BlockMeta(seq, count, a.newestRx(), a.oldestRx(), data.length,
                    persistent ? null : a.connector(), persistent ? null : a.note(), persistent ? null : data));
            seq += count;
        }
        if (persistent) {
            insert.executeBatch();
            headroom -= a.bytes();
            added += a.bytes();
        }
        p.nextSeq = seq;
        p.bytes += a.bytes();
        AppendResult result = new AppendResult(first, (int) (seq - first));
        onCommit.add(() -> a.future().complete(result));
    }

    /**
     * Decides whether an append fits: first the stream's own {@code max-size}, then (file streams) the store-wide
     * budget and free-disk watermark. Room is made from the oldest blocks of drop-oldest streams of a lower priority,
     * lowest priority first, and then, under drop-oldest, from the appending stream's own oldest blocks; streams of
     * the same priority keep their data (a reject-new append is refused rather than take a peer's room). Nothing is
     * evicted unless the append then fits. A drop-oldest append always makes room: with the watermark out of reach it
     * replaces its lower-priority peers' and its own oldest data byte for byte. Returns false after refusing it.
     */
    private boolean admit(Pending p, StoreOp.Append a) throws SQLException {
        StreamSettings s = p.stream.settings;
        boolean dropOldest = s.whenFull() == WhenFull.DROP_OLDEST;
        long overStream = p.bytes + a.bytes() - s.maxBytes();
        Eviction own = Eviction.none(p.evictFrom);
        if (overStream > 0) {
            Eviction kept = RetentionPolicy.delivered(p.oldestFirst(), p.evictFrom, overStream, p.stream.deliveredFloor());
            if (kept.freedBytes() >= overStream) {
                own = kept; // what every destination already had makes the room: nothing is lost
            } else if (!dropOldest || a.bytes() > s.maxBytes()) {
                refuse(p, a, "stream '" + p.stream.name + "' is full (max-size " + s.maxBytes() + " bytes, when-full "
                        + (dropOldest ? "drop-oldest, and the append alone is larger" : "reject-new") + ")");
                if (!p.stream.fullEpisode) {
                    p.stream.fullEpisode = true;
                    log.warn("stream {} is full ({} of {} bytes): rejecting new samples (reject-new)", p.stream.name, p.bytes, s.maxBytes());
                }
                return false;
            } else {
                own = RetentionPolicy.oldest(p.oldestFirst(), p.evictFrom, overStream, p.stream.deliveredFloor());
                if (!p.stream.fullEpisode) {
                    p.stream.fullEpisode = true;
                    log.warn("stream {} is full ({} bytes): dropping the oldest samples (drop-oldest)", p.stream.name, s.maxBytes());
                }
            }
        } else if (p.stream.fullEpisode) {
            p.stream.fullEpisode = false;
            log.info("stream {} has room again", p.stream.name);
        }
        Map<Pending, Eviction> plan = new LinkedHashMap<>();
        if (!own.isEmpty()) plan.put(p, own);
        if (p.stream instanceof FileStream) {
            // Below the watermark because of what others put on the disk, evicting cannot restore it; a drop-oldest
            // append that takes no more than it frees leaves the disk as it is, so it goes in place of its oldest data.
            long need = a.bytes() - own.freedBytes() - (dropOldest ? Math.max(headroom, 0) : headroom);
            if (need > 0) {
                budgetPressure = true;
                need = planBudgetEviction(p, need, plan);
                if (need > 0) {
                    refuse(p, a, "the store is at its budget (" + space.describeBudget() + ") and no lower-priority drop-oldest data is left to evict"
                            + (dropOldest ? "" : " (when-full reject-new)"));
                    noteBudgetEpisode(p.stream, "refusing new samples");
                    return false;
                }
            }
        }
        for (Map.Entry<Pending, Eviction> x : plan.entrySet()) {
            Pending q = x.getKey();
            q.evict(x.getValue());
            deleteBefore(q); // before the insert, so that the file reuses the freed pages
            if (q.stream instanceof FileStream) headroom += x.getValue().freedBytes();
            if (x.getValue() != own && x.getValue().lostSamples() > 0) noteBudgetEpisode(q.stream, "dropping its oldest samples (drop-oldest)");
        }
        return true;
    }

    /**
     * Plans evictions for {@code need} bytes of the store budget: first what every destination already had (kept by
     * {@code keep-delivered}) from any file stream, then drop-oldest file streams of a lower priority than the
     * appending stream, lowest first, then the appending stream itself. Returns what is still missing.
     */
    private long planBudgetEviction(Pending p, long need, Map<Pending, Eviction> plan) {
        List<StoredStream> files = fileStreamsLowestPriorityFirst();
        for (StoredStream c : files) {
            if (need <= 0) return need;
            need -= extendPlan(of(c), need, plan, RetentionPolicy::delivered);
        }
        int priority = p.stream.priority();
        for (StoredStream c : files) {
            if (need <= 0) return need;
            if (c.settings.whenFull() == WhenFull.DROP_OLDEST && (c.priority() > priority || c == p.stream)) {
                need -= extendPlan(of(c), need, plan, RetentionPolicy::oldest);
            }
        }
        return need;
    }

    /** Extends {@code q}'s planned eviction by up to {@code need} bytes; returns the bytes it gained. */
    private static long extendPlan(Pending q, long need, Map<Pending, Eviction> plan, RetentionPolicy.Choice choice) {
        long already = plan.containsKey(q) ? plan.get(q).freedBytes() : 0;
        Eviction e = choice.choose(q.oldestFirst(), q.evictFrom, already + need, q.stream.deliveredFloor());
        long gained = e.freedBytes() - already;
        if (gained <= 0) return 0;
        plan.put(q, e);
        return gained;
    }

    void noteBudgetEpisode(StoredStream s, String what) {
        if (s.budgetEpisode) return;
        s.budgetEpisode = true;
        log.warn("stream {} (priority {}): the store is at its budget ({}); {}", s.name, s.priority(), space.describeBudget(), what);
    }

    private void refuse(Pending p, StoreOp.Append a, String why) {
        p.rejected += a.samples();
        onCommit.add(() -> a.future().completeExceptionally(new StoreFullException(why)));
    }

    private void deleteBefore(Pending p) throws SQLException {
        if (!(p.stream instanceof FileStream fs)) return;
        try (PreparedStatement del = connection.prepareStatement("DELETE FROM blocks WHERE stream_id=? AND first_seq<?")) {
            del.setLong(1, fs.id);
            del.setLong(2, p.evictFrom);
            del.executeUpdate();
        }
    }

    void deleteEvicted() throws SQLException {
        try (PreparedStatement del = connection.prepareStatement("DELETE FROM blocks WHERE stream_id=? AND first_seq<?")) {
            boolean any = false;
            for (Pending p : pending.values()) {
                if (p.evictFrom <= p.firstBefore || !(p.stream instanceof FileStream fs)) continue;
                del.setLong(1, fs.id);
                del.setLong(2, p.evictFrom);
                del.addBatch();
                any = true;
            }
            if (any) del.executeBatch();
        }
    }

    /** Writes each changed stream's sequence and counters (absolute values, so refusals counted while the disk was full land too). */
    void writeStreamRows() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE streams SET next_seq=?, dropped_ttl=?, dropped_full=?, rejected=? WHERE id=?")) {
            boolean any = false;
            for (Pending p : pending.values()) {
                if (!(p.stream instanceof FileStream fs) || !p.changed()) continue;
                ps.setLong(1, p.nextSeq);
                ps.setLong(2, fs.droppedTtl + p.droppedTtl);
                ps.setLong(3, fs.droppedFull + p.droppedFull);
                ps.setLong(4, fs.rejected + p.rejected);
                ps.setLong(5, fs.id);
                ps.addBatch();
                any = true;
            }
            if (any) ps.executeBatch();
        }
    }

    /**
     * Plans retention in this transaction (see {@link RetentionPolicy#passedOrExpired}): what every destination passed
     * (and {@code keep-delivered} no longer keeps) and what outlived the TTL, before any append of the transaction.
     * Only plans; {@link #deleteEvicted()} and {@link #writeStreamRows()} write it. Returns whether anything goes.
     */
    boolean planRetention(long nowNanos) {
        boolean any = false;
        for (StoredStream s : streams) {
            StreamSettings settings = s.settings;
            if (settings == null || s.blocks.isEmpty()) continue;
            Eviction e = RetentionPolicy.passedOrExpired(s.blocks.values(), s.firstSeq(), s.deliveredFloor(),
                    settings.keepDelivered().isZero() ? Long.MAX_VALUE : nowNanos - settings.keepDelivered().toNanos(),
                    nowNanos - settings.ttl().toNanos());
            if (e.isEmpty()) continue;
            of(s).expire(e);
            any = true;
        }
        return any;
    }

    /** After the commit: one line per stream that lost samples to its TTL in it. */
    void logExpired() {
        for (Pending p : pending.values()) {
            if (p.droppedTtl > 0) {
                log.warn("stream {}: {} samples older than the TTL ({}) were dropped before every destination had them",
                        p.stream.name, p.droppedTtl, p.stream.settings.ttl());
            }
        }
    }

    private static void apply(Pending p) {
        StoredStream s = p.stream;
        s.blocks.headMap(p.evictFrom, false).clear();
        for (BlockMeta b : p.added) {
            if (b.firstSeq() >= p.evictFrom) s.blocks.put(b.firstSeq(), b);
        }
        s.bytes = p.bytes;
        s.droppedFull += p.droppedFull;
        s.droppedTtl += p.droppedTtl;
        s.rejected += p.rejected;
        s.nextSeq = p.nextSeq;
        s.countersDirty = false;
    }

    /** Per-stream changes of one transaction, applied to memory only after the commit succeeded. */
    static final class Pending {
        final StoredStream stream;
        final long firstBefore;
        long nextSeq;
        long bytes;
        long evictFrom;      // first sequence that is not evicted
        long droppedFull;
        long droppedTtl;
        long rejected;
        final List<BlockMeta> added = new ArrayList<>();

        Pending(StoredStream stream) {
            this.stream = stream;
            this.nextSeq = stream.nextSeq;
            this.bytes = stream.bytes;
            this.evictFrom = stream.firstSeq();
            this.firstBefore = evictFrom;
        }

        /** Committed blocks not yet evicted, then the blocks this transaction added: oldest first. */
        Iterable<BlockMeta> oldestFirst() {
            return () -> java.util.stream.Stream.concat(stream.blocks.tailMap(evictFrom, true).values().stream(), added.stream()).iterator();
        }

        void evict(Eviction e) {
            if (e.isEmpty()) return;
            evictFrom = e.deleteBefore();
            added.removeIf(b -> b.endSeq() <= evictFrom);
            bytes -= e.freedBytes();
            droppedFull += e.lostSamples();
        }

        /** Retention: the blocks below {@code e.deleteBefore()} go; samples not every destination had are TTL drops. */
        void expire(Eviction e) {
            if (e.isEmpty()) return;
            evictFrom = e.deleteBefore();
            added.removeIf(b -> b.endSeq() <= evictFrom);
            bytes -= e.freedBytes();
            droppedTtl += e.lostSamples();
        }

        boolean changed() {
            return nextSeq != stream.nextSeq || evictFrom != firstBefore || droppedFull > 0 || droppedTtl > 0 || rejected > 0
                    || stream.countersDirty;
        }
    }
}
