package io.sluice.connector.simmem;

import io.sluice.connector.simmem.SimMemConfig.PageConfig;
import io.sluice.connector.simmem.layout.Field;
import io.sluice.connector.simmem.layout.Layout;
import io.sluice.connector.simmem.layout.LayoutException;
import io.sluice.connector.simmem.layout.Layouts;
import io.sluice.connector.simmem.layout.PageDecoder;
import io.sluice.nativeio.PagePoller;
import io.sluice.nativeio.SharedMemory;
import io.sluice.nativeio.SharedMemoryException;
import io.sluice.nativeio.ThreadPriority;
import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import io.sluice.spi.Value;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.HealthState;
import io.sluice.spi.metrics.Metrics;
import io.sluice.support.SampleIntake;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;

/**
 * Reads simulator pages from shared memory.
 *
 * <p>Two threads per instance. The <em>reader</em> polls the update counters every {@code poll-interval}, takes a
 * consistent snapshot on every change (see {@link PageReader}), counts skipped counter values as missed updates,
 * and queues snapshots; it never blocks on the store, so a slow store costs dropped snapshots (counted) rather than
 * missed updates. The <em>decoder</em> turns queued snapshots into samples, derives lap records and hands batches to
 * the sink (blocking there is the runtime's back-pressure). A page that is absent is looked for again every
 * {@code retry-interval}; a page whose counter stops is checked for having been closed or replaced (a restarted
 * simulator) every {@code stale-after}; a counter that goes backwards starts a new session: session pages are read
 * again and lap tracking starts over.
 */
public final class SimMemConnector implements Connector {

    /**
     * Per-page figures, for tests and benchmarks; {@code nativePoller}: the page was last polled natively;
     * {@code nativeLooks}: looks at the counter by the native poller, {@code lockedLooks} of them once per update;
     * {@code pollerThreads}: threads of the native poller last started (0: never started).
     */
    public record PageStats(String layout, boolean open, boolean nativePoller, long snapshots, long emitted, long missed, long copyRetries,
                            long failedCopies, long dropped, long restarts, long lastCounter, long nativeLooks, long lockedLooks,
                            int pollerThreads) {}

    /*
     * Every wake-up of a thread costs about 25 us of CPU on a VM, as much as decoding a snapshot, so the threads that
     * are not on the update path wake rarely: samples reach the store up to a few tens of milliseconds later.
     */
    /** How often the reader drains native pollers when no page needs polling from Java. */
    private static final long NATIVE_DRAIN_NANOS = 20_000_000;
    /** How long the decoder waits when its queue is empty. */
    private static final long DECODE_WAIT_NANOS = 20_000_000;

    private final String name;
    private final SimMemConfig config;
    private final Path baseDir;
    private final List<Page> pages = new ArrayList<>();
    private final AtomicLong laps = new AtomicLong();
    private volatile boolean running;
    private volatile boolean sessionChanged;
    private volatile String car;
    private volatile String track;
    private final ConcurrentLinkedQueue<Snapshot> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private Thread readerThread;
    private Thread decoderThread;
    private ConnectorContext context;
    private SampleIntake intake;
    private Logger log;
    private Clock clock;
    private String lastHealth = "";
    private volatile boolean healthDirty = true;

    public SimMemConnector(String name, SimMemConfig config) {
        this(name, config, Path.of(""));
    }

    /** @param baseDir where relative layout file paths are resolved */
    public SimMemConnector(String name, SimMemConfig config, Path baseDir) {
        this.name = name;
        this.config = config;
        this.baseDir = baseDir;
    }

    @Override
    public void start(ConnectorContext ctx) {
        this.context = ctx;
        this.log = ctx.logger();
        this.intake = SampleIntake.of("simmem", ctx);
        this.clock = ctx.clock();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < config.pages().size(); i++) {
            PageConfig pc = config.pages().get(i);
            try {
                Layout layout = Layouts.resolve(pc.layout(), baseDir);
                PageDecoder decoder = new PageDecoder(layout, pc.fields());
                pages.add(new Page(layout, pc, decoder, ctx.metrics()));
            } catch (LayoutException e) {
                problems.add("pages[" + i + "].layout: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                problems.add("pages[" + i + "].fields: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            ctx.health().report(HealthState.DEGRADED, String.join("; ", problems));
            throw SluiceException.permanent("connector " + name + ": " + String.join("; ", problems));
        }
        running = true;
        ctx.health().report(HealthState.STARTING, "looking for " + pages.size() + " page(s)");
        readerThread = new Thread(this::readLoop, "simmem-" + name + "-reader");
        decoderThread = new Thread(this::decodeLoop, "simmem-" + name + "-decoder");
        readerThread.setDaemon(true);
        decoderThread.setDaemon(true);
        readerThread.setPriority(Thread.MAX_PRIORITY);
        decoderThread.start();
        readerThread.start();
    }

    @Override
    public void stop() {
        running = false;
        join(readerThread);
        join(decoderThread);
        pages.forEach(p -> p.reader.close());
        if (context != null) context.health().report(HealthState.STOPPED, "stopped");
    }

    private static void join(Thread t) {
        if (t == null) return;
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Figures per page, in config order. */
    public List<PageStats> stats() {
        return pages.stream().map(Page::stats).toList();
    }

    /** Lap records emitted so far. */
    public long lapsEmitted() {
        return laps.get();
    }

    // ---------------------------------------------------------------- reader thread

    private void readLoop() {
        if (config.realtimeReader()) {
            ThreadPriority.Result r = ThreadPriority.raiseCurrentThread(10);
            if (r.raised()) log.info("simmem {}: reader runs at {}", name, r.detail());
            else log.warn("simmem {}: reader runs at normal priority ({}); updates may be missed on a busy machine",
                    name, r.detail());
        }
        long pollNanos = Math.max(1_000, config.pollInterval().toNanos());
        while (running) {
            LockSupport.parkNanos(readOnce(pollNanos));
        }
    }

    /**
     * One pass of the reader over every page; returns how long to wait before the next. A method of its own so the
     * JIT compiles it after a few hundred passes: the loop around it, running 50 times a second, would stay
     * interpreted for many minutes.
     */
    private long readOnce(long pollNanos) {
        long now = System.nanoTime();
        for (Page p : pages) {
            try {
                poll(p, now);
            } catch (SharedMemoryException e) {
                p.reader.close();
                p.setStatus(PageStatus.ERROR, e.getMessage());
                p.nextRetry = now + config.retryInterval().toNanos();
            } catch (RuntimeException e) {
                p.reader.close();
                p.setStatus(PageStatus.ERROR, "unexpected: " + e);
                log.warn("simmem {}: page {} failed; retrying", name, p.layout.name(), e);
                p.nextRetry = now + config.retryInterval().toNanos();
            }
        }
        if (sessionChanged) {
            sessionChanged = false;
            for (Page p : pages) {
                if (p.layout.refresh() == Layout.Refresh.SESSION) p.sessionDue = true;
            }
        }
        reportHealth();
        // with every counter page on a native poller this thread only drains, so it need not wake as often
        boolean javaPolls = false;
        for (Page p : pages) {
            if (p.layout.refresh() == Layout.Refresh.COUNTER && !p.reader.isNative()) javaPolls = true;
        }
        return javaPolls ? pollNanos : Math.max(pollNanos, NATIVE_DRAIN_NANOS);
    }

    private void poll(Page p, long now) {
        if (!p.reader.isOpen()) {
            if (now - p.nextRetry < 0) return;
            p.nextRetry = now + config.retryInterval().toNanos();
            switch (p.reader.open()) {
                case ABSENT -> {
                    p.setStatus(PageStatus.WAITING, "simulator not running: " + p.reader.location() + " not found");
                    return;
                }
                case TOO_SMALL -> {
                    p.setStatus(PageStatus.ERROR, p.reader.location() + " is " + p.reader.openedSize()
                            + " bytes but layout " + p.layout.name() + " needs " + p.layout.size()
                            + "; not reading it (wrong layout or simulator version?)");
                    return;
                }
                case OPEN -> {
                    p.setStatus(PageStatus.OK, "reading " + p.reader.location());
                    if (p.everOpened && p.replaced) {
                        // the simulator closed its page, or replaced it with a new one: a restart, not lost updates
                        p.restarts.incrementAndGet();
                        sessionChanged = true;
                        log.info("simmem {}: {} was replaced: simulator restarted", name, p.layout.name());
                    }
                    // a mapping reopened without being replaced (Windows, after a pause) keeps its counter baseline
                    p.first = !p.everOpened || p.replaced;
                    p.everOpened = true;
                    p.replaced = false;
                    if (p.layout.refresh() == Layout.Refresh.COUNTER && config.nativePoller()) {
                        int slots = Math.max(256, Math.min(65_536, config.queueCapacity()));
                        // above the Java reader (10), so draining never delays a poll
                        p.usedNative = p.reader.startNative(slots, config.pollInterval(), config.realtimeReader() ? 20 : 0,
                                config.adaptivePolling(), config.pollThreads());
                        if (p.usedNative) {
                            PagePoller.Stats stats = p.reader.nativeStats();
                            log.debug("simmem {}: {} polled by the native poller ({} thread(s){})", name, p.layout.name(),
                                    stats.threads(), stats.pinned() ? ", one per CPU" : "");
                        }
                    }
                    p.lastChange = now;
                    p.lastCheck = now;
                    p.nextSample = now;
                    p.nextEmit = now;
                    if (p.layout.refresh() == Layout.Refresh.SESSION) p.sessionDue = true;
                }
            }
        }
        switch (p.layout.refresh()) {
            case COUNTER -> pollCounter(p, now);
            case INTERVAL -> {
                if (now - p.nextSample >= 0) {
                    p.nextSample += p.intervalNanos;
                    if (now - p.nextSample > 0) p.nextSample = now + p.intervalNanos;
                    take(p, now, true, false);
                }
                checkReplaced(p, now);
            }
            case SESSION -> {
                if (p.sessionDue && !p.reader.isCurrent()) {
                    // a new session after a restart: the old object is gone or replaced, so open the new one
                    p.reader.close();
                    p.replaced = true;
                    p.nextRetry = now;
                    return;
                }
                if (p.sessionDue && take(p, now, true, false)) p.sessionDue = false;
                checkReplaced(p, now);
            }
        }
    }

    private void pollCounter(Page p, long now) {
        if (p.reader.isNative()) {
            int n = p.reader.drainNative((bytes, epochNanos) -> accept(p, bytes, epochNanos, now));
            if (now - p.lastOverflowCheck < 100_000_000L) {
                if (n == 0) checkStale(p, now);
                return;
            }
            p.lastOverflowCheck = now;
            long overflow = p.reader.nativeOverflow();
            if (overflow > p.reportedOverflow) {
                p.dropped.addAndGet(overflow - p.reportedOverflow);
                p.droppedMetric.increment(overflow - p.reportedOverflow);
                p.reportedOverflow = overflow;
            }
            if (n == 0) checkStale(p, now);
            return;
        }
        long counter = p.reader.counter();
        if (!p.first && counter == p.lastCounter) {
            checkStale(p, now);
            return;
        }
        byte[] bytes = new byte[p.layout.size()];
        if (!p.reader.snapshot(bytes)) {
            p.failedCopies.incrementAndGet();
            return;
        }
        accept(p, bytes, epochNanos(), now);
    }

    private void checkStale(Page p, long now) {
        if (now - p.lastChange > p.staleNanos && now - p.lastCheck > p.staleNanos) {
            p.lastCheck = now;
            boolean current = p.reader.isCurrent();
            if (!current || SharedMemory.usesMappingNames()) {
                p.replaced = !current;
                // POSIX: the object was removed or replaced. Windows: our handle keeps a closed simulator's
                // mapping alive, so let go of it and look again.
                p.reader.close();
                p.nextRetry = now;
                p.setStatus(PageStatus.WAITING, "no updates for " + (now - p.lastChange) / 1_000_000
                        + " ms; looking for the page again");
            } else if (p.status == PageStatus.OK) {
                p.setStatus(PageStatus.IDLE, "no updates for " + (now - p.lastChange) / 1_000_000
                        + " ms (simulator paused or in a menu)");
            }
        }
    }

    /** Accounts for one consistent snapshot of a counter page and queues it. */
    private void accept(Page p, byte[] bytes, long epochNanos, long now) {
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long copied = PageDecoder.rawLong(le, p.counterField);
        boolean reset = p.first;
        if (!p.first) {
            long delta = p.reader.delta(p.lastCounter, copied);
            if (delta > 1) {
                p.missed.addAndGet(delta - 1);
                p.missedMetric.increment(delta - 1);
            } else if (delta <= 0) {
                reset = true;
                p.restarts.incrementAndGet();
                sessionChanged = true;
                log.info("simmem {}: {} counter went from {} to {}: simulator restarted or new session", name,
                        p.layout.name(), p.lastCounter, copied);
            }
        }
        if (p.sessionFieldsChanged(bytes) && !p.first) sessionChanged = true;
        p.first = false;
        p.lastCounter = copied;
        p.lastChange = now;
        p.snapshots.incrementAndGet();
        p.snapshotMetric.increment();
        if (p.status != PageStatus.OK) p.setStatus(PageStatus.OK, "reading " + p.reader.location());
        boolean emit = true;
        if (p.emitPeriodNanos > 0) {
            emit = now - p.nextEmit >= 0;
            if (emit) {
                p.nextEmit += p.emitPeriodNanos;
                if (now - p.nextEmit >= 0) p.nextEmit = now + p.emitPeriodNanos;
            }
        }
        if (emit || p.laps != null) enqueue(p, new Snapshot(p, bytes, epochNanos, emit, reset));
    }

    private boolean take(Page p, long now, boolean emit, boolean reset) {
        byte[] bytes = new byte[p.layout.size()];
        if (!p.reader.snapshot(bytes)) {
            p.failedCopies.incrementAndGet();
            return false;
        }
        p.snapshots.incrementAndGet();
        p.snapshotMetric.increment();
        enqueue(p, new Snapshot(p, bytes, epochNanos(), emit, reset));
        return true;
    }

    private void checkReplaced(Page p, long now) {
        if (now - p.lastCheck > p.staleNanos) {
            p.lastCheck = now;
            if (!p.reader.isCurrent()) {
                p.reader.close();
                p.replaced = true;
                p.nextRetry = now;
                p.setStatus(PageStatus.WAITING, "page was closed; looking for it again");
            }
        }
    }

    private void enqueue(Page p, Snapshot s) {
        // lock-free: the reader must never wait for the decoder (a preempted lock holder would stall it)
        if (queued.get() >= config.queueCapacity()) {
            p.dropped.incrementAndGet();
            p.droppedMetric.increment();
            if (!p.dropping) {
                p.dropping = true;
                log.warn("simmem {}: store is slower than {}; dropping snapshots (counted in simmem.snapshots.dropped)",
                        name, p.layout.name());
            }
        } else {
            queue.offer(s);
            queued.incrementAndGet();
            p.dropping = false;
        }
    }

    private long epochNanos() {
        return Sample.toNanos(clock.instant());
    }

    private void reportHealth() {
        if (!healthDirty) return;
        healthDirty = false;
        StringBuilder detail = new StringBuilder();
        int ok = 0;
        boolean anyError = false;
        for (Page p : pages) {
            if (detail.length() > 0) detail.append("; ");
            detail.append(p.layout.name()).append(": ").append(p.statusDetail);
            if (p.status == PageStatus.OK || p.status == PageStatus.IDLE) ok++;
            if (p.status == PageStatus.ERROR) anyError = true;
        }
        HealthState state = ok == pages.size() && !anyError ? HealthState.CONNECTED
                : ok == 0 ? HealthState.DISCONNECTED : HealthState.DEGRADED;
        String key = state + detail.toString();
        if (!key.equals(lastHealth)) {
            lastHealth = key;
            context.health().report(state, detail.toString());
        }
    }

    // ---------------------------------------------------------------- decoder thread

    private void decodeLoop() {
        List<Snapshot> batch = new ArrayList<>(1024);
        while (running || !queue.isEmpty()) {
            try {
                if (!decodeQueued(batch)) LockSupport.parkNanos(DECODE_WAIT_NANOS);
            } catch (RuntimeException e) {
                batch.clear();
                log.warn("simmem {}: could not decode or hand over a batch; continuing", name, e);
            }
        }
    }

    /** Decodes and hands over up to 1024 queued snapshots; false when there were none. (Compiled early: see readOnce.) */
    private boolean decodeQueued(List<Snapshot> batch) {
        Snapshot s;
        while (batch.size() < 1024 && (s = queue.poll()) != null) {
            batch.add(s);
            queued.decrementAndGet();
        }
        if (batch.isEmpty()) return false;
        List<Sample> samples = new ArrayList<>();
        for (Snapshot snapshot : batch) decode(snapshot, samples);
        batch.clear();
        intake.publish(samples);
        return true;
    }

    private void decode(Snapshot s, List<Sample> out) {
        Page p = s.page;
        ByteBuffer le = ByteBuffer.wrap(s.bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (!p.layout.identityFields().isEmpty()) {
            String carField = p.layout.identityFields().get("car");
            String trackField = p.layout.identityFields().get("track");
            if (carField != null) car = stringField(p.layout, le, carField);
            if (trackField != null) track = stringField(p.layout, le, trackField);
        }
        if (s.emit) {
            p.emitted.incrementAndGet();
            if (p.config.shape() == SimMemConfig.Shape.RECORD) {
                Map<String, Value> fields = new LinkedHashMap<>();
                for (Field f : p.decoder.selected()) fields.put(f.name(), p.decoder.decode(le, f));
                out.add(new Sample(p.tagPrefix, new Value.StructValue(fields), io.sluice.spi.Quality.GOOD, 0,
                        s.timeNanos, s.timeNanos, null));
            } else {
                List<Field> selected = p.decoder.selected();
                for (int i = 0; i < selected.size(); i++) {
                    Field f = selected.get(i);
                    out.add(new Sample(p.tags[i], p.decoder.decode(le, f), io.sluice.spi.Quality.GOOD, 0,
                            s.timeNanos, s.timeNanos, f.unit()));
                }
            }
        }
        if (p.laps != null) {
            if (s.reset) p.laps.reset();
            Optional<Value> lap = p.laps.update(le, car, track);
            if (lap.isPresent()) {
                laps.incrementAndGet();
                out.add(Sample.good(config.lapTag(), lap.get(), s.timeNanos));
                log.info("simmem {}: lap {}", name, Value.render(lap.get()));
            }
        }
    }

    private static String stringField(Layout layout, ByteBuffer le, String field) {
        return layout.field(field).map(f -> PageDecoder.utf16OrUtf8(le, f)).orElse(null);
    }

    // ---------------------------------------------------------------- state

    private enum PageStatus { WAITING, OK, IDLE, ERROR }

    private record Snapshot(Page page, byte[] bytes, long timeNanos, boolean emit, boolean reset) {}

    private final class Page {
        final Layout layout;
        final PageConfig config;
        final PageDecoder decoder;
        final PageReader reader;
        final Field counterField;
        final LapTracker laps;
        final String tagPrefix;
        final String[] tags;
        final long intervalNanos;
        final long emitPeriodNanos;
        final long staleNanos;
        final List<Field> sessionFields;
        final AtomicLong snapshots = new AtomicLong();
        final AtomicLong emitted = new AtomicLong();
        final AtomicLong missed = new AtomicLong();
        final AtomicLong failedCopies = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong restarts = new AtomicLong();
        final Metrics.Counter snapshotMetric;
        final Metrics.Counter missedMetric;
        final Metrics.Counter droppedMetric;
        volatile PageStatus status = PageStatus.WAITING;
        volatile String statusDetail = "not looked for yet";
        byte[] sessionKey;
        boolean first = true;
        boolean everOpened;
        boolean replaced;
        boolean sessionDue;
        boolean dropping;
        volatile long lastCounter;
        long lastChange;
        long lastCheck;
        long nextRetry = System.nanoTime();
        long nextSample;
        long nextEmit;
        long reportedOverflow;
        long lastOverflowCheck;
        volatile boolean usedNative;

        Page(Layout layout, PageConfig config, PageDecoder decoder, Metrics metrics) {
            this.layout = layout;
            this.config = config;
            this.decoder = decoder;
            this.reader = new PageReader(layout, config.mappingName().orElse(layout.mappingName()),
                    Path.of(config.path().orElse(layout.path() == null ? "/dev/shm/" + layout.name() : layout.path())), 8);
            this.counterField = layout.counterField().orElse(null);
            this.laps = SimMemConnector.this.config.laps() && LapTracker.supports(layout) ? new LapTracker(layout) : null;
            this.tagPrefix = config.tagPrefix().orElse(layout.tagPrefix());
            List<Field> selected = decoder.selected();
            this.tags = new String[selected.size()];
            for (int i = 0; i < tags.length; i++) tags[i] = tagPrefix + "." + selected.get(i).name();
            this.intervalNanos = Math.max(1_000_000, config.interval().toNanos());
            this.emitPeriodNanos = config.maxRate() > 0 ? (long) (1e9 / config.maxRate()) : 0;
            this.staleNanos = SimMemConnector.this.config.staleAfter().toNanos();
            this.sessionFields = layout.sessionFields().stream().map(n -> layout.field(n).orElseThrow()).toList();
            this.snapshotMetric = metrics.counter("simmem.snapshots", "page", layout.name());
            this.missedMetric = metrics.counter("simmem.updates.missed", "page", layout.name());
            this.droppedMetric = metrics.counter("simmem.snapshots.dropped", "page", layout.name());
        }

        boolean sessionFieldsChanged(byte[] bytes) {
            if (sessionFields.isEmpty()) return false;
            int total = sessionFields.stream().mapToInt(Field::size).sum();
            byte[] key = new byte[total];
            int at = 0;
            for (Field f : sessionFields) {
                System.arraycopy(bytes, f.offset(), key, at, f.size());
                at += f.size();
            }
            boolean changed = sessionKey != null && !Arrays.equals(sessionKey, key);
            sessionKey = key;
            return changed;
        }

        void setStatus(PageStatus newStatus, String detail) {
            if (newStatus != status || !detail.equals(statusDetail)) {
                if (newStatus != status) {
                    if (newStatus == PageStatus.ERROR) log.warn("simmem {}: {}: {}", name, layout.name(), detail);
                    else log.info("simmem {}: {}: {}", name, layout.name(), detail);
                }
                status = newStatus;
                statusDetail = detail;
                healthDirty = true;
            }
        }

        PageStats stats() {
            long[] looks = reader.nativeLooks();
            return new PageStats(layout.name(), reader.isOpen(), usedNative, snapshots.get(), emitted.get(), missed.get(),
                    reader.retries(), failedCopies.get(), dropped.get(), restarts.get(), lastCounter, looks[0], looks[1],
                    reader.nativeThreads());
        }
    }
}
