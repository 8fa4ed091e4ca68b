package io.sluice.runtime.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.store.SqliteStreamStore.StoreOptions;
import io.sluice.runtime.store.StoreHealth.State;
import io.sluice.runtime.store.StoredStream.FileStream;
import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.Receipt;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The store's writing side, run by the writer thread of a {@link GroupCommitLoop}: the writer connection (in
 * autocommit mode; every transaction is opened and ended here with BEGIN / COMMIT / ROLLBACK, so a failed commit
 * never leaves later statements running outside a transaction), group commit of a batch of operations as one
 * {@link WriteTransaction}, failure handling (FULL / IO_ERROR, eviction on a full disk), and between batches
 * retention ({@link RetentionPolicy}) and the way back to OK ({@link SpacePolicy}).
 */
final class StoreWriter implements GroupCommitLoop.Handler<StoreOp> {

    private static final Logger log = LoggerFactory.getLogger(SqliteStreamStore.class);
    static final int RESERVE_BYTES = SpacePolicy.RESERVE_BYTES;
    /** Above this headroom the writer re-measures free space at most once a second instead of every commit. */
    private static final long MEASURE_MARGIN = 64L << 20;

    private final Path file;
    private final StoreOptions options;
    private final SpacePolicy space;
    private final Map<String, StoredStream> streams;
    private final TagDictionary tags;
    private Connection writer;
    private final Object writeLock = new Object();
    private volatile long commits;
    private long maxPageCount;      // the page cap the budget counts with
    private long appliedPageCap;    // a page cap set on the writer connection (tests), 0 when none
    private long pageSize;
    // writer thread only: the last measured headroom, when, and the bytes committed since
    private long measuredHeadroom;
    private long measuredAtNanos;
    private long addedSinceMeasure;
    private boolean measured;
    private boolean evictionWarned;
    private long evictionOwed;      // bytes a failed eviction on a full disk still has to free
    /** Receipts kept at most: beyond, the oldest go even within {@code keepReceipts}. */
    static final long MAX_RECEIPTS = 1_000_000;
    static final Duration DEFAULT_KEEP_RECEIPTS = Duration.ofDays(7);
    private volatile Duration keepReceipts = DEFAULT_KEEP_RECEIPTS;
    private static final long RECEIPT_PRUNE_INTERVAL_MILLIS = 60_000;
    private long receiptsPrunedAt = Long.MIN_VALUE / 2; // writer thread only
    /** Writer thread only: retention waits for the next append's transaction (see {@link #periodic}). */
    private boolean retentionDue;
    /** Writer thread only: when a transaction that stored samples last committed. */
    private long lastAppendCommitNanos = Long.MIN_VALUE / 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Opens the writer connection, creates or upgrades the tables and loads them into {@code streams} and {@code tags}. */
    StoreWriter(Path file, StoreOptions options, SpacePolicy space, Map<String, StoredStream> streams, TagDictionary tags) throws SQLException {
        this.file = file;
        this.options = options;
        this.space = space;
        this.streams = streams;
        this.tags = tags;
        this.writer = connect(file);
        try {
            try (Statement st = writer.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
            }
            configureWriter(writer);
            StoreSchema.createOrUpgrade(writer, file);
            StoreSchema.load(writer, tags, streams);
            readPageLimits();
        } catch (SQLException | RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    /**
     * A connection to the store. The driver's generated-keys support is off: with it, every statement executed
     * (BEGIN and COMMIT too) is matched against a regular expression, and every INSERT runs a second query for its
     * row id; the store asks for row ids itself where it needs them.
     */
    static Connection connect(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setGetGeneratedKeys(false);
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout=10000");
        }
        return c;
    }

    /** The writer runs in autocommit mode and opens and ends every transaction itself (BEGIN / COMMIT / ROLLBACK). */
    private void configureWriter(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA synchronous=" + options.synchronous());
            st.execute("PRAGMA journal_size_limit=" + (64L << 20));
            if (appliedPageCap > 0) st.execute("PRAGMA max_page_count=" + appliedPageCap);
        }
        c.setAutoCommit(true);
    }

    private void readPageLimits() throws SQLException {
        maxPageCount = pragma("max_page_count");
        pageSize = pragma("page_size");
    }

    private long pragma(String name) throws SQLException {
        try (Statement st = writer.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    void keepReceipts(Duration keep) {
        keepReceipts = keep;
        receiptsPrunedAt = Long.MIN_VALUE / 2; // the next retention run applies it
    }

    /** Transactions committed (each one a sync of the WAL under {@code synchronous=FULL}). */
    long commits() {
        return commits;
    }

    /** See {@link SqliteStreamStore#limitPages(long, boolean)}. */
    void limitPages(long pages, boolean seen) {
        synchronized (writeLock) {
            try (Statement st = writer.createStatement()) {
                st.execute("PRAGMA max_page_count=" + pages);
                appliedPageCap = pages;
                readPageLimits();
                if (!seen) maxPageCount = Long.MAX_VALUE;
                measured = false;
            } catch (SQLException e) {
                throw new SluiceException("cannot limit the store file: " + e.getMessage(), false, e);
            }
        }
    }

    /** Creates a stream's row (rare; on the caller's thread, under the writer's lock). */
    long insertStream(String name) {
        synchronized (writeLock) {
            try {
                begin();
                long id;
                try (PreparedStatement ps = writer.prepareStatement("INSERT INTO streams(name, next_seq) VALUES(?, 0)")) {
                    ps.setString(1, name);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = writer.prepareStatement("SELECT id FROM streams WHERE name=?")) {
                    ps.setString(1, name);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        id = rs.getLong(1);
                    }
                }
                commit();
                return id;
            } catch (SQLException e) {
                rollback();
                throw new SluiceException("cannot create stream " + name + ": " + e.getMessage(), true, e);
            }
        }
    }

    /** Checkpoints and closes the writer connection (after the loop stopped). */
    void close() {
        synchronized (writeLock) {
            try (Statement st = writer.createStatement()) {
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            } catch (SQLException e) {
                log.debug("checkpoint at close failed: {}", e.getMessage());
            }
            try {
                writer.close();
            } catch (SQLException e) {
                log.debug("close failed", e);
            }
        }
    }

    private void begin() throws SQLException {
        try (Statement st = writer.createStatement()) {
            st.execute("BEGIN");
        }
    }

    private void commit() throws SQLException {
        try (Statement st = writer.createStatement()) {
            st.execute("COMMIT");
        }
        commits++;
    }

    /**
     * Rolls back. After SQLITE_FULL SQLite may have ended the transaction itself; that is fine, the next one starts
     * with its own BEGIN. Any other failure replaces the connection.
     */
    private void rollback() {
        try (Statement st = writer.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("no transaction is active")) return;
            log.debug("rollback failed ({}); reopening the writer connection", e.getMessage());
            reopenWriter();
        }
    }

    private void reopenWriter() {
        try {
            writer.close();
        } catch (SQLException ignored) {
            // replaced below
        }
        try {
            Connection fresh = connect(file);
            configureWriter(fresh);
            writer = fresh;
        } catch (SQLException e) {
            log.debug("cannot reopen the store's writer connection yet: {}", e.getMessage());
        }
    }

    @Override
    public void commit(List<StoreOp> batch) {
        commitBatch(batch);
    }

    /**
     * Between batches, once per retention interval. While appends flow (one committed within the interval), retention
     * is left to the next append's transaction ({@link #retentionDue}) instead of a transaction and sync of its own;
     * when none came by the next run, it runs on its own.
     */
    @Override
    public void periodic() {
        boolean appendsFlow = System.nanoTime() - lastAppendCommitNanos < options.retentionInterval().toNanos();
        if (appendsFlow && !retentionDue) {
            retentionDue = true;
            runPeriodic(false);
        } else {
            runPeriodic(true);
        }
    }

    /** A publisher's cursor move may wait for the next append's transaction: it does not await the commit. */
    @Override
    public boolean canWait(StoreOp op) {
        return op instanceof StoreOp.Cursor;
    }

    @Override
    public void fail(List<StoreOp> ops, Throwable failure) {
        StoreOp.failAll(ops, failure);
    }

    private void commitBatch(List<StoreOp> batch) {
        List<CompletableFuture<Void>> compacted = new ArrayList<>();
        List<StoreOp.Purge> purges = new ArrayList<>();
        WriteTransaction txn;
        boolean appends = appended(batch);
        boolean retention = retentionDue && appends;
        synchronized (writeLock) {
            try {
                txn = new WriteTransaction(writer, streams.values(), space, headroom());
                for (StoredStream s : streams.values()) {
                    if (s.countersDirty) txn.of(s); // refusals counted while commits failed are written now
                }
                begin();
                writeNewTags(txn);
                if (retention && txn.planRetention(options.clock().millis() * 1_000_000L)) txn.deleteEvicted();
                try (PreparedStatement insert = writer.prepareStatement(
                        "INSERT INTO blocks(stream_id, first_seq, sample_count, oldest_rx, newest_rx, connector, note, data) VALUES(?,?,?,?,?,?,?,?)");
                     PreparedStatement cursor = writer.prepareStatement(
                        "INSERT INTO cursors(stream_id, destination, next_seq) VALUES(?,?,?)"
                                + " ON CONFLICT(stream_id, destination) DO UPDATE SET next_seq=excluded.next_seq");
                     PreparedStatement receipt = writer.prepareStatement("INSERT INTO receipts(stream_id, first_seq,"
                             + " last_seq, destination, delivered_at, receipt, runs) VALUES(?,?,?,?,?,?,?)")) {
                    boolean keepingReceipts = !keepReceipts.isZero() && !keepReceipts.isNegative();
                    boolean anyReceipt = false;
                    for (StoreOp op : batch) {
                        if (op instanceof StoreOp.Append a) {
                            txn.append(a, insert);
                        } else if (op instanceof StoreOp.Cursor c) {
                            if (c.stream() instanceof FileStream fs) {
                                cursor.setLong(1, fs.id);
                                cursor.setString(2, c.destination());
                                cursor.setLong(3, c.nextSeq());
                                cursor.addBatch();
                                if (keepingReceipts) anyReceipt |= addReceipts(receipt, fs.id, c);
                            }
                            txn.onCommit.add(() -> {
                                c.stream().cursors.merge(c.destination(), c.nextSeq(), Math::max);
                                c.future().complete(null);
                            });
                        } else if (op instanceof StoreOp.MoveCursor m) {
                            long first = m.stream().firstSeq();
                            long next = m.stream().nextSeq;
                            if (m.nextSeq() < first || m.nextSeq() > next) {
                                txn.onCommit.add(() -> m.future().completeExceptionally(new SluiceException("stream " + m.stream().name
                                        + " holds sequences " + first + " to " + (next - 1) + "; " + m.nextSeq()
                                        + (m.nextSeq() < first ? " is no longer stored" : " has not been written yet"), false)));
                                continue;
                            }
                            if (m.stream() instanceof FileStream fs) {
                                cursor.setLong(1, fs.id);
                                cursor.setString(2, m.destination());
                                cursor.setLong(3, m.nextSeq());
                                cursor.addBatch();
                            }
                            txn.onCommit.add(() -> {
                                m.stream().cursors.put(m.destination(), m.nextSeq());
                                m.future().complete(null);
                            });
                        } else if (op instanceof StoreOp.Purge p) {
                            purges.add(p);
                        } else if (op instanceof StoreOp.Sync s) {
                            txn.onCommit.add(() -> s.future().complete(null));
                        } else if (op instanceof StoreOp.Compact k) {
                            compacted.add(k.future());
                        }
                    }
                    cursor.executeBatch();
                    if (anyReceipt) receipt.executeBatch();
                }
                txn.writeStreamRows();
                commit();
            } catch (SQLException e) {
                rollback();
                onWriteFailure(e, batch);
                return;
            } catch (RuntimeException e) {
                rollback(); // the loop fails the batch; the next one must not find this transaction open
                throw e;
            }
        }
        txn.applyAll();
        if (retention) {
            retentionDue = false;
            txn.logExpired();
        }
        if (appends) lastAppendCommitNanos = System.nanoTime();
        addedSinceMeasure += txn.added;
        afterCommit(txn);
        txn.onCommit.forEach(Runnable::run);
        if (appends) afterAppend.run();
        purges.forEach(this::purge);
        if (!compacted.isEmpty()) {
            runPeriodic(true);
            compacted.forEach(f -> f.complete(null));
        }
    }

    /** Runs on this thread after a commit that stored samples (see {@link SqliteStreamStore#onAppended}). */
    private volatile Runnable afterAppend = () -> { };

    void afterAppend(Runnable r) {
        afterAppend = r;
    }

    private static boolean appended(List<StoreOp> batch) {
        for (StoreOp op : batch) {
            if (op instanceof StoreOp.Append) return true;
        }
        return false;
    }

    /**
     * Adds the receipts of a cursor move that lie below its new position; true if it added any. One packet (same
     * receipt, destination and delivery time) becomes one row: a packet of interleaved samples, such as an MQTT
     * message holding one lane's tags, is many runs, kept as one row spanning them with the runs in a blob
     * ({@link ReceiptRuns}). A receipt usually is one packet's already; receipts of one packet handed over as several
     * are joined here.
     */
    private static boolean addReceipts(PreparedStatement insert, long streamId, StoreOp.Cursor c) throws SQLException {
        Map<ReceiptKey, DeliveryReceipt.Runs> packets = new LinkedHashMap<>();
        DeliveryReceipt previous = null;
        DeliveryReceipt.Runs previousRuns = null;
        long end = c.nextSeq();
        for (DeliveryReceipt r : c.receipts()) {
            if (r.firstSequence() >= end || r.receipt() == null) continue;
            if (previous == null || r.receipt() != previous.receipt() || r.deliveredAtMillis() != previous.deliveredAtMillis()
                    || !r.destination().equals(previous.destination())) {
                previousRuns = packets.computeIfAbsent(new ReceiptKey(r.destination(), r.deliveredAtMillis(), r.receipt()),
                        k -> new DeliveryReceipt.Runs());
            } // else: the same packet again, no need to hash the receipt
            previous = r;
            // runs are ascending: the ones the cursor does not pass are at the end (they are sent again)
            for (int i = 0, n = r.runCount(); i < n && r.runLast(i) < end; i++) previousRuns.add(r.runFirst(i), r.runLast(i));
        }
        boolean any = false;
        for (Map.Entry<ReceiptKey, DeliveryReceipt.Runs> packet : packets.entrySet()) {
            if (packet.getValue().isEmpty()) continue;
            ReceiptKey key = packet.getKey();
            String json = receiptJson(key.receipt());
            DeliveryReceipt row = packet.getValue().receipt(c.stream().name, key.destination(), key.deliveredAtMillis(), key.receipt());
            insert.setLong(1, streamId);
            insert.setLong(2, row.firstSequence());
            insert.setLong(3, row.lastSequence());
            insert.setString(4, key.destination());
            insert.setLong(5, key.deliveredAtMillis());
            insert.setString(6, json);
            if (row.runCount() == 1) insert.setNull(7, java.sql.Types.BLOB);
            else insert.setBytes(7, ReceiptRuns.encode(row));
            insert.addBatch();
            any = true;
        }
        return any;
    }

    /**
     * A receipt as the receipts table keeps it, {@code {"kind":..,"fields":{..}}} (what {@link StoreInspector} reads
     * back as a {@link Receipt}); written with the streaming generator, as an object mapper's serializer lookup costs
     * more than the few fields.
     */
    static String receiptJson(Receipt receipt) {
        StringWriter out = new StringWriter(64);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("kind", receipt.kind());
            g.writeObjectFieldStart("fields");
            for (Map.Entry<String, String> f : receipt.fields().entrySet()) g.writeStringField(f.getKey(), f.getValue());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** What the runs of one packet share. */
    private record ReceiptKey(String destination, long deliveredAtMillis, Receipt receipt) {
        // written out: a record's generated hashCode/equals go through method handles, slow in the edge JVM's C1
        @Override
        public int hashCode() {
            return (destination.hashCode() * 31 + Long.hashCode(deliveredAtMillis)) * 31 + receipt.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ReceiptKey k && k.deliveredAtMillis == deliveredAtMillis && k.destination.equals(destination)
                    && k.receipt.equals(receipt);
        }
    }

    /** Deletes receipts older than {@code store.keep-receipts} (all when zero) and the oldest beyond {@link #MAX_RECEIPTS}. */
    private void pruneReceipts() {
        long nowMillis = options.clock().millis();
        if (nowMillis - receiptsPrunedAt < RECEIPT_PRUNE_INTERVAL_MILLIS && nowMillis >= receiptsPrunedAt) return;
        receiptsPrunedAt = nowMillis;
        Duration keep = keepReceipts;
        long cutoff = keep.isZero() || keep.isNegative() ? Long.MAX_VALUE : nowMillis - keep.toMillis();
        synchronized (writeLock) {
            try (PreparedStatement old = writer.prepareStatement("DELETE FROM receipts WHERE delivered_at<?");
                 PreparedStatement excess = writer.prepareStatement(
                         "DELETE FROM receipts WHERE id<=(SELECT max(id) FROM receipts)-?")) {
                old.setLong(1, cutoff);
                old.executeUpdate();
                excess.setLong(1, MAX_RECEIPTS);
                excess.executeUpdate();
            } catch (SQLException e) {
                log.debug("could not delete old receipts: {}", e.getMessage());
            }
        }
    }

    private void writeNewTags(WriteTransaction txn) throws SQLException {
        List<Map.Entry<Integer, String>> newTags = tags.unpersisted();
        if (newTags.isEmpty()) return;
        try (PreparedStatement tag = writer.prepareStatement("INSERT OR REPLACE INTO tags(id, name) VALUES(?, ?)")) {
            for (Map.Entry<Integer, String> t : newTags) {
                tag.setInt(1, t.getKey());
                tag.setString(2, t.getValue());
                tag.addBatch();
            }
            tag.executeBatch();
        }
        int upTo = newTags.get(newTags.size() - 1).getKey() + 1;
        txn.onCommit.add(() -> tags.markPersisted(upTo));
    }

    private void afterCommit(WriteTransaction txn) {
        State state = space.state();
        if (state == State.FULL || state == State.IO_ERROR) {
            if (txn.added > 0 || txn.pending.isEmpty()) space.moveTo(State.RECOVERING, "");
            state = space.state();
        }
        if (txn.budgetPressure && (state == State.OK || state == State.RECOVERING)) {
            space.moveTo(State.LOW_SPACE, space.describeBudget() + " reached");
        }
    }

    /** Bytes file streams may still add (see {@link SpacePolicy#headroom}); re-measured when it gets close. */
    private long headroom() throws SQLException {
        long now = System.nanoTime();
        long estimate = measuredHeadroom - addedSinceMeasure;
        if (measured && estimate > MEASURE_MARGIN && now - measuredAtNanos < 1_000_000_000L) return estimate;
        long stored = 0;
        for (StoredStream s : streams.values()) if (s instanceof FileStream) stored += s.bytes;
        long reusable = pragma("freelist_count") * pageSize;
        long fileRoom = maxPageCount >= (1L << 31) - 1 ? Long.MAX_VALUE : (maxPageCount - pragma("page_count")) * pageSize;
        measuredHeadroom = space.headroom(stored, fileRoom, reusable);
        measuredAtNanos = now;
        addedSinceMeasure = 0;
        measured = true;
        return measuredHeadroom;
    }

    private void onWriteFailure(SQLException e, List<StoreOp> batch) {
        measured = false;
        boolean diskFull = isDiskFull(e);
        long batchBytes = 0;
        for (StoreOp op : batch) {
            if (op instanceof StoreOp.Append a) {
                a.stream().rejected += a.samples();
                a.stream().countersDirty = true;
                batchBytes += a.bytes();
            }
        }
        SluiceException failure = diskFull
                ? new StoreFullException("disk full: " + e.getMessage(), e)
                : new SluiceException("store write failed: " + e.getMessage(), true, e);
        if (diskFull) {
            space.moveTo(State.FULL, e.getMessage());
            space.releaseReserve();
        } else {
            space.moveTo(State.IO_ERROR, e.getMessage());
        }
        StoreOp.failAll(batch, failure);
        if (diskFull) makeRoomOnFullDisk(Math.max(batchBytes, RESERVE_BYTES));
    }

    /**
     * On a full disk, drop-oldest file streams give up their oldest blocks, lowest priority first, so that the next
     * commits fit; then the WAL is checkpointed. Freed pages are reused by SQLite although the file does not shrink.
     */
    private void makeRoomOnFullDisk(long bytes) {
        synchronized (writeLock) {
            WriteTransaction txn = new WriteTransaction(writer, streams.values(), space, 0);
            txn.evictForFullDisk(bytes);
            try {
                begin();
                txn.deleteEvicted();
                txn.writeStreamRows();
                commit();
            } catch (SQLException e) {
                rollback();
                evictionOwed = bytes;
                if (!evictionWarned) {
                    evictionWarned = true;
                    log.warn("disk full: could not evict to make room ({}); retrying while the disk stays full", e.getMessage());
                }
                return;
            }
            evictionOwed = 0;
            txn.applyAll();
            for (WriteTransaction.Pending p : txn.pending.values()) {
                if (p.droppedFull > 0) txn.noteBudgetEpisode(p.stream, "dropped its oldest samples to make room on the full disk");
            }
            try (Statement st = writer.createStatement()) {
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            } catch (SQLException checkpoint) {
                log.debug("checkpoint on full disk failed: {}", checkpoint.getMessage());
            }
        }
    }

    /**
     * An operator's purge, in a transaction of its own: the oldest whole blocks that end at or before the purge's
     * sequence and were received before its time go; the stream's memory follows after the commit.
     */
    private void purge(StoreOp.Purge p) {
        StoredStream s = p.stream();
        long first = s.firstSeq();
        long deleteBefore = first;
        long samples = 0;
        long freed = 0;
        for (BlockMeta b : s.blocks.values()) {
            if (b.endSeq() > p.beforeSeq() || b.newestRx() >= p.beforeReceiveNanos()) break;
            deleteBefore = b.endSeq();
            samples += b.count();
            freed += b.bytes();
        }
        if (deleteBefore > first && s instanceof FileStream fs) {
            synchronized (writeLock) {
                try (PreparedStatement del = writer.prepareStatement("DELETE FROM blocks WHERE stream_id=? AND first_seq<?")) {
                    begin();
                    del.setLong(1, fs.id);
                    del.setLong(2, deleteBefore);
                    del.executeUpdate();
                    commit();
                } catch (SQLException e) {
                    rollback();
                    p.future().completeExceptionally(new SluiceException("cannot purge stream " + s.name + ": " + e.getMessage(), true, e));
                    return;
                }
            }
        }
        s.blocks.headMap(deleteBefore, false).clear();
        s.bytes -= freed;
        p.future().complete(new SqliteStreamStore.PurgeResult(s.name, samples, first, deleteBefore, freed));
    }

    /**
     * Between batches: retention (drained and expired data), the disk reserve, and the state machine's way back:
     * FULL / IO_ERROR probe with a small write, RECOVERING ends once the reserve is back, LOW_SPACE once the headroom
     * is above the margin again.
     */
    private void runPeriodic(boolean retention) {
        if (retention) {
            retentionDue = false;
            runRetention();
        } else {
            pruneReceipts();
        }
        State state = space.state();
        if (state == State.FULL || state == State.IO_ERROR) {
            if (state == State.FULL && evictionOwed > 0) makeRoomOnFullDisk(evictionOwed);
            if (probeWrite()) space.moveTo(State.RECOVERING, "");
            state = space.state();
        }
        if (!state.writable()) return;
        space.ensureReserve();
        long headroom;
        try {
            synchronized (writeLock) {
                measured = false;
                headroom = headroom();
            }
        } catch (SQLException e) {
            return;
        }
        if (state == State.RECOVERING && space.reserveHeld()) {
            space.moveTo(headroom < 0 ? State.LOW_SPACE : State.OK, space.describeBudget());
        } else if (state == State.LOW_SPACE && headroom >= space.clearance() && space.reserveHeld()) {
            space.moveTo(State.OK, "");
        } else if (state == State.OK && headroom < 0) {
            space.moveTo(State.LOW_SPACE, space.describeBudget() + " reached");
        }
        if (space.state() == State.OK) {
            evictionWarned = false;
            for (StoredStream s : streams.values()) s.budgetEpisode = false;
        }
    }

    /** A write that needs a page of room: does the store accept writes again? */
    private boolean probeWrite() {
        synchronized (writeLock) {
            try {
                begin();
                try (Statement st = writer.createStatement()) {
                    st.executeUpdate("UPDATE meta SET value=value WHERE key='format'");
                }
                commit();
                return true;
            } catch (SQLException e) {
                rollback();
                log.debug("store still cannot write: {}", e.getMessage());
                return false;
            }
        }
    }

    /**
     * Deletes what every destination has passed and what outlived the TTL, in a transaction of its own (see
     * {@link WriteTransaction#planRetention}; while appends flow it rides on theirs instead). Runs on the writer thread.
     */
    private void runRetention() {
        pruneReceipts();
        synchronized (writeLock) {
            WriteTransaction txn = new WriteTransaction(writer, streams.values(), space, 0);
            if (!txn.planRetention(options.clock().millis() * 1_000_000L)) return;
            try {
                begin();
                txn.deleteEvicted();
                txn.writeStreamRows();
                commit();
            } catch (SQLException e) {
                rollback();
                log.debug("retention could not delete: {}", e.getMessage());
                return;
            }
            txn.applyAll();
            txn.logExpired();
        }
    }

    static boolean isDiskFull(SQLException e) {
        if (e instanceof SQLiteException se) {
            SQLiteErrorCode code = se.getResultCode();
            if (code == SQLiteErrorCode.SQLITE_FULL) return true;
            if (code != null && code.name().startsWith("SQLITE_IOERR") && String.valueOf(e.getMessage()).contains("No space")) return true;
        }
        String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return message.contains("disk is full") || message.contains("no space");
    }
}
