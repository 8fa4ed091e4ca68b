package io.sluice.runtime.store;

import io.sluice.runtime.config.FreeSpace;
import io.sluice.runtime.store.StoreHealth.State;
import io.sluice.runtime.store.StoredStream.FileStream;
import io.sluice.runtime.store.StoredStream.MemoryStream;
import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *       at-least-once, and after a crash at most the batch in flight is delivered again). While samples are being
 *       appended, a cursor move waits up to {@link #CURSOR_HOLD} for the next append and shares its transaction.</li>
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
 * receipts(id INTEGER PRIMARY KEY, stream_id INTEGER, first_seq INTEGER, last_seq INTEGER, destination TEXT,
 *          delivered_at INTEGER, receipt TEXT)   -- epoch ms; a JSON {@link io.sluice.spi.destination.Receipt}
 * meta   (key TEXT PRIMARY KEY, value TEXT)                                             -- format version
 * </pre>
 * One row of {@code blocks} holds up to {@link StoreOptions#blockSamples()} samples of one append in the compact
 * encoding of {@link BlockCodec}: a sample costs a few bytes of a blob, not a row and a JSON document.
 */
public final class SqliteStreamStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SqliteStreamStore.class);
    static final String FORMAT_VERSION = StoreSchema.FORMAT_VERSION;
    static final int RESERVE_BYTES = SpacePolicy.RESERVE_BYTES;
    /**
     * While samples are appended, a cursor move waits up to this long for the next append and commits in its
     * transaction (one commit and sync instead of two; the publisher does not await its cursor commits).
     */
    static final Duration CURSOR_HOLD = Duration.ofMillis(200);

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

    private final Path file;
    private final StoreOptions options;
    private final SpacePolicy space;
    private final StoreWriter writer;
    private final Map<String, StoredStream> streams = new ConcurrentHashMap<>();
    private final TagDictionary tags = new TagDictionary();
    private final GroupCommitLoop<StoreOp> loop;
    private final ThreadLocal<Connection> readers = new ThreadLocal<>();
    private final List<Connection> allReaders = new CopyOnWriteArrayList<>();

    private SqliteStreamStore(Path file, StoreOptions options, SpacePolicy.Disk disk, boolean reserveReleased) throws SQLException {
        this.file = file;
        this.options = options;
        this.space = new SpacePolicy(file, options.maxStoreBytes(), options.minFreeDisk(), disk, options.clock());
        this.writer = new StoreWriter(file, options, space, streams, tags);
        writer.afterAppend(this::appended);
        if (reserveReleased) space.moveTo(State.FULL, "the disk was full when the store opened");
        else space.ensureReserve();
        this.loop = new GroupCommitLoop<>("sluice-store-writer", options.commitWindow(), options.maxPendingBytes(),
                options.retentionInterval(), writer);
        this.loop.holdFor(CURSOR_HOLD);
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
            if (StoreWriter.isDiskFull(e) || String.valueOf(e.getMessage()).contains("SHMSIZE")) {
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
        writer.limitPages(pages, seen);
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
                stream = s.persistent() ? new FileStream(s.name(), writer.insertStream(s.name()), s) : new MemoryStream(s.name(), s);
                streams.put(s.name(), stream);
            } else if (stream instanceof MemoryStream && s.persistent()) {
                throw new IllegalStateException("stream " + s.name() + " cannot become persistent while open");
            }
            stream.settings = s;
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
        TagDictionary.Positional tagOrder = state.tagOrders.computeIfAbsent(connector == null ? "" : connector, c -> tags.positional());
        synchronized (tagOrder) {
            for (int from = 0; from < samples.size(); from += blockSamples) {
                int to = Math.min(samples.size(), from + blockSamples);
                byte[] block = BlockCodec.encode(samples, from, to, tagOrder);
                blocks.add(block);
                counts.add(to - from);
                bytes += block.length;
            }
        }
        CompletableFuture<AppendResult> future = new CompletableFuture<>();
        loop.submit(new StoreOp.Append(state, connector, note, blocks, counts, samples.size(), oldest, newest, bytes, future), bytes);
        return future;
    }

    private final List<Runnable> appendListeners = new CopyOnWriteArrayList<>();

    /**
     * Runs {@code listener} after every commit that stored samples (their futures completed), on the store's writer
     * thread: it must only signal, e.g. unpark a thread that waits for samples. The publisher's workers wait for this
     * rather than poll the store. Close the returned handle to remove it.
     */
    public AutoCloseable onAppended(Runnable listener) {
        appendListeners.add(listener);
        return () -> appendListeners.remove(listener);
    }

    private void appended() {
        for (Runnable r : appendListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.debug("an append listener failed", e);
            }
        }
    }

    /** Moves a destination's cursor; durable once the future completes. */
    public CompletableFuture<Void> commitCursor(String stream, String destination, long nextSequence) {
        return commitCursor(stream, destination, nextSequence, List.of());
    }

    /**
     * Moves a destination's cursor and keeps the receipts of the runs it passes, in one transaction (receipts of a
     * memory stream are not kept). Receipts older than {@link #keepReceipts} are deleted by retention.
     */
    public CompletableFuture<Void> commitCursor(String stream, String destination, long nextSequence, List<DeliveryReceipt> receipts) {
        StoredStream state = streams.get(stream);
        if (state == null) return CompletableFuture.failedFuture(new SluiceException("unknown stream '" + stream + "'", false));
        CompletableFuture<Void> future = new CompletableFuture<>();
        loop.submit(new StoreOp.Cursor(state, destination, nextSequence, List.copyOf(receipts), future), 0);
        return future;
    }

    /** How long delivery receipts are kept ({@code store.keep-receipts}); zero keeps none. Default 7 days. */
    public void keepReceipts(Duration keep) {
        writer.keepReceipts(keep);
    }

    /**
     * Sets a destination's cursor to exactly {@code nextSequence}, backwards too (a replay: the destination is given
     * the samples from there again). Fails when the sequence is no longer stored or not yet written. Whoever else
     * commits this cursor (the destination's worker) must not run meanwhile, or it moves the cursor on again.
     */
    public CompletableFuture<Void> moveCursor(String stream, String destination, long nextSequence) {
        StoredStream state = streams.get(stream);
        if (state == null) return CompletableFuture.failedFuture(new SluiceException("unknown stream '" + stream + "'", false));
        CompletableFuture<Void> future = new CompletableFuture<>();
        loop.submit(new StoreOp.MoveCursor(state, destination, nextSequence, future), 0);
        return future;
    }

    /**
     * What {@link #purge} removed: {@code samples} samples, sequences {@code [fromSequence, toSequence)}, holding
     * {@code bytes} encoded bytes.
     */
    public record PurgeResult(String stream, long samples, long fromSequence, long toSequence, long bytes) {}

    /**
     * Deletes a stream's oldest samples on an operator's request: whole blocks (one append's samples, up to
     * {@link StoreOptions#blockSamples()}) that end at or before {@code beforeSequence} and whose newest sample was
     * received before {@code beforeReceiveNanos} (epoch ns); {@code Long.MAX_VALUE} for both removes everything
     * stored. Sequences continue; cursors below the new oldest sample read from there.
     */
    public CompletableFuture<PurgeResult> purge(String stream, long beforeSequence, long beforeReceiveNanos) {
        StoredStream state = streams.get(stream);
        if (state == null) return CompletableFuture.failedFuture(new SluiceException("unknown stream '" + stream + "'", false));
        if (loop.closed()) return CompletableFuture.failedFuture(new SluiceException("stream store is closed", true));
        CompletableFuture<PurgeResult> future = new CompletableFuture<>();
        loop.submit(new StoreOp.Purge(state, beforeSequence, beforeReceiveNanos, future), 0);
        return future;
    }

    /** Whether the store has a stream of this name (declared, or found in the file). */
    public boolean hasStream(String stream) {
        return streams.containsKey(stream);
    }

    /** Whether the stream is declared by the configuration (so it can be appended to). */
    public boolean isConfigured(String stream) {
        StoredStream state = streams.get(stream);
        return state != null && state.settings != null;
    }

    /**
     * The sequence of the first stored sample received at or after {@code epochNanos}; the next sequence when there
     * is none, the oldest stored one when every stored sample is that new.
     */
    public long sequenceAt(String stream, long epochNanos) {
        StoredStream state = streams.get(stream);
        if (state == null) return 0;
        for (BlockMeta b : state.blocks.values()) {
            if (b.newestRx() < epochNanos) continue;
            if (b.oldestRx() >= epochNanos) return b.firstSeq();
            for (StoredSample s : read(stream, b.firstSeq(), b.count()).samples()) {
                if (s.sample().receiveTimeNanos() >= epochNanos) return s.sequence();
            }
            return b.endSeq();
        }
        return state.nextSeq;
    }

    /** Completes once everything queued before it is committed. */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (loop.closed()) future.complete(null);
        else loop.submit(new StoreOp.Sync(future), 0);
        return future;
    }

    /** Runs retention now (tests and the CLI); completes after it ran. */
    public CompletableFuture<Void> compact() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (loop.closed()) future.complete(null);
        else loop.submit(new StoreOp.Compact(future), 0);
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
        if (state == null || maxSamples <= 0) return new ReadBatch(new ArrayList<>(0), fromSequence);
        long from = Math.max(fromSequence, state.firstSeq());
        Long startKey = state.blocks.floorKey(from);
        if (startKey == null) startKey = state.blocks.ceilingKey(from);
        if (startKey == null) return new ReadBatch(new ArrayList<>(0), from);
        List<BlockMeta> wanted = new ArrayList<>();
        long covered = 0;
        for (BlockMeta b : state.blocks.tailMap(startKey, true).values()) {
            if (b.endSeq() <= from) continue;
            wanted.add(b);
            covered += b.endSeq() - Math.max(from, b.firstSeq());
            if (covered >= maxSamples) break;
        }
        // sized for what the blocks hold: a publisher that is caught up reads often and finds a few samples or none
        List<StoredSample> out = new ArrayList<>((int) Math.min(covered, maxSamples));
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
            c = StoreWriter.connect(file);
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

    /** How many times the store entered {@code state} since it was opened. */
    public long stateTransitions(State state) {
        return space.enteredCount(state);
    }

    /** Transactions committed since the store was opened (each one a WAL sync under {@code synchronous=FULL}). */
    public long commits() {
        return writer.commits();
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
        writer.close();
        space.moveTo(State.CLOSED, "");
    }
}
