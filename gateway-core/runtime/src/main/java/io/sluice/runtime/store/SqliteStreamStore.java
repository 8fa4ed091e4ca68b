package io.sluice.runtime.store;

import io.sluice.runtime.config.StreamConfig.WhenFull;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
 *       arrives within the commit window shares one transaction.</li>
 *   <li><b>Sequences.</b> Each stream numbers its samples 0, 1, 2, ... without gaps or repeats, across restarts and
 *       crashes. Retention only ever removes the oldest samples, so the stored samples of a stream are always one
 *       contiguous range {@code [firstSequence, nextSequence)}.</li>
 *   <li><b>Cursors.</b> Each destination has a durable cursor per stream: the next sequence it will be given. Reading
 *       does not move it; {@link #commitCursor} does, after the destination confirmed (peek, then remove: delivery is
 *       at-least-once, and after a crash at most the batch in flight is delivered again).</li>
 *   <li><b>Retention.</b> Samples are deleted when every destination of the stream has passed them, when older than
 *       the stream's TTL, or to make room under {@code drop-oldest}; under {@code reject-new} a full stream refuses
 *       appends with {@link StoreFullException}. Every sample lost that way is counted (see {@link StreamStats}).</li>
 *   <li><b>Failure.</b> A full disk or an I/O error fails the appends of that commit (retryable) and rolls the
 *       transaction back; the file stays consistent and the store keeps running and retries.</li>
 *   <li><b>Memory streams</b> ({@code persistence: memory}) follow the same rules but live in the heap and are lost
 *       on restart.</li>
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
    /** Format 3 blocks may carry server times; a format 2 file has the same tables and is upgraded in place. */
    static final String FORMAT_VERSION = "3";
    private static final String UPGRADABLE_FORMAT = "2";

    /** Tunables of the store. */
    public record StoreOptions(Duration commitWindow, String synchronous, long maxPendingBytes, int blockSamples,
                               Duration retentionInterval, Clock clock) {

        public static StoreOptions defaults() {
            return new StoreOptions(Duration.ofMillis(5), "FULL", 64L << 20, 4096, Duration.ofSeconds(1), Clock.systemUTC());
        }

        public StoreOptions withSynchronous(String mode) {
            return new StoreOptions(commitWindow, mode, maxPendingBytes, blockSamples, retentionInterval, clock);
        }

        public StoreOptions withCommitWindow(Duration window) {
            return new StoreOptions(window, synchronous, maxPendingBytes, blockSamples, retentionInterval, clock);
        }
    }

    /** Where an append landed: sequences {@code [firstSequence, firstSequence + count)}. */
    public record AppendResult(long firstSequence, int count) {}

    private record BlockMeta(long firstSeq, int count, long newestRx, long oldestRx, int bytes,
                             String connector, String note, byte[] data) {
        long endSeq() {
            return firstSeq + count;
        }
    }

    private static final class StreamState {
        final String name;
        final long id;
        volatile StreamSettings settings;
        volatile long nextSeq;
        volatile long bytes;
        volatile long droppedTtl;
        volatile long droppedFull;
        volatile long rejected;
        volatile long corrupt;
        final NavigableMap<Long, BlockMeta> blocks = new ConcurrentSkipListMap<>();
        final Map<String, Long> cursors = new ConcurrentHashMap<>();
        boolean fullEpisode;

        StreamState(String name, long id, StreamSettings settings) {
            this.name = name;
            this.id = id;
            this.settings = settings;
        }

        long firstSeq() {
            Map.Entry<Long, BlockMeta> first = blocks.firstEntry();
            return first == null ? nextSeq : first.getKey();
        }
    }

    private sealed interface Op permits AppendOp, CursorOp, SyncOp {}

    private record AppendOp(StreamState stream, String connector, String note, List<byte[]> blocks, List<int[]> counts,
                            long oldestRx, long newestRx, int bytes, CompletableFuture<AppendResult> future) implements Op {}

    private record CursorOp(StreamState stream, String destination, long nextSeq, CompletableFuture<Void> future) implements Op {}

    private record SyncOp(CompletableFuture<Void> future) implements Op {}

    private final Path file;
    private final StoreOptions options;
    private Connection writer;
    private final Object writeLock = new Object();
    private final Map<String, StreamState> streams = new ConcurrentHashMap<>();
    private final TagDictionary tags = new TagDictionary();
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Thread writerThread;
    private final ThreadLocal<Connection> readers = new ThreadLocal<>();
    private final List<Connection> allReaders = new CopyOnWriteArrayList<>();
    private final Object pendingLock = new Object();
    private long pendingBytes;
    private volatile boolean closed;
    private volatile StoreHealth health;
    private long nextRetentionNanos;
    private long commits;
    private final Path reserve;
    static final int RESERVE_BYTES = 4 << 20;

    private SqliteStreamStore(Path file, StoreOptions options) throws SQLException {
        this.file = file;
        this.options = options;
        this.health = StoreHealth.ok(options.clock().millis());
        this.writer = connect(file);
        this.reserve = file.resolveSibling(file.getFileName() + ".reserve");
        createReserve();
        try (Statement st = writer.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA synchronous=" + options.synchronous());
            st.execute("PRAGMA journal_size_limit=" + (64L << 20));
            st.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS streams(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                    + " next_seq INTEGER NOT NULL, dropped_ttl INTEGER NOT NULL DEFAULT 0,"
                    + " dropped_full INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0)");
            st.execute("CREATE TABLE IF NOT EXISTS blocks(id INTEGER PRIMARY KEY, stream_id INTEGER NOT NULL,"
                    + " first_seq INTEGER NOT NULL, sample_count INTEGER NOT NULL, oldest_rx INTEGER NOT NULL,"
                    + " newest_rx INTEGER NOT NULL, connector TEXT NOT NULL, note TEXT, data BLOB NOT NULL)");
            st.execute("CREATE UNIQUE INDEX IF NOT EXISTS blocks_by_stream ON blocks(stream_id, first_seq)");
            st.execute("CREATE TABLE IF NOT EXISTS tags(id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS cursors(stream_id INTEGER NOT NULL, destination TEXT NOT NULL,"
                    + " next_seq INTEGER NOT NULL, PRIMARY KEY(stream_id, destination)) WITHOUT ROWID");
            st.execute("INSERT OR IGNORE INTO meta(key, value) VALUES('format', '" + FORMAT_VERSION + "')");
        }
        String format;
        try (Statement st = writer.createStatement();
             ResultSet rs = st.executeQuery("SELECT value FROM meta WHERE key='format'")) {
            format = rs.next() ? rs.getString(1) : FORMAT_VERSION;
        }
        if (UPGRADABLE_FORMAT.equals(format)) {
            try (Statement st = writer.createStatement()) {
                st.execute("UPDATE meta SET value='" + FORMAT_VERSION + "' WHERE key='format'");
            }
            log.info("{}: store format {} upgraded to {}", file, format, FORMAT_VERSION);
        } else if (!FORMAT_VERSION.equals(format)) {
            throw new SluiceException(file + " has store format " + format + ", this version reads formats "
                    + UPGRADABLE_FORMAT + " and " + FORMAT_VERSION, false);
        }
        writer.setAutoCommit(false);
        loadExistingStreams();
        writer.commit();
        this.writerThread = new Thread(this::writerLoop, "sluice-store-writer");
        this.writerThread.setDaemon(true);
        this.nextRetentionNanos = System.nanoTime() + options.retentionInterval().toNanos();
        this.writerThread.start();
    }

    /** Opens (creating if needed) the store file. */
    public static SqliteStreamStore open(Path file, StoreOptions options) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            return new SqliteStreamStore(file, options);
        } catch (SQLException | IOException e) {
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

    public Path file() {
        return file;
    }

    private void loadExistingStreams() throws SQLException {
        try (Statement st = writer.createStatement(); ResultSet rs = st.executeQuery("SELECT id, name FROM tags")) {
            while (rs.next()) tags.load(rs.getInt(1), rs.getString(2));
        }
        Map<Long, StreamState> byId = new HashMap<>();
        try (Statement st = writer.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, name, next_seq, dropped_ttl, dropped_full, rejected FROM streams")) {
            while (rs.next()) {
                StreamState s = new StreamState(rs.getString(2), rs.getLong(1), null);
                s.nextSeq = rs.getLong(3);
                s.droppedTtl = rs.getLong(4);
                s.droppedFull = rs.getLong(5);
                s.rejected = rs.getLong(6);
                byId.put(s.id, s);
                streams.put(s.name, s);
            }
        }
        try (Statement st = writer.createStatement();
             ResultSet rs = st.executeQuery("SELECT stream_id, first_seq, sample_count, newest_rx, oldest_rx, length(data) FROM blocks")) {
            while (rs.next()) {
                StreamState s = byId.get(rs.getLong(1));
                if (s == null) continue;
                BlockMeta b = new BlockMeta(rs.getLong(2), rs.getInt(3), rs.getLong(4), rs.getLong(5), rs.getInt(6), null, null, null);
                s.blocks.put(b.firstSeq(), b);
                s.bytes += b.bytes();
                s.nextSeq = Math.max(s.nextSeq, b.endSeq());
            }
        }
        try (Statement st = writer.createStatement();
             ResultSet rs = st.executeQuery("SELECT stream_id, destination, next_seq FROM cursors")) {
            while (rs.next()) {
                StreamState s = byId.get(rs.getLong(1));
                if (s != null) s.cursors.put(rs.getString(2), rs.getLong(3));
            }
        }
    }

    /**
     * Declares the streams in use with their limits (call again after a config change). Streams found in the file
     * but not declared keep their data and are readable; they are not written to.
     */
    public synchronized void configure(Collection<StreamSettings> settings) {
        for (StreamSettings s : settings) {
            StreamState state = streams.get(s.name());
            if (state != null && state.settings != null && state.settings.persistent() != s.persistent()) {
                log.warn("stream {} changed persistence; the change applies after a restart", s.name());
                state.settings = new StreamSettings(s.name(), s.maxBytes(), s.ttl(), s.whenFull(), state.settings.persistent(), s.destinations());
                continue;
            }
            if (state == null) {
                long id = -1;
                if (s.persistent()) {
                    id = insertStream(s.name());
                }
                state = new StreamState(s.name(), id, s);
                streams.put(s.name(), state);
            } else if (state.id < 0 && s.persistent()) {
                throw new IllegalStateException("stream " + s.name() + " cannot become persistent while open");
            }
            state.settings = s;
        }
    }

    private long insertStream(String name) {
        CompletableFuture<Long> id = new CompletableFuture<>();
        // Stream creation is rare; do it under the writer's lock by running it synchronously on this thread.
        synchronized (writeLock) {
            try (PreparedStatement ps = writer.prepareStatement("INSERT INTO streams(name, next_seq) VALUES(?, 0)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, name);
                ps.executeUpdate();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    rs.next();
                    id.complete(rs.getLong(1));
                }
                writer.commit();
            } catch (SQLException e) {
                try {
                    writer.rollback();
                } catch (SQLException ignored) {
                    // the connection reports the original failure
                }
                throw new SluiceException("cannot create stream " + name + ": " + e.getMessage(), true, e);
            }
        }
        return id.join();
    }

    /**
     * Appends samples to a stream. The future completes after commit with the sequences they got, or
     * exceptionally with {@link StoreFullException} (stream full under reject-new, disk full) or another
     * {@link SluiceException}. Blocks while more than {@link StoreOptions#maxPendingBytes()} wait for commit.
     *
     * @param note an annotation kept with the samples (dead-letter reason), or null
     */
    public CompletableFuture<AppendResult> append(String stream, String connector, List<Sample> samples, String note) {
        if (closed) return CompletableFuture.failedFuture(new SluiceException("stream store is closed", true));
        StreamState state = streams.get(stream);
        if (state == null || state.settings == null) {
            return CompletableFuture.failedFuture(new SluiceException("unknown stream '" + stream + "'", false));
        }
        if (samples.isEmpty()) return CompletableFuture.completedFuture(new AppendResult(state.nextSeq, 0));
        int blockSamples = options.blockSamples();
        List<byte[]> blocks = new ArrayList<>((samples.size() + blockSamples - 1) / blockSamples);
        List<int[]> counts = new ArrayList<>(blocks.size());
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
            counts.add(new int[] {to - from});
            bytes += block.length;
        }
        acquirePending(bytes);
        CompletableFuture<AppendResult> future = new CompletableFuture<>();
        queue.add(new AppendOp(state, connector, note, blocks, counts, oldest, newest, bytes, future));
        return future;
    }

    private void acquirePending(int bytes) {
        synchronized (pendingLock) {
            while (pendingBytes > 0 && pendingBytes + bytes > options.maxPendingBytes() && !closed) {
                try {
                    pendingLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SluiceException("interrupted while waiting for the store", true, e);
                }
            }
            pendingBytes += bytes;
        }
    }

    private void releasePending(long bytes) {
        synchronized (pendingLock) {
            pendingBytes -= bytes;
            pendingLock.notifyAll();
        }
    }

    /** Moves a destination's cursor; durable once the future completes. */
    public CompletableFuture<Void> commitCursor(String stream, String destination, long nextSequence) {
        StreamState state = streams.get(stream);
        if (state == null) return CompletableFuture.failedFuture(new SluiceException("unknown stream '" + stream + "'", false));
        CompletableFuture<Void> future = new CompletableFuture<>();
        queue.add(new CursorOp(state, destination, nextSequence, future));
        return future;
    }

    /** Completes once everything queued before it is committed. */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (closed) {
            future.complete(null);
        } else {
            queue.add(new SyncOp(future));
        }
        return future;
    }

    /** The next sequence a destination will be given for a stream (the oldest stored when it never read). */
    public long cursor(String stream, String destination) {
        StreamState state = streams.get(stream);
        if (state == null) return 0;
        Long cursor = state.cursors.get(destination);
        return Math.max(cursor == null ? 0 : cursor, state.firstSeq());
    }

    /** Sequence the next appended sample of the stream will get. */
    public long nextSequence(String stream) {
        StreamState state = streams.get(stream);
        return state == null ? 0 : state.nextSeq;
    }

    /** Receive time (epoch ns) of the oldest sample in the block holding {@code sequence}, or -1 if none is stored. */
    public long receiveTimeAt(String stream, long sequence) {
        StreamState state = streams.get(stream);
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
        StreamState state = streams.get(stream);
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
        long[] next = {from};
        if (state.id < 0) {
            for (BlockMeta b : wanted) {
                if (out.size() >= maxSamples) break;
                decodeInto(state, b.firstSeq(), b.count(), b.connector(), b.note(), b.data(), from, maxSamples, out, next);
            }
            return new ReadBatch(out, next[0]);
        }
        try {
            Connection c = reader();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT first_seq, sample_count, connector, note, data FROM blocks WHERE stream_id=? AND first_seq>=? AND first_seq<=? ORDER BY first_seq")) {
                ps.setLong(1, state.id);
                ps.setLong(2, wanted.get(0).firstSeq());
                ps.setLong(3, wanted.get(wanted.size() - 1).firstSeq());
                try (ResultSet rs = ps.executeQuery()) {
                    while (out.size() < maxSamples && rs.next()) {
                        decodeInto(state, rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getBytes(5), from, maxSamples, out, next);
                    }
                }
            } finally {
                c.commit();
            }
        } catch (SQLException e) {
            throw new SluiceException("cannot read stream " + stream + ": " + e.getMessage(), true, e);
        }
        return new ReadBatch(out, next[0]);
    }

    private void decodeInto(StreamState state, long firstSeq, int count, String connector, String note, byte[] data, long from,
                            int maxSamples, List<StoredSample> out, long[] next) {
        int skip = (int) Math.max(0, from - firstSeq);
        int sizeBefore = out.size();
        try {
            BlockCodec.decode(data, skip, tags, (index, sample) -> {
                if (out.size() < maxSamples) out.add(new StoredSample(firstSeq + index, connector, sample, note));
            });
            next[0] = out.size() > sizeBefore ? out.get(out.size() - 1).sequence() + 1 : next[0];
        } catch (BlockCodec.CorruptBlockException e) {
            while (out.size() > sizeBefore) out.remove(out.size() - 1);
            log.error("stream {}: block at sequence {} is damaged ({}); its {} samples are skipped", state.name, firstSeq, e.getMessage(), count);
            state.corrupt += count;
            next[0] = firstSeq + count;
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
        return streams.values().stream().map(this::statsOf).sorted(java.util.Comparator.comparing(StreamStats::name)).toList();
    }

    public StreamStats stats(String stream) {
        StreamState s = streams.get(stream);
        return s == null ? null : statsOf(s);
    }

    private StreamStats statsOf(StreamState s) {
        Map.Entry<Long, BlockMeta> first = s.blocks.firstEntry();
        return new StreamStats(s.name, s.id >= 0, s.firstSeq(), s.nextSeq, s.bytes,
                first == null ? 0 : first.getValue().oldestRx(), Map.copyOf(s.cursors),
                s.droppedTtl, s.droppedFull, s.rejected, s.corrupt);
    }

    public StoreHealth health() {
        return health;
    }

    public long commits() {
        return commits;
    }

    // ---------------------------------------------------------------- writer thread

    private void writerLoop() {
        List<Op> batch = new ArrayList<>();
        long windowNanos = options.commitWindow().toNanos();
        while (true) {
            try {
                long untilRetention = nextRetentionNanos - System.nanoTime();
                Op first = queue.poll(Math.max(1, untilRetention), TimeUnit.NANOSECONDS);
                if (first != null) {
                    batch.add(first);
                    long deadline = System.nanoTime() + windowNanos;
                    while (true) {
                        queue.drainTo(batch);
                        long wait = deadline - System.nanoTime();
                        if (wait <= 0) break;
                        Op next = queue.poll(wait, TimeUnit.NANOSECONDS);
                        if (next == null) break;
                        batch.add(next);
                    }
                    commitBatch(batch);
                    batch.clear();
                }
                if (System.nanoTime() >= nextRetentionNanos) {
                    runRetention();
                    nextRetentionNanos = System.nanoTime() + options.retentionInterval().toNanos();
                }
                if (closed && queue.isEmpty()) return;
            } catch (InterruptedException e) {
                if (closed && queue.isEmpty()) return;
            } catch (RuntimeException e) {
                log.error("stream store writer failed; continuing", e);
                failAll(batch, new SluiceException("store writer failed: " + e.getMessage(), true, e));
                batch.clear();
            }
        }
    }

    /** Per-stream changes of one transaction, applied to memory only after the commit succeeded. */
    private static final class Pending {
        final StreamState stream;
        long nextSeq;
        long bytes;
        long evictFrom;      // first sequence that is not evicted
        long droppedFull;
        long rejected;
        final List<BlockMeta> added = new ArrayList<>();

        Pending(StreamState stream) {
            this.stream = stream;
            this.nextSeq = stream.nextSeq;
            this.bytes = stream.bytes;
            this.evictFrom = stream.firstSeq();
        }
    }

    private void commitBatch(List<Op> batch) {
        Map<StreamState, Pending> pending = new HashMap<>();
        List<Runnable> onCommit = new ArrayList<>();
        long releasedBytes = 0;
        synchronized (writeLock) {
            try (PreparedStatement insert = writer.prepareStatement(
                    "INSERT INTO blocks(stream_id, first_seq, sample_count, oldest_rx, newest_rx, connector, note, data) VALUES(?,?,?,?,?,?,?,?)");
                 PreparedStatement cursor = writer.prepareStatement(
                    "INSERT INTO cursors(stream_id, destination, next_seq) VALUES(?,?,?)"
                            + " ON CONFLICT(stream_id, destination) DO UPDATE SET next_seq=excluded.next_seq")) {
                boolean inserted = false;
                List<Map.Entry<Integer, String>> newTags = tags.unpersisted();
                if (!newTags.isEmpty()) {
                    try (PreparedStatement tag = writer.prepareStatement("INSERT OR REPLACE INTO tags(id, name) VALUES(?, ?)")) {
                        for (Map.Entry<Integer, String> t : newTags) {
                            tag.setInt(1, t.getKey());
                            tag.setString(2, t.getValue());
                            tag.addBatch();
                        }
                        tag.executeBatch();
                    }
                    int upTo = newTags.get(newTags.size() - 1).getKey() + 1;
                    onCommit.add(() -> tags.markPersisted(upTo));
                }
                for (Op op : batch) {
                    if (op instanceof AppendOp a) {
                        releasedBytes += a.bytes();
                        Pending p = pending.computeIfAbsent(a.stream(), Pending::new);
                        if (!makeRoom(p, a, onCommit)) continue;
                        long seq = p.nextSeq;
                        long first = seq;
                        for (int i = 0; i < a.blocks().size(); i++) {
                            byte[] data = a.blocks().get(i);
                            int count = a.counts().get(i)[0];
                            boolean persistent = a.stream().id >= 0;
                            BlockMeta meta = new BlockMeta(seq, count, a.newestRx(), a.oldestRx(), data.length,
                                    persistent ? null : a.connector(), persistent ? null : a.note(), persistent ? null : data);
                            if (persistent) {
                                insert.setLong(1, a.stream().id);
                                insert.setLong(2, seq);
                                insert.setInt(3, count);
                                insert.setLong(4, a.oldestRx());
                                insert.setLong(5, a.newestRx());
                                insert.setString(6, a.connector());
                                insert.setString(7, a.note());
                                insert.setBytes(8, data);
                                insert.addBatch();
                                inserted = true;
                            }
                            p.added.add(meta);
                            seq += count;
                        }
                        if (inserted) {
                            insert.executeBatch();
                            inserted = false;
                        }
                        p.nextSeq = seq;
                        p.bytes += a.bytes();
                        AppendResult result = new AppendResult(first, (int) (seq - first));
                        onCommit.add(() -> a.future().complete(result));
                    } else if (op instanceof CursorOp c) {
                        if (c.stream().id >= 0) {
                            cursor.setLong(1, c.stream().id);
                            cursor.setString(2, c.destination());
                            cursor.setLong(3, c.nextSeq());
                            cursor.addBatch();
                        }
                        onCommit.add(() -> {
                            c.stream().cursors.merge(c.destination(), c.nextSeq(), Math::max);
                            c.future().complete(null);
                        });
                    } else if (op instanceof SyncOp s) {
                        onCommit.add(() -> s.future().complete(null));
                    }
                }
                cursor.executeBatch();
                writeStreamRows(pending.values());
                writer.commit();
                commits++;
            } catch (SQLException e) {
                rollbackQuietly();
                onStorageFailure(e, pending.values());
                SluiceException failure = isDiskFull(e)
                        ? new StoreFullException("disk full: " + e.getMessage(), e)
                        : new SluiceException("store write failed: " + e.getMessage(), true, e);
                failAll(batch, failure);
                releasePending(releasedBytes);
                return;
            }
        }
        for (Pending p : pending.values()) apply(p);
        if (health.state() != StoreHealth.State.OK) {
            log.info("stream store recovered: writes succeed again after {}", health.detail());
            health = StoreHealth.ok(options.clock().millis());
        }
        releasePending(releasedBytes);
        onCommit.forEach(Runnable::run);
    }

    /**
     * Applies the stream's limit to an append. Returns false (and fails the append) when it must be rejected.
     * Under drop-oldest, marks the oldest blocks for deletion in this transaction.
     */
    private boolean makeRoom(Pending p, AppendOp a, List<Runnable> onCommit) throws SQLException {
        StreamSettings s = a.stream().settings;
        long limit = s.maxBytes();
        if (p.bytes + a.bytes() <= limit) {
            if (p.stream.fullEpisode) {
                p.stream.fullEpisode = false;
                log.info("stream {} has room again", p.stream.name);
            }
            return true;
        }
        int samples = a.counts().stream().mapToInt(c -> c[0]).sum();
        if (s.whenFull() == WhenFull.REJECT_NEW || a.bytes() > limit) {
            p.rejected += samples;
            if (!p.stream.fullEpisode) {
                p.stream.fullEpisode = true;
                log.warn("stream {} is full ({} of {} bytes): rejecting new samples (reject-new)", p.stream.name, p.bytes, limit);
            }
            onCommit.add(() -> a.future().completeExceptionally(
                    new StoreFullException("stream '" + p.stream.name + "' is full (max-size " + limit + " bytes, when-full reject-new)")));
            return false;
        }
        // drop-oldest: evict whole blocks, oldest first, from what is committed and what this batch added
        long evictTo = p.evictFrom;
        long freed = 0;
        long dropped = 0;
        long minCursor = minCursor(p.stream);
        for (BlockMeta b : p.stream.blocks.tailMap(p.evictFrom, true).values()) {
            if (p.bytes - freed + a.bytes() <= limit) break;
            freed += b.bytes();
            dropped += Math.max(0, b.endSeq() - Math.max(b.firstSeq(), minCursor));
            evictTo = b.endSeq();
        }
        while (p.bytes - freed + a.bytes() > limit && !p.added.isEmpty()) {
            BlockMeta b = p.added.remove(0);
            freed += b.bytes();
            dropped += b.count();
            evictTo = b.endSeq();
        }
        if (evictTo > p.evictFrom && p.stream.id >= 0) {
            try (PreparedStatement del = writer.prepareStatement("DELETE FROM blocks WHERE stream_id=? AND first_seq<?")) {
                del.setLong(1, p.stream.id);
                del.setLong(2, evictTo);
                del.executeUpdate();
            }
        }
        p.evictFrom = Math.max(p.evictFrom, evictTo);
        p.bytes -= freed;
        p.droppedFull += dropped;
        if (!p.stream.fullEpisode) {
            p.stream.fullEpisode = true;
            log.warn("stream {} is full ({} bytes): dropping the oldest samples (drop-oldest)", p.stream.name, limit);
        }
        return true;
    }

    private void writeStreamRows(Collection<Pending> pending) throws SQLException {
        try (PreparedStatement ps = writer.prepareStatement(
                "UPDATE streams SET next_seq=?, dropped_full=dropped_full+?, rejected=rejected+? WHERE id=?")) {
            boolean any = false;
            for (Pending p : pending) {
                if (p.stream.id < 0) continue;
                ps.setLong(1, p.nextSeq);
                ps.setLong(2, p.droppedFull);
                ps.setLong(3, p.rejected);
                ps.setLong(4, p.stream.id);
                ps.addBatch();
                any = true;
            }
            if (any) ps.executeBatch();
        }
    }

    private void apply(Pending p) {
        StreamState s = p.stream;
        s.blocks.headMap(p.evictFrom, false).clear();
        for (BlockMeta b : p.added) {
            if (b.firstSeq() >= p.evictFrom) s.blocks.put(b.firstSeq(), b);
        }
        s.bytes = p.bytes;
        s.droppedFull += p.droppedFull;
        s.rejected += p.rejected;
        s.nextSeq = p.nextSeq;
    }

    private long minCursor(StreamState s) {
        Collection<String> destinations = s.settings == null ? List.of() : s.settings.destinations();
        if (destinations.isEmpty()) return Long.MAX_VALUE;
        long min = Long.MAX_VALUE;
        for (String d : destinations) {
            Long c = s.cursors.get(d);
            min = Math.min(min, c == null ? 0 : c);
        }
        return min;
    }

    /** Deletes what every destination has passed and what outlived the TTL. Runs on the writer thread. */
    private void runRetention() {
        if (health.state() == StoreHealth.State.OK && !Files.exists(reserve)) createReserve();
        long now = options.clock().millis() * 1_000_000L;
        List<Runnable> apply = new ArrayList<>();
        synchronized (writeLock) {
            try (PreparedStatement del = writer.prepareStatement("DELETE FROM blocks WHERE stream_id=? AND first_seq<?");
                 PreparedStatement ttl = writer.prepareStatement("UPDATE streams SET dropped_ttl=dropped_ttl+? WHERE id=?")) {
                for (StreamState s : streams.values()) {
                    if (s.settings == null || s.blocks.isEmpty()) continue;
                    long delivered = minCursor(s);
                    long ttlCutoff = now - s.settings.ttl().toNanos();
                    long deleteBefore = s.firstSeq();
                    long droppedTtl = 0;
                    long freed = 0;
                    for (BlockMeta b : s.blocks.values()) {
                        boolean passed = delivered != Long.MAX_VALUE && b.endSeq() <= delivered;
                        boolean expired = b.newestRx() < ttlCutoff;
                        if (!passed && !expired) break;
                        if (!passed) droppedTtl += b.endSeq() - Math.max(b.firstSeq(), delivered == Long.MAX_VALUE ? b.firstSeq() : delivered);
                        deleteBefore = b.endSeq();
                        freed += b.bytes();
                    }
                    if (deleteBefore <= s.firstSeq()) continue;
                    if (s.id >= 0) {
                        del.setLong(1, s.id);
                        del.setLong(2, deleteBefore);
                        del.addBatch();
                        if (droppedTtl > 0) {
                            ttl.setLong(1, droppedTtl);
                            ttl.setLong(2, s.id);
                            ttl.addBatch();
                        }
                    }
                    final long before = deleteBefore;
                    final long lost = droppedTtl;
                    final long bytes = freed;
                    apply.add(() -> {
                        s.blocks.headMap(before, false).clear();
                        s.bytes -= bytes;
                        if (lost > 0) {
                            s.droppedTtl += lost;
                            log.warn("stream {}: {} samples older than the TTL ({}) were dropped before every destination had them",
                                    s.name, lost, s.settings.ttl());
                        }
                    });
                }
                del.executeBatch();
                ttl.executeBatch();
                writer.commit();
            } catch (SQLException e) {
                rollbackQuietly();
                onStorageFailure(e, List.of());
                return;
            }
        }
        apply.forEach(Runnable::run);
    }

    /**
     * A few megabytes kept on disk next to the store and given up when the disk is full, so that the store can still
     * delete (which writes to the WAL) and checkpoint. Recreated once there is room again.
     */
    private void createReserve() {
        try {
            if (Files.exists(reserve)) return;
            java.nio.file.FileStore fs = Files.getFileStore(file.toAbsolutePath().getParent());
            if (fs.getUsableSpace() < 2L * RESERVE_BYTES) return;
            Path tmp = reserve.resolveSibling(reserve.getFileName() + ".tmp");
            Files.write(tmp, new byte[RESERVE_BYTES]);
            Files.move(tmp, reserve, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            log.debug("no disk reserve: {}", e.getMessage());
        }
    }

    private boolean releaseReserve() {
        try {
            return Files.deleteIfExists(reserve);
        } catch (IOException e) {
            return false;
        }
    }

    private void onStorageFailure(SQLException e, Collection<Pending> pending) {
        StoreHealth.State state = isDiskFull(e) ? StoreHealth.State.DISK_FULL : StoreHealth.State.IO_ERROR;
        if (health.state() != state) {
            log.error("stream store cannot write ({}): {}; appends fail until it can, committed data is intact", state, e.getMessage());
            health = new StoreHealth(state, e.getMessage(), options.clock().millis());
        }
        if (state == StoreHealth.State.DISK_FULL) {
            if (releaseReserve()) log.warn("disk full: released the {} MB disk reserve to make room for eviction", RESERVE_BYTES >> 20);
            evictForDiskFull();
            try (Statement st = writer.createStatement()) {
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            } catch (SQLException checkpoint) {
                log.debug("checkpoint on full disk failed: {}", checkpoint.getMessage());
            }
        }
    }

    /**
     * On a full disk, streams configured drop-oldest give up their oldest blocks so that the others can go on.
     * Freed pages are reused by SQLite even though the file does not shrink.
     */
    private void evictForDiskFull() {
        for (StreamState s : streams.values()) {
            if (s.settings == null || s.settings.whenFull() != WhenFull.DROP_OLDEST || s.blocks.size() < 2 || s.id < 0) continue;
            int evict = Math.max(1, s.blocks.size() / 10);
            long before = s.firstSeq();
            long dropped = 0;
            long freed = 0;
            long minCursor = minCursor(s);
            for (BlockMeta b : s.blocks.values()) {
                if (evict-- == 0) break;
                before = b.endSeq();
                freed += b.bytes();
                dropped += Math.max(0, b.endSeq() - Math.max(b.firstSeq(), minCursor == Long.MAX_VALUE ? b.firstSeq() : minCursor));
            }
            try (PreparedStatement del = writer.prepareStatement("DELETE FROM blocks WHERE stream_id=? AND first_seq<?");
                 PreparedStatement count = writer.prepareStatement("UPDATE streams SET dropped_full=dropped_full+? WHERE id=?")) {
                del.setLong(1, s.id);
                del.setLong(2, before);
                del.executeUpdate();
                count.setLong(1, dropped);
                count.setLong(2, s.id);
                count.executeUpdate();
                writer.commit();
                s.blocks.headMap(before, false).clear();
                s.bytes -= freed;
                s.droppedFull += dropped;
                log.warn("disk full: stream {} dropped its {} oldest samples (drop-oldest)", s.name, dropped);
            } catch (SQLException e) {
                rollbackQuietly();
                log.warn("disk full: could not evict from stream {}: {}", s.name, e.getMessage());
            }
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

    /**
     * Rolls back and makes sure the next statement runs in a fresh transaction: after SQLITE_FULL, SQLite may have
     * ended the transaction itself, and the driver must not be left believing one is open.
     */
    private void rollbackQuietly() {
        try {
            writer.rollback();
        } catch (SQLException e) {
            // SQLite already ended the transaction (e.g. a failed COMMIT on a full disk); the driver then skipped
            // starting the next one, so start over on a fresh connection rather than run statements outside one.
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
            try (Statement st = fresh.createStatement()) {
                st.execute("PRAGMA synchronous=" + options.synchronous());
                st.execute("PRAGMA journal_size_limit=" + (64L << 20));
            }
            fresh.setAutoCommit(false);
            writer = fresh;
        } catch (SQLException e) {
            log.error("cannot reopen the store's writer connection: {}", e.getMessage());
        }
    }

    private static void failAll(List<Op> batch, Throwable failure) {
        for (Op op : batch) {
            if (op instanceof AppendOp a) a.future().completeExceptionally(failure);
            else if (op instanceof CursorOp c) c.future().completeExceptionally(failure);
            else if (op instanceof SyncOp s) s.future().completeExceptionally(failure);
        }
    }

    /** Runs retention now (tests and the CLI). */
    public CompletableFuture<Void> compact() {
        nextRetentionNanos = System.nanoTime();
        return flush();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        synchronized (pendingLock) {
            pendingLock.notifyAll();
        }
        writerThread.interrupt();
        try {
            writerThread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(new ArrayList<>(queue), new SluiceException("stream store closed", true));
        for (Connection c : allReaders) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        synchronized (writeLock) {
            try (Statement st = writer.createStatement()) {
                writer.commit();
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
        health = new StoreHealth(StoreHealth.State.CLOSED, "", options.clock().millis());
    }
}
