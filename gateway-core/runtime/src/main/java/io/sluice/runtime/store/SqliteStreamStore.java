package io.sluice.runtime.store;

import io.sluice.runtime.config.FreeSpace;
import io.sluice.runtime.config.StreamConfig.WhenFull;
import io.sluice.runtime.store.RetentionPolicy.Eviction;
import io.sluice.runtime.store.StoreHealth.State;
import io.sluice.runtime.store.StoredStream.FileStream;
import io.sluice.runtime.store.StoredStream.MemoryStream;
import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The durable hand-over point between connectors and destinations: named streams of samples in one SQLite file.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Durable on completion.</b> The future returned by {@link #append} completes only after the transaction
 *       holding the samples has committed (WAL; with {@code synchronous=FULL} the WAL is synced, so the data
 *       survives power loss; with {@code NORMAL} it survives a killed process). Group commit: every append that
 *       arrives within the commit window shares one transaction ({@link GroupCommitLoop}).</li>
 *   <li><b>Sequences.</b> Each stream numbers its samples 0, 1, 2, ... without gaps or repeats, across restarts and
 *       crashes. Retention only ever removes the oldest samples, so the stored samples of a stream are always one
 *       contiguous range {@code [firstSequence, nextSequence)}.</li>
 *   <li><b>Cursors.</b> Each destination has a durable cursor per stream: the next sequence it will be given. Reading
 *       does not move it; {@link #commitCursor} does, after the destination confirmed (peek, then remove: delivery is
 *       at-least-once, and after a crash at most the batch in flight is delivered again).</li>
 *   <li><b>Retention</b> ({@link RetentionPolicy}). Samples are deleted when every destination of the stream has
 *       passed them, when older than the stream's TTL, or to make room under {@code drop-oldest}; under
 *       {@code reject-new} a full stream refuses appends with {@link StoreFullException}. A refused append is never
 *       stored. Every sample lost or refused is counted per stream (see {@link StreamStats}), with or without
 *       destinations.</li>
 *   <li><b>Space</b> ({@link SpacePolicy}). The store-wide budget and free-disk watermark are enforced before the
 *       file system is full: the appending stream and lower-priority drop-oldest streams give up their oldest
 *       blocks, lowest priority first; what still does not fit is refused.</li>
 *   <li><b>Failure.</b> A full disk or an I/O error fails the appends of that commit (retryable, counted as
 *       refused) and rolls the transaction back; the file stays consistent, the store moves to FULL or IO_ERROR,
 *       keeps running, and returns to OK by itself once writes succeed ({@link StoreHealth.State}).</li>
 *   <li><b>Memory streams</b> ({@code persistence: memory}, {@link MemoryStream}) follow the same rules but live in
 *       the heap and are lost on restart; the store-wide budget covers file streams only.</li>
 * </ul>
 *
 * <h2>On-disk layout</h2>
 * <pre>
 * streams(id INTEGER PRIMARY KEY, name TEXT UNIQUE, next_seq INTEGER,
 *         dropped_ttl INTEGER, dropped_full INTEGER, rejected INTEGER)
 * blocks (id INTEGER PRIMARY KEY, stream_id INTEGER, first_seq INTEGER, sample_count INTEGER,
 *         oldest_rx INTEGER, newest_rx INTEGER, connector TEXT, note TEXT, data BLOB)   -- unique (stream_id, first_seq)
 * cursors(stream_id INTEGER, destination TEXT, next_seq INTEGER)                        -- primary key (stream_id, destination)
 * tags   (id INTEGER PRIMARY KEY, name TEXT)                                             -- tag ids used inside blocks
 * meta   (key TEXT PRIMARY KEY, value TEXT)                                             -- format version
 * </pre>
 * One row of {@code blocks} holds up to {@link StoreOptions#blockSamples()} samples of one append in the compact
 * encoding of {@link BlockCodec}: a sample costs a few bytes of a blob, not a row and a JSON document.
 */
public final class SqliteStreamStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SqliteStreamStore.class);
    static final String FORMAT_VERSION = StoreSchema.FORMAT_VERSION;
    static final int RESERVE_BYTES = SpacePolicy.RESERVE_BYTES;
    /** Above this headroom the store re-measures free space at most once a second instead of every commit. */
    private static final long MEASURE_MARGIN = 64L << 20;

    /**
     * Tunables of the store.
     *
     * @param maxStoreBytes store-wide budget of all file streams together ({@code Long.MAX_VALUE}: none)
     * @param minFreeDisk   free disk space the store leaves on its file system
     */
    public record StoreOptions(Duration commitWindow, String synchronous, long maxPendingBytes, int blockSamples,
                               Duration retentionInterval, Clock clock, long maxStoreBytes, FreeSpace minFreeDisk) {

        public static final FreeSpace DEFAULT_MIN_FREE_DISK = FreeSpace.ofPercent(5);

        /** Options without a store-wide budget and with the default free-disk watermark. */
        public StoreOptions(Duration commitWindow, String synchronous, long maxPendingBytes, int blockSamples,
                            Duration retentionInterval, Clock clock) {
            this(commitWindow, synchronous, maxPendingBytes, blockSamples, retentionInterval, clock, Long.MAX_VALUE, DEFAULT_MIN_FREE_DISK);
        }

        public static StoreOptions defaults() {
            return new StoreOptions(Duration.ofMillis(5), "FULL", 64L << 20, 4096, Duration.ofSeconds(1), Clock.systemUTC());
        }

        public StoreOptions withSynchronous(String mode) {
            return new StoreOptions(commitWindow, mode, maxPendingBytes, blockSamples, retentionInterval, clock, maxStoreBytes, minFreeDisk);
        }

        public StoreOptions withCommitWindow(Duration window) {
            return new StoreOptions(window, synchronous, maxPendingBytes, blockSamples, retentionInterval, clock, maxStoreBytes, minFreeDisk);
        }

        /** The store-wide budget ({@code maxBytes <= 0}: none) and free-disk watermark. */
        public StoreOptions withBudget(long maxBytes, FreeSpace minFree) {
            return new StoreOptions(commitWindow, synchronous, maxPendingBytes, blockSamples, retentionInterval, clock,
                    maxBytes <= 0 ? Long.MAX_VALUE : maxBytes, minFree);
        }
    }

    /** Where an append landed: sequences {@code [firstSequence, firstSequence + count)}. */
    public record AppendResult(long firstSequence, int count) {}

    private sealed interface Op permits AppendOp, CursorOp, SyncOp, CompactOp {}

    private record AppendOp(StoredStream stream, String connector, String note, List<byte[]> blocks, List<Integer> counts,
                            int samples, long oldestRx, long newestRx, int bytes, CompletableFuture<AppendResult> future) implements Op {}

    private record CursorOp(StoredStream stream, String destination, long nextSeq, CompletableFuture<Void> future) implements Op {}

    private record SyncOp(CompletableFuture<Void> future) implements Op {}

    private record CompactOp(CompletableFuture<Void> future) implements Op {}

    private final Path file;
    private final StoreOptions options;
    private final SpacePolicy space;
    private Connection writer;
    private final Object writeLock = new Object();
    private final Map<String, StoredStream> streams = new ConcurrentHashMap<>();
    private final TagDictionary tags = new TagDictionary();
    private final GroupCommitLoop<Op> loop;
    private final ThreadLocal<Connection> readers = new ThreadLocal<>();
    private final List<Connection> allReaders = new CopyOnWriteArrayList<>();
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

    private SqliteStreamStore(Path file, StoreOptions options, SpacePolicy.Disk disk, boolean reserveReleased) throws SQLException {
        this.file = file;
        this.options = options;
        this.space = new SpacePolicy(file, options.maxStoreBytes(), options.minFreeDisk(), disk, options.clock());
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
        if (reserveReleased) space.moveTo(State.FULL, "the disk was full when the store opened");
        else space.ensureReserve();
        this.loop = new GroupCommitLoop<>("sluice-store-writer", options.commitWindow(), options.maxPendingBytes(),
                options.retentionInterval(), new GroupCommitLoop.Handler<>() {
                    @Override
                    public void commit(List<Op> batch) {
                        commitBatch(batch);
                    }

                    @Override
                    public void periodic() {
                        runPeriodic();
                    }

                    @Override
                    public void fail(List<Op> ops, Throwable failure) {
                        failAll(ops, failure);
                    }
                });
        this.loop.start();
    }

    /** Opens (creating if needed) the store file. */
    public static SqliteStreamStore open(Path file, StoreOptions options) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            return open(file, options, SpacePolicy.Disk.of(parent));
        } catch (IOException e) {
            throw new SluiceException("cannot open stream store " + file + ": " + e.getMessage(), false, e);
        }
    }

    static SqliteStreamStore open(Path file, StoreOptions options, SpacePolicy.Disk disk) {
        boolean released = SpacePolicy.releaseReserveIfShort(file, disk);
        try {
            return new SqliteStreamStore(file, options, disk, released);
        } catch (SQLException e) {
            if (isDiskFull(e) || String.valueOf(e.getMessage()).contains("SHMSIZE")) {
                long free = -1;
                try {
                    free = disk.usableBytes();
                } catch (IOException ignored) {
                    // reported as unknown
                }
                throw new StoreFullException("cannot open stream store " + file + ": the disk is full ("
                        + (free < 0 ? "free space unknown" : free + " bytes free") + "); free some space and start again", e);
            }
            throw new SluiceException("cannot open stream store " + file + ": " + e.getMessage(), false, e);
        }
    }

    private static Connection connect(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
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

    public Path file() {
        return file;
    }

    /** Caps the file at {@code pages} pages (SQLite {@code max_page_count}): a full disk on demand, for tests. */
    void limitPages(long pages) {
        limitPages(pages, true);
    }

    /**
     * As {@link #limitPages(long)}; with {@code seen} false the budget does not know the cap, as when another
     * program fills the disk between two measurements: commits then fail with SQLITE_FULL.
     */
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

    /**
     * Declares the streams in use with their limits and priorities (call again after a config change). Streams found
     * in the file but not declared keep their data and are readable; they are not written to.
     */
    public synchronized void configure(Collection<StreamSettings> settings) {
        for (StreamSettings s : settings) {
            StoredStream stream = streams.get(s.name());
            if (stream != null && stream.settings != null && stream.settings.persistent() != s.persistent()) {
                log.warn("stream {} changed persistence; the change applies after a restart", s.name());
                stream.settings = s.withPersistent(stream.settings.persistent());
                continue;
            }
            if (stream == null) {
                stream = s.persistent() ? new FileStream(s.name(), insertStream(s.name()), s) : new MemoryStream(s.name(), s);
                streams.put(s.name(), stream);
            } else if (stream instanceof MemoryStream && s.persistent()) {
                throw new IllegalStateException("stream " + s.name() + " cannot become persistent while open");
            }
            stream.settings = s;
        }
    }

    private long insertStream(String name) {
        synchronized (writeLock) {
            try {
                begin();
                long id;
                try (PreparedStatement ps = writer.prepareStatement("INSERT INTO streams(name, next_seq) VALUES(?, 0)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    ps.setString(1, name);
                    ps.executeUpdate();
                    try (ResultSet rs = ps.getGeneratedKeys()) {
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

    /**
     * Appends samples to a stream. The future completes after commit with the sequences they got, or
     * exceptionally with {@link StoreFullException} (stream or store full under reject-new, disk full) or another
     * {@link SluiceException}; a refused append is never stored. Blocks while more than
     * {@link StoreOptions#maxPendingBytes()} wait for commit.
     *
     * @param note an annotation kept with the samples (dead-letter reason), or null
     */
    public CompletableFuture<AppendResult> append(String stream, String connector, List<Sample> samples, String note) {
        if (loop.closed()) return CompletableFuture.failedFuture(new SluiceException("stream store is closed", true));
        StoredStream state = streams.get(stream);
        if (state == null || state.settings == null) {
            return CompletableFuture.failedFuture(new SluiceException("unknown stream '" + stream + "'", false));
        }
        if (samples.isEmpty()) return CompletableFuture.completedFuture(new AppendResult(state.nextSeq, 0));
        int blockSamples = options.blockSamples();
        List<byte[]> blocks = new ArrayList<>((samples.size() + blockSamples - 1) / blockSamples);
        List<Integer> counts = new ArrayList<>(blocks.size());
        int bytes = 0;
        long oldest = Long.MAX_VALUE;
        long newest = Long.MIN_VALUE;
        for (Sample s : samples) {
            oldest = Math.min(oldest, s.receiveTimeNanos());
            newest = Math.max(newest, s.receiveTimeNanos());
        }
        for (int from = 0; from < samples.size(); from += blockSamples) {
            int to = Math.min(samples.size(), from + blockSamples);
            byte[] block = BlockCodec.encode(samples, from, to, tags);
            blocks.add(block);
            counts.add(to - from);
            bytes += block.length;
        }
        CompletableFuture<AppendResult> future = new CompletableFuture<>();
        loop.submit(new AppendOp(state, connector, note, blocks, counts, samples.size(), oldest, newest, bytes, future), bytes);
        return future;
    }

    /** Moves a destination's cursor; durable once the future completes. */
    public CompletableFuture<Void> commitCursor(String stream, String destination, long nextSequence) {
        StoredStream state = streams.get(stream);
        if (state == null) return CompletableFuture.failedFuture(new SluiceException("unknown stream '" + stream + "'", false));
        CompletableFuture<Void> future = new CompletableFuture<>();
        loop.submit(new CursorOp(state, destination, nextSequence, future), 0);
        return future;
    }

    /** Completes once everything queued before it is committed. */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (loop.closed()) future.complete(null);
        else loop.submit(new SyncOp(future), 0);
        return future;
    }

    /** Runs retention now (tests and the CLI); completes after it ran. */
    public CompletableFuture<Void> compact() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (loop.closed()) future.complete(null);
        else loop.submit(new CompactOp(future), 0);
        return future;
    }

    /** The next sequence a destination will be given for a stream (the oldest stored when it never read). */
    public long cursor(String stream, String destination) {
        StoredStream state = streams.get(stream);
        if (state == null) return 0;
        Long cursor = state.cursors.get(destination);
        return Math.max(cursor == null ? 0 : cursor, state.firstSeq());
    }

    /** Sequence the next appended sample of the stream will get. */
    public long nextSequence(String stream) {
        StoredStream state = streams.get(stream);
        return state == null ? 0 : state.nextSeq;
    }

    /** Receive time (epoch ns) of the oldest sample in the block holding {@code sequence}, or -1 if none is stored. */
    public long receiveTimeAt(String stream, long sequence) {
        StoredStream state = streams.get(stream);
        if (state == null) return -1;
        Map.Entry<Long, BlockMeta> e = state.blocks.floorEntry(sequence);
        if (e == null || e.getValue().endSeq() <= sequence) e = state.blocks.higherEntry(sequence);
        return e == null ? -1 : e.getValue().oldestRx();
    }

    /**
     * Reads up to {@code maxSamples} committed samples of a stream starting at {@code fromSequence} (or at the
     * oldest stored sample, if that is later). Blocks that cannot be decoded are skipped, logged and counted as
     * corrupt; {@link ReadBatch#nextSequence()} then moves past them.
     */
    public ReadBatch read(String stream, long fromSequence, int maxSamples) {
        StoredStream state = streams.get(stream);
        List<StoredSample> out = new ArrayList<>(Math.min(Math.max(maxSamples, 0), 16_384));
        if (state == null || maxSamples <= 0) return new ReadBatch(out, fromSequence);
        long from = Math.max(fromSequence, state.firstSeq());
        Long startKey = state.blocks.floorKey(from);
        if (startKey == null) startKey = state.blocks.ceilingKey(from);
        if (startKey == null) return new ReadBatch(out, from);
        List<BlockMeta> wanted = new ArrayList<>();
        long covered = 0;
        for (BlockMeta b : state.blocks.tailMap(startKey, true).values()) {
            if (b.endSeq() <= from) continue;
            wanted.add(b);
            covered += b.endSeq() - Math.max(from, b.firstSeq());
            if (covered >= maxSamples) break;
        }
        if (wanted.isEmpty()) return new ReadBatch(out, from);
        long next = from;
        if (state instanceof FileStream fs) {
            try {
                Connection c = reader();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT first_seq, sample_count, connector, note, data FROM blocks WHERE stream_id=? AND first_seq>=? AND first_seq<=? ORDER BY first_seq")) {
                    ps.setLong(1, fs.id);
                    ps.setLong(2, wanted.get(0).firstSeq());
                    ps.setLong(3, wanted.get(wanted.size() - 1).firstSeq());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (out.size() < maxSamples && rs.next()) {
                            next = decodeInto(state, rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getBytes(5),
                                    from, maxSamples, out, next);
                        }
                    }
                } finally {
                    c.commit();
                }
            } catch (SQLException e) {
                throw new SluiceException("cannot read stream " + stream + ": " + e.getMessage(), true, e);
            }
        } else {
            for (BlockMeta b : wanted) {
                if (out.size() >= maxSamples) break;
                next = decodeInto(state, b.firstSeq(), b.count(), b.connector(), b.note(), b.data(), from, maxSamples, out, next);
            }
        }
        return new ReadBatch(out, next);
    }

    /** Decodes one block into {@code out}; returns the sequence to read from next. */
    private long decodeInto(StoredStream state, long firstSeq, int count, String connector, String note, byte[] data, long from,
                            int maxSamples, List<StoredSample> out, long next) {
        int skip = (int) Math.max(0, from - firstSeq);
        int sizeBefore = out.size();
        try {
            BlockCodec.decode(data, skip, tags, (index, sample) -> {
                if (out.size() < maxSamples) out.add(new StoredSample(firstSeq + index, connector, sample, note));
            });
            return out.size() > sizeBefore ? out.get(out.size() - 1).sequence() + 1 : next;
        } catch (BlockCodec.CorruptBlockException e) {
            while (out.size() > sizeBefore) out.remove(out.size() - 1);
            log.error("stream {}: block at sequence {} is damaged ({}); its {} samples are skipped", state.name, firstSeq, e.getMessage(), count);
            state.corrupt += count;
            return firstSeq + count;
        }
    }

    private Connection reader() throws SQLException {
        Connection c = readers.get();
        if (c == null) {
            c = connect(file);
            c.setAutoCommit(false);
            readers.set(c);
            allReaders.add(c);
        }
        return c;
    }

    public List<StreamStats> stats() {
        return streams.values().stream().map(this::statsOf).sorted(Comparator.comparing(StreamStats::name)).toList();
    }

    public StreamStats stats(String stream) {
        StoredStream s = streams.get(stream);
        return s == null ? null : statsOf(s);
    }

    private StreamStats statsOf(StoredStream s) {
        Map.Entry<Long, BlockMeta> first = s.blocks.firstEntry();
        return new StreamStats(s.name, s.persistent(), s.firstSeq(), s.nextSeq, s.bytes,
                first == null ? 0 : first.getValue().oldestRx(), Map.copyOf(s.cursors),
                s.droppedTtl, s.droppedFull, s.rejected, s.corrupt);
    }

    public StoreHealth health() {
        return space.health();
    }

    /** How many times the store entered each state since it was opened (a counter per state for metrics). */
    public Map<State, Long> stateTransitions() {
        return space.entered();
    }

    public long commits() {
        return commits;
    }

    // ---------------------------------------------------------------- writer thread: transactions

    private void begin() throws SQLException {
        try (Statement st = writer.createStatement()) {
            st.execute("BEGIN");
        }
    }

    private void commit() throws SQLException {
        try (Statement st = writer.createStatement()) {
            st.execute("COMMIT");
        }
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

    /** Per-stream changes of one transaction, applied to memory only after the commit succeeded. */
    private static final class Pending {
        final StoredStream stream;
        final long firstBefore;
        long nextSeq;
        long bytes;
        long evictFrom;      // first sequence that is not evicted
        long droppedFull;
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

        boolean changed() {
            return nextSeq != stream.nextSeq || evictFrom != firstBefore || droppedFull > 0 || rejected > 0 || stream.countersDirty;
        }
    }

    /** One transaction of the writer: per-stream changes, the space left, and what to do once it committed. */
    private final class Txn {
        final Map<StoredStream, Pending> pending = new LinkedHashMap<>();
        final List<Runnable> onCommit = new ArrayList<>();
        long headroom;
        long added;
        boolean budgetPressure;

        Txn(long headroom) {
            this.headroom = headroom;
        }

        Pending of(StoredStream s) {
            return pending.computeIfAbsent(s, Pending::new);
        }
    }

    private void commitBatch(List<Op> batch) {
        List<CompletableFuture<Void>> compacted = new ArrayList<>();
        Txn txn;
        synchronized (writeLock) {
            try {
                txn = new Txn(headroom());
                begin();
                writeNewTags(txn);
                try (PreparedStatement insert = writer.prepareStatement(
                        "INSERT INTO blocks(stream_id, first_seq, sample_count, oldest_rx, newest_rx, connector, note, data) VALUES(?,?,?,?,?,?,?,?)");
                     PreparedStatement cursor = writer.prepareStatement(
                        "INSERT INTO cursors(stream_id, destination, next_seq) VALUES(?,?,?)"
                                + " ON CONFLICT(stream_id, destination) DO UPDATE SET next_seq=excluded.next_seq")) {
                    for (Op op : batch) {
                        if (op instanceof AppendOp a) {
                            append(txn, a, insert);
                        } else if (op instanceof CursorOp c) {
                            if (c.stream() instanceof FileStream fs) {
                                cursor.setLong(1, fs.id);
                                cursor.setString(2, c.destination());
                                cursor.setLong(3, c.nextSeq());
                                cursor.addBatch();
                            }
                            txn.onCommit.add(() -> {
                                c.stream().cursors.merge(c.destination(), c.nextSeq(), Math::max);
                                c.future().complete(null);
                            });
                        } else if (op instanceof SyncOp s) {
                            txn.onCommit.add(() -> s.future().complete(null));
                        } else if (op instanceof CompactOp k) {
                            compacted.add(k.future());
                        }
                    }
                    cursor.executeBatch();
                }
                writeStreamRows(txn.pending.values());
                commit();
                commits++;
            } catch (SQLException e) {
                rollback();
                onWriteFailure(e, batch);
                return;
            }
        }
        for (Pending p : txn.pending.values()) apply(p);
        addedSinceMeasure += txn.added;
        afterCommit(txn);
        txn.onCommit.forEach(Runnable::run);
        if (!compacted.isEmpty()) {
            runPeriodic();
            compacted.forEach(f -> f.complete(null));
        }
    }

    private void writeNewTags(Txn txn) throws SQLException {
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

    private void append(Txn txn, AppendOp a, PreparedStatement insert) throws SQLException {
        Pending p = txn.of(a.stream());
        if (!admit(txn, p, a)) return;
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
            txn.headroom -= a.bytes();
            txn.added += a.bytes();
        }
        p.nextSeq = seq;
        p.bytes += a.bytes();
        AppendResult result = new AppendResult(first, (int) (seq - first));
        txn.onCommit.add(() -> a.future().complete(result));
    }

    /**
     * Decides whether an append fits: first the stream's own {@code max-size}, then (file streams) the store-wide
     * budget and free-disk watermark. Room is made from the oldest blocks of drop-oldest streams of a lower priority,
     * lowest priority first, and then, under drop-oldest, from the appending stream's own oldest blocks; streams of
     * the same priority keep their data (a reject-new append is refused rather than take a peer's room). Nothing is
     * evicted unless the append then fits. Returns false after refusing it.
     */
    private boolean admit(Txn txn, Pending p, AppendOp a) throws SQLException {
        StreamSettings s = p.stream.settings;
        boolean dropOldest = s.whenFull() == WhenFull.DROP_OLDEST;
        long overStream = p.bytes + a.bytes() - s.maxBytes();
        Eviction own = Eviction.none(p.evictFrom);
        if (overStream > 0) {
            if (!dropOldest || a.bytes() > s.maxBytes()) {
                refuse(txn, p, a, "stream '" + p.stream.name + "' is full (max-size " + s.maxBytes() + " bytes, when-full reject-new)");
                if (!p.stream.fullEpisode) {
                    p.stream.fullEpisode = true;
                    log.warn("stream {} is full ({} of {} bytes): rejecting new samples (reject-new)", p.stream.name, p.bytes, s.maxBytes());
                }
                return false;
            }
            own = RetentionPolicy.oldest(p.oldestFirst(), p.evictFrom, overStream, p.stream.deliveredFloor());
            if (!p.stream.fullEpisode) {
                p.stream.fullEpisode = true;
                log.warn("stream {} is full ({} bytes): dropping the oldest samples (drop-oldest)", p.stream.name, s.maxBytes());
            }
        } else if (p.stream.fullEpisode) {
            p.stream.fullEpisode = false;
            log.info("stream {} has room again", p.stream.name);
        }
        Map<Pending, Eviction> plan = new LinkedHashMap<>();
        if (!own.isEmpty()) plan.put(p, own);
        if (p.stream instanceof FileStream) {
            long need = a.bytes() - own.freedBytes() - txn.headroom;
            if (need > 0) {
                txn.budgetPressure = true;
                need = planBudgetEviction(txn, p, need, plan, own);
                if (need > 0) {
                    refuse(txn, p, a, "the store is at its budget (" + space.describeBudget() + ") and no lower-priority drop-oldest data is left to evict (" + s.whenFull().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ")");
                    noteBudgetEpisode(p.stream, "refusing new samples");
                    return false;
                }
            }
        }
        for (Map.Entry<Pending, Eviction> x : plan.entrySet()) {
            Pending q = x.getKey();
            q.evict(x.getValue());
            deleteBefore(q); // before the insert, so that the file reuses the freed pages
            if (q.stream instanceof FileStream) txn.headroom += x.getValue().freedBytes();
            if (x.getValue() != own) noteBudgetEpisode(q.stream, "dropping its oldest samples (drop-oldest)");
        }
        return true;
    }

    /**
     * Plans evictions for {@code need} bytes of the store budget: drop-oldest file streams of a lower priority than
     * the appending stream, lowest first, then the appending stream itself. Returns what is still missing.
     */
    private long planBudgetEviction(Txn txn, Pending p, long need, Map<Pending, Eviction> plan, Eviction own) {
        int priority = p.stream.priority();
        List<StoredStream> candidates = streams.values().stream()
                .filter(x -> x instanceof FileStream && x.settings != null && x.settings.whenFull() == WhenFull.DROP_OLDEST
                        && (x.priority() > priority || x == p.stream))
                .sorted(Comparator.comparingInt(StoredStream::priority).reversed())
                .toList();
        for (StoredStream c : candidates) {
            if (need <= 0) break;
            Pending q = txn.of(c);
            long already = q == p ? own.freedBytes() : 0;
            Eviction e = RetentionPolicy.oldest(q.oldestFirst(), q.evictFrom, already + need, c.deliveredFloor());
            long gained = e.freedBytes() - already;
            if (gained <= 0) continue;
            plan.put(q, e);
            need -= gained;
        }
        return need;
    }

    private void noteBudgetEpisode(StoredStream s, String what) {
        if (s.budgetEpisode) return;
        s.budgetEpisode = true;
        log.warn("stream {} (priority {}): the store is at its budget ({}); {}", s.name, s.priority(), space.describeBudget(), what);
    }

    private void refuse(Txn txn, Pending p, AppendOp a, String why) {
        p.rejected += a.samples();
        txn.onCommit.add(() -> a.future().completeExceptionally(new StoreFullException(why)));
    }

    private void deleteBefore(Pending p) throws SQLException {
        if (!(p.stream instanceof FileStream fs)) return;
        try (PreparedStatement del = writer.prepareStatement("DELETE FROM blocks WHERE stream_id=? AND first_seq<?")) {
            del.setLong(1, fs.id);
            del.setLong(2, p.evictFrom);
            del.executeUpdate();
        }
    }

    private void deleteEvicted(Collection<Pending> pending) throws SQLException {
        try (PreparedStatement del = writer.prepareStatement("DELETE FROM blocks WHERE stream_id=? AND first_seq<?")) {
            boolean any = false;
            for (Pending p : pending) {
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
    private void writeStreamRows(Collection<Pending> pending) throws SQLException {
        try (PreparedStatement ps = writer.prepareStatement(
                "UPDATE streams SET next_seq=?, dropped_ttl=?, dropped_full=?, rejected=? WHERE id=?")) {
            boolean any = false;
            for (Pending p : pending) {
                if (!(p.stream instanceof FileStream fs) || !p.changed()) continue;
                ps.setLong(1, p.nextSeq);
                ps.setLong(2, fs.droppedTtl);
                ps.setLong(3, fs.droppedFull + p.droppedFull);
                ps.setLong(4, fs.rejected + p.rejected);
                ps.setLong(5, fs.id);
                ps.addBatch();
                any = true;
            }
            if (any) ps.executeBatch();
        }
    }

    private void apply(Pending p) {
        StoredStream s = p.stream;
        s.blocks.headMap(p.evictFrom, false).clear();
        for (BlockMeta b : p.added) {
            if (b.firstSeq() >= p.evictFrom) s.blocks.put(b.firstSeq(), b);
        }
        s.bytes = p.bytes;
        s.droppedFull += p.droppedFull;
        s.rejected += p.rejected;
        s.nextSeq = p.nextSeq;
        s.countersDirty = false;
    }

    private void afterCommit(Txn txn) {
        State state = space.state();
        if (state == State.FULL || state == State.IO_ERROR) {
            if (txn.added > 0 || txn.pending.isEmpty()) space.moveTo(State.RECOVERING, "");
            state = space.state();
        }
        if (txn.budgetPressure && (state == State.OK || state == State.RECOVERING)) {
            space.moveTo(State.LOW_SPACE, space.describeBudget() + " reached");
        }
    }

    // ---------------------------------------------------------------- writer thread: space

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

    private void onWriteFailure(SQLException e, List<Op> batch) {
        measured = false;
        boolean diskFull = isDiskFull(e);
        long batchBytes = 0;
        for (Op op : batch) {
            if (op instanceof AppendOp a) {
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
        failAll(batch, failure);
        if (diskFull) makeRoomOnFullDisk(Math.max(batchBytes, RESERVE_BYTES));
    }

    /**
     * On a full disk, drop-oldest file streams give up their oldest blocks, lowest priority first, so that the next
     * commits fit; then the WAL is checkpointed. Freed pages are reused by SQLite although the file does not shrink.
     */
    private void makeRoomOnFullDisk(long bytes) {
        synchronized (writeLock) {
            Txn txn = new Txn(0);
            long need = bytes;
            List<StoredStream> candidates = streams.values().stream()
                    .filter(x -> x instanceof FileStream && x.settings != null && x.settings.whenFull() == WhenFull.DROP_OLDEST)
                    .sorted(Comparator.comparingInt(StoredStream::priority).reversed()).toList();
            for (StoredStream c : candidates) {
                if (need <= 0) break;
                Pending q = txn.of(c);
                Eviction e = RetentionPolicy.oldest(q.oldestFirst(), q.evictFrom, need, c.deliveredFloor());
                q.evict(e);
                need -= e.freedBytes();
            }
            try {
                begin();
                deleteEvicted(txn.pending.values());
                writeStreamRows(txn.pending.values());
                commit();
            } catch (SQLException e) {
                rollback();
                if (!evictionWarned) {
                    evictionWarned = true;
                    log.warn("disk full: could not evict to make room ({}); retrying while the disk stays full", e.getMessage());
                }
                return;
            }
            for (Pending p : txn.pending.values()) {
                apply(p);
                if (p.droppedFull > 0) noteBudgetEpisode(p.stream, "dropped its oldest samples to make room on the full disk");
            }
            try (Statement st = writer.createStatement()) {
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            } catch (SQLException checkpoint) {
                log.debug("checkpoint on full disk failed: {}", checkpoint.getMessage());
            }
        }
    }

    /**
     * Between batches: retention (drained and expired data), the disk reserve, and the state machine's way back:
     * FULL / IO_ERROR probe with a small write, RECOVERING ends once the reserve is back, LOW_SPACE once the headroom
     * is above the margin again.
     */
    private void runPeriodic() {
        runRetention();
        State state = space.state();
        if (state == State.FULL || state == State.IO_ERROR) {
            if (state == State.FULL) makeRoomOnFullDisk(RESERVE_BYTES);
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

    /** Deletes what every destination has passed and what outlived the TTL. Runs on the writer thread. */
    private void runRetention() {
        long now = options.clock().millis() * 1_000_000L;
        Map<StoredStream, Eviction> evictions = new LinkedHashMap<>();
        for (StoredStream s : streams.values()) {
            if (s.settings == null || s.blocks.isEmpty()) continue;
            Eviction e = RetentionPolicy.passedOrExpired(s.blocks.values(), s.firstSeq(), s.deliveredFloor(),
                    now - s.settings.ttl().toNanos());
            if (!e.isEmpty()) evictions.put(s, e);
        }
        if (evictions.isEmpty()) return;
        synchronized (writeLock) {
            try (PreparedStatement del = writer.prepareStatement("DELETE FROM blocks WHERE stream_id=? AND first_seq<?");
                 PreparedStatement ttl = writer.prepareStatement("UPDATE streams SET dropped_ttl=? WHERE id=?")) {
                begin();
                boolean anyTtl = false;
                boolean anyDelete = false;
                for (Map.Entry<StoredStream, Eviction> x : evictions.entrySet()) {
                    if (!(x.getKey() instanceof FileStream fs)) continue;
                    del.setLong(1, fs.id);
                    del.setLong(2, x.getValue().deleteBefore());
                    del.addBatch();
                    anyDelete = true;
                    if (x.getValue().lostSamples() > 0) {
                        ttl.setLong(1, fs.droppedTtl + x.getValue().lostSamples());
                        ttl.setLong(2, fs.id);
                        ttl.addBatch();
                        anyTtl = true;
                    }
                }
                if (anyDelete) del.executeBatch();
                if (anyTtl) ttl.executeBatch();
                commit();
            } catch (SQLException e) {
                rollback();
                log.debug("retention could not delete: {}", e.getMessage());
                return;
            }
        }
        evictions.forEach((s, e) -> {
            s.blocks.headMap(e.deleteBefore(), false).clear();
            s.bytes -= e.freedBytes();
            if (e.lostSamples() > 0) {
                s.droppedTtl += e.lostSamples();
                log.warn("stream {}: {} samples older than the TTL ({}) were dropped before every destination had them",
                        s.name, e.lostSamples(), s.settings.ttl());
            }
        });
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

    private static void failAll(List<Op> batch, Throwable failure) {
        for (Op op : batch) {
            if (op instanceof AppendOp a) a.future().completeExceptionally(failure);
            else if (op instanceof CursorOp c) c.future().completeExceptionally(failure);
            else if (op instanceof SyncOp s) s.future().completeExceptionally(failure);
            else if (op instanceof CompactOp k) k.future().completeExceptionally(failure);
        }
    }

    @Override
    public void close() {
        if (loop.closed()) return;
        loop.close();
        for (Connection c : allReaders) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
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
        space.moveTo(State.CLOSED, "");
    }
}
