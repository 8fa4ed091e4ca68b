package io.sluice.support;

import io.sluice.spi.Sample;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.SampleSink;
import io.sluice.spi.metrics.Metrics;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;

/**
 * How a connector hands samples to its {@link SampleSink}: it counts what it hands over and what the store refuses
 * (full under reject-new, disk full, closed), and logs a refusal once per episode instead of once per batch:
 *
 * <pre>
 *   ACCEPTING ──a batch refused: one WARN with the reason──► REFUSING
 *       ▲                                                       │ more refusals: counted, DEBUG only
 *       └──────a batch committed: one INFO "after N refused"────┘
 * </pre>
 *
 * Counters, tagged with the connector instance by the runtime: {@code <type>.samples.emitted} (handed to the store)
 * and {@code <type>.samples.refused} (refused or failed). Thread-safe; completions may arrive on any thread.
 */
public final class SampleIntake {

    /** Whether the store takes this connector's samples; the current episode. */
    public enum State { ACCEPTING, REFUSING }

    private final String label;
    private final SampleSink sink;
    private final Logger log;
    private final Metrics.Counter emittedSamples;
    private final Metrics.Counter refusedSamples;
    private final String refusedCounter;
    private State state = State.ACCEPTING;
    private long refusedInEpisode;

    /** The intake of a running connector: its sink, metrics and logger, log lines start with "{@code type name}: ". */
    public static SampleIntake of(String type, ConnectorContext context) {
        return new SampleIntake(type, context.name(), context.sink(), context.metrics(), context.logger());
    }

    public SampleIntake(String type, String name, SampleSink sink, Metrics metrics, Logger log) {
        this.label = type + " " + name;
        this.sink = sink;
        this.log = log;
        this.emittedSamples = metrics.counter(type + ".samples.emitted");
        this.refusedCounter = type + ".samples.refused";
        this.refusedSamples = metrics.counter(refusedCounter);
    }

    /**
     * Hands {@code samples} to the store. Never throws: the returned future completes once they are committed, or
     * exceptionally when they were refused (already counted and logged; a caller that must not acknowledge its source
     * looks at it, others may ignore it).
     */
    public CompletableFuture<Void> publish(List<Sample> samples) {
        if (samples.isEmpty()) return CompletableFuture.completedFuture(null);
        int n = samples.size();
        emittedSamples.increment(n);
        CompletableFuture<Void> commit;
        try {
            commit = sink.publish(samples);
        } catch (RuntimeException e) {
            refused(n, e);
            return CompletableFuture.failedFuture(e);
        }
        return commit.whenComplete((ok, failure) -> {
            if (failure == null) {
                accepted();
            } else {
                refused(n, failure);
            }
        });
    }

    public synchronized State state() {
        return state;
    }

    /** Logs under the lock, so an episode's end never appears before its start. */
    private synchronized void accepted() {
        if (state == State.ACCEPTING) return;
        log.info("{}: the store accepts samples again after {} refused", label, refusedInEpisode);
        state = State.ACCEPTING;
        refusedInEpisode = 0;
    }

    private synchronized void refused(int n, Throwable failure) {
        refusedSamples.increment(n);
        refusedInEpisode += n;
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (state == State.ACCEPTING) {
            state = State.REFUSING;
            log.warn("{}: the store refuses samples: {}; counting them in {} until it accepts again", label,
                    cause.getMessage(), refusedCounter);
        }
        log.debug("{}: {} samples refused", label, n, cause);
    }
}
