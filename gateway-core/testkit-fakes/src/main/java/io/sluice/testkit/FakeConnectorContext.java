package io.sluice.testkit;

import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.Health;
import io.sluice.spi.connector.HealthState;
import io.sluice.spi.connector.SampleSink;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.EventRecordingLogger;
import org.slf4j.event.Level;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.SubstituteLogger;

/**
 * A {@link ConnectorContext} for tests that run a connector without the gateway. Its sink keeps every batch it
 * accepts, in order, and completes the future at once (the store's "committed"); told to
 * {@link #refuseAppends refuse}, it completes the futures exceptionally and keeps nothing, as a full store does.
 * Health reports and metrics ({@link FakeMetrics}) are kept for the test to read. The scheduler is the context's
 * own (two threads, stopped by {@link #close}) unless the test hands one in.
 *
 * <p>Waiting: {@link #awaitSamples}, {@link #awaitHealth} and {@link FakeMetrics#awaitCounter} block on a monitor
 * that every append or report wakes, up to a deadline, and fail with what was seen instead.
 */
public final class FakeConnectorContext implements ConnectorContext, AutoCloseable {

    /** One {@link Health#report} call. */
    public record HealthReport(HealthState state, String detail, long atNanos) {
        @Override
        public String toString() {
            return state + ": " + detail;
        }
    }

    private final String name;
    private final Path stateDirectory;
    private final FakeMetrics metrics = new FakeMetrics();
    private final List<Sample> samples = new ArrayList<>();
    private final List<HealthReport> healthReports = new CopyOnWriteArrayList<>();
    private final AtomicLong refusedBatches = new AtomicLong();
    private final Object changed = new Object();
    private final boolean ownsScheduler;
    private final ScheduledExecutorService scheduler;
    private volatile Clock clock = Clock.systemUTC();
    private volatile HealthState state = HealthState.STARTING;
    private volatile Consumer<List<Sample>> beforeAppend = batch -> { };
    private volatile SluiceException refusal;
    private volatile boolean keepSamples = true;
    private final ConcurrentLinkedQueue<SubstituteLoggingEvent> logEvents = new ConcurrentLinkedQueue<>();
    private volatile Logger logger;
    private long accepted;

    /** A context for the connector instance {@code name}, keeping state in {@code stateDirectory}. */
    public FakeConnectorContext(String name, Path stateDirectory) {
        this(name, stateDirectory, null);
    }

    /** As above, with the test's scheduler (not shut down by {@link #close}); null means the context's own. */
    public FakeConnectorContext(String name, Path stateDirectory, ScheduledExecutorService scheduler) {
        this.name = Objects.requireNonNull(name, "name");
        this.stateDirectory = Objects.requireNonNull(stateDirectory, "stateDirectory");
        this.ownsScheduler = scheduler == null;
        this.scheduler = scheduler == null ? Executors.newScheduledThreadPool(2) : scheduler;
    }

    /** Uses {@code clock} (e.g. a {@link MovableClock}) instead of the system's UTC clock. */
    public FakeConnectorContext withClock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * With {@code false}, accepted samples are counted ({@link #sampleCount}, {@link #awaitSamples}) but not kept, for
     * benchmarks that push millions; {@link #samples} then stays empty.
     */
    public FakeConnectorContext keepSamples(boolean keep) {
        this.keepSamples = keep;
        return this;
    }

    /**
     * The connector's {@link #logger} records its lines for {@link #logLines} and {@link #logged} instead of printing
     * them, so a test can count what an episode logs.
     */
    public FakeConnectorContext recordLogs() {
        this.logger = new EventRecordingLogger(new SubstituteLogger("test." + name, logEvents, false), logEvents);
        return this;
    }

    // --- the SPI ---

    @Override public String name() { return name; }

    @Override public SampleSink sink() { return this::append; }

    @Override public Clock clock() { return clock; }

    @Override public ScheduledExecutorService scheduler() { return scheduler; }

    @Override public FakeMetrics metrics() { return metrics; }

    @Override public Logger logger() { return logger != null ? logger : LoggerFactory.getLogger("test." + name); }

    @Override public Path stateDirectory() { return stateDirectory; }

    @Override
    public Health health() {
        return new Health() {
            @Override
            public void report(HealthState s, String detail) {
                state = s;
                healthReports.add(new HealthReport(s, detail, System.nanoTime()));
                signal();
            }

            @Override
            public HealthState state() {
                return state;
            }
        };
    }

    private CompletableFuture<Void> append(List<Sample> batch) {
        beforeAppend.accept(batch);
        SluiceException refused = refusal;
        if (refused != null) {
            refusedBatches.incrementAndGet();
            signal();
            return CompletableFuture.failedFuture(refused);
        }
        synchronized (changed) {
            accepted += batch.size();
            if (keepSamples) samples.addAll(batch);
            changed.notifyAll();
        }
        return CompletableFuture.completedFuture(null);
    }

    private void signal() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    // --- steering the sink ---

    /**
     * From now on every publish completes exceptionally with {@code reason} and keeps nothing (a full store under
     * reject-new, a disk-full error), until {@link #acceptAppends()}.
     */
    public void refuseAppends(SluiceException reason) {
        refusal = Objects.requireNonNull(reason, "reason");
    }

    /** {@link #refuseAppends(SluiceException)} with a retryable "store full" error. */
    public void refuseAppends() {
        refuseAppends(SluiceException.retryable("stream full (refused by the test)", null));
    }

    /** Publishing succeeds again. */
    public void acceptAppends() {
        refusal = null;
    }

    /** How many batches were refused so far. */
    public long refusedBatches() {
        return refusedBatches.get();
    }

    /**
     * Runs before each batch is taken, on the connector's publishing thread: a test can stall the "store" here (to
     * see back-pressure), check or collect each batch as it comes, or throw to make {@code publish} itself fail.
     */
    public FakeConnectorContext beforeAppend(Consumer<List<Sample>> hook) {
        this.beforeAppend = Objects.requireNonNull(hook, "hook");
        return this;
    }

    // --- reading back ---

    /** Every sample accepted so far, in the order of publishing. */
    public List<Sample> samples() {
        synchronized (changed) {
            return List.copyOf(samples);
        }
    }

    /** How many samples were accepted so far (kept or not). */
    public int sampleCount() {
        synchronized (changed) {
            return Math.toIntExact(accepted);
        }
    }

    /** The accepted samples of one tag, in order. */
    public List<Sample> samplesOf(String tag) {
        return samples().stream().filter(s -> s.tag().equals(tag)).toList();
    }

    /** Forgets the samples accepted so far. */
    public void clearSamples() {
        synchronized (changed) {
            samples.clear();
            accepted = 0;
        }
    }

    public HealthState healthState() { return state; }

    /** Every health report so far, oldest first. */
    public List<HealthReport> healthReports() { return List.copyOf(healthReports); }

    /** Every health report so far as {@code STATE: detail}, oldest first. */
    public List<String> healthLog() {
        return healthReports.stream().map(HealthReport::toString).toList();
    }

    /** The last health report; null before the first. */
    public HealthReport lastHealthReport() {
        List<HealthReport> all = healthReports();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** The detail of the last health report; empty before the first. */
    public String healthDetail() {
        List<HealthReport> all = healthReports();
        return all.isEmpty() ? "" : all.get(all.size() - 1).detail();
    }

    /** The counter called {@code name} (all tags added up). */
    public long counter(String name) {
        return metrics.count(name);
    }

    /** What the connector logged since {@link #recordLogs}, each as {@code LEVEL message}. */
    public List<String> logLines() {
        return logEvents.stream()
                .map(e -> e.getLevel() + " " + MessageFormatter.basicArrayFormat(e.getMessage(), e.getArgumentArray()))
                .toList();
    }

    /** How many recorded lines at {@code level} contain {@code text}. */
    public long logged(Level level, String text) {
        return logLines().stream().filter(l -> l.startsWith(level + " ") && l.contains(text)).count();
    }

    // --- waiting ---

    /**
     * Waits until at least {@code n} samples were accepted and returns all of them; fails after {@code timeout} with
     * how many came and the last health report.
     */
    public List<Sample> awaitSamples(int n, Duration timeout) throws InterruptedException {
        return awaitSamples("samples", n, timeout, null);
    }

    /** Waits until at least {@code n} samples of {@code tag} were accepted and returns those. */
    public List<Sample> awaitSamplesOf(String tag, int n, Duration timeout) throws InterruptedException {
        return awaitSamples("samples of " + tag, n, timeout, s -> s.tag().equals(tag));
    }

    private List<Sample> awaitSamples(String what, int n, Duration timeout, Predicate<Sample> which) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (true) {
                List<Sample> matching = which == null ? List.copyOf(samples) : samples.stream().filter(which).toList();
                long have = which == null ? accepted : matching.size();
                if (have >= n) return matching;
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("connector " + name + ": " + have + " of " + n + " " + what + " within "
                            + timeout + " (" + accepted + " samples in all, " + refusedBatches.get()
                            + " batches refused; health " + state + " '" + healthDetail() + "')");
                }
                Waits.waitOn(changed, left);
            }
        }
    }

    /** Waits until the connector reports {@code wanted}; fails after {@code timeout} with every report seen. */
    public void awaitHealth(HealthState wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (state != wanted) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("connector " + name + " did not report " + wanted + " within " + timeout
                            + "; reports: " + healthReports);
                }
                Waits.waitOn(changed, left);
            }
        }
    }

    /** Stops the context's own scheduler (not one the test handed in). */
    @Override
    public void close() {
        if (ownsScheduler) scheduler.shutdownNow();
    }
}
