package io.sluice.runtime.operations;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.runtime.publish.DeadLetterNote;
import io.sluice.runtime.publish.DestinationState;
import io.sluice.runtime.store.ReadBatch;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.SqliteStreamStore.PurgeResult;
import io.sluice.runtime.store.StoredSample;
import io.sluice.runtime.store.StreamStats;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's operations on streams and destinations, the same against a running gateway ({@link
 * io.sluice.runtime.Gateway#operations()}) and against a stopped data directory ({@link OfflineDataDirectory}):
 * <ul>
 *   <li>{@link #purge}: deletes a stream's stored samples (all, or those received before a time);</li>
 *   <li>{@link #replay}: moves a destination's cursor back, so it is given the samples from there again;</li>
 *   <li>{@link #redrive}: moves a dead-letter stream's samples back to the streams they came from (without their
 *       reasons) and removes them from the dead-letter stream;</li>
 *   <li>{@link #test}: one probe call to a destination;</li>
 *   <li>{@link #pause} / {@link #resume}: a destination stops sending / sends again (kept across restarts).</li>
 * </ul>
 * Every operation logs one INFO line (who, what, how many) and counts {@code sluice.operations{operation,result}}
 * ({@code ok}, {@code problem} for a destination test that found one, {@code failed}); one that cannot be done throws
 * a {@link SluiceException} with one line for the operator (logged once at INFO, counted as failed).
 */
public final class StreamOperations {

    private static final Logger log = LoggerFactory.getLogger(StreamOperations.class);
    /** How long an operation waits for the store or a destination's worker. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int READ_CHUNK = 4096;

    /** What the operations need from the destinations: the publisher of a running gateway, or a stopped directory's. */
    public interface Destinations {
        /** Moves a destination's cursor (backwards for a replay); durable on return. */
        void moveCursor(String destination, String stream, long nextSequence, Duration timeout);

        /** Pauses or resumes; returns the state then (STOPPED when no gateway runs). */
        DestinationState pause(String destination, boolean paused, Duration timeout);

        /** One probe call; returns what it found, throws a {@link SluiceException} saying what is wrong. */
        String probe(String destination, Duration timeout);
    }

    private final SqliteStreamStore store;
    private final Destinations destinations;
    private final MeterRegistry registry;

    public StreamOperations(SqliteStreamStore store, Destinations destinations, MeterRegistry registry) {
        this.store = Objects.requireNonNull(store);
        this.destinations = Objects.requireNonNull(destinations);
        this.registry = Objects.requireNonNull(registry);
    }

    /**
     * Deletes a stream's stored samples: all of them, or (with {@code before}) the oldest whole blocks received before
     * that time (a block is one append's samples; one straddling the time stays). Sequences continue.
     */
    public OperationResult purge(String stream, Instant before, String actor) {
        return run("purge", stream, actor, () -> {
            requireStream(stream);
            long beforeNanos = before == null ? Long.MAX_VALUE : before.getEpochSecond() * 1_000_000_000L + before.getNano();
            PurgeResult r = Durations.await(store.purge(stream, Long.MAX_VALUE, beforeNanos), TIMEOUT);
            String scope = before == null ? "" : " received before " + before;
            String message = r.samples() == 0
                    ? "stream " + stream + ": nothing to purge" + scope
                    : String.format("stream %s: purged %,d samples%s (sequences %d to %d, %,d bytes)", stream, r.samples(), scope,
                            r.fromSequence(), r.toSequence() - 1, r.bytes());
            return new OperationResult("purge", stream, r.samples(), true, message);
        });
    }

    /**
     * Moves {@code destination}'s cursor of {@code stream} back to {@code from}: it is given the samples from there to
     * its cursor again, then carries on. {@code from} must still be stored and not be past the cursor.
     */
    public OperationResult replay(String stream, String destination, Position from, String actor) {
        return run("replay", stream, actor, () -> {
            requireStream(stream);
            StreamStats stats = store.stats(stream);
            if (!stats.cursors().containsKey(destination)) {
                throw new SluiceException("destination '" + destination + "' has no cursor on stream " + stream
                        + " (it is not exported there, or has never run)", false);
            }
            long cursor = store.cursor(stream, destination);
            long target = from.isSequence() ? from.sequence() : store.sequenceAt(stream, from.epochNanos());
            if (target > cursor) {
                throw new SluiceException("stream " + stream + ": " + from + (from.isSequence() ? "" : " (sequence " + target + ")") + " is past destination "
                        + destination + "'s cursor " + cursor + "; a replay moves a cursor back", false);
            }
            if (target < stats.firstSequence()) {
                throw new SluiceException("stream " + stream + ": sequence " + target + " is no longer stored (the oldest stored is "
                        + stats.firstSequence() + "); replay from there or later", false);
            }
            destinations.moveCursor(destination, stream, target, TIMEOUT);
            long samples = cursor - target;
            String message = samples == 0
                    ? "stream " + stream + ": destination " + destination + " is already at sequence " + target + "; nothing to replay"
                    : String.format("stream %s: destination %s moved back from sequence %d to %d; %,d samples (%d to %d) are delivered again",
                            stream, destination, cursor, target, samples, target, cursor - 1);
            return new OperationResult("replay", stream + " -> " + destination, samples, true, message);
        });
    }

    /**
     * Moves every sample of a dead-letter stream back to the stream its {@link DeadLetterNote} names, as a new sample
     * there without a note (so without its reason), and then removes the moved samples from the dead-letter stream.
     * It stops at a sample without a dead-letter note or whose origin stream is not configured; those stay. A crash
     * between the two steps leaves the samples in both streams (at least once).
     */
    public OperationResult redrive(String deadLetterStream, String actor) {
        return run("redrive", deadLetterStream, actor, () -> {
            requireStream(deadLetterStream);
            Map<String, Long> perOrigin = new TreeMap<>();
            long moved = 0;
            long movedUntil = store.stats(deadLetterStream).firstSequence();
            long end = store.nextSequence(deadLetterStream);
            String stoppedBecause = null;
            long seq = movedUntil;
            reading:
            while (seq < end) {
                ReadBatch batch = store.read(deadLetterStream, seq, READ_CHUNK);
                List<StoredSample> samples = batch.samples();
                if (batch.nextSequence() <= seq) break;
                int i = 0;
                while (i < samples.size()) {
                    StoredSample first = samples.get(i);
                    int j = i + 1;
                    while (j < samples.size() && Objects.equals(samples.get(j).note(), first.note())
                            && Objects.equals(samples.get(j).connector(), first.connector())
                            && samples.get(j).sequence() == samples.get(j - 1).sequence() + 1) {
                        j++;
                    }
                    Optional<DeadLetterNote> note = DeadLetterNote.parse(first.note());
                    if (note.isEmpty()) {
                        stoppedBecause = "sequence " + first.sequence() + " carries no dead-letter note";
                        break reading;
                    }
                    String origin = note.get().originStream();
                    if (!store.isConfigured(origin)) {
                        stoppedBecause = "origin stream " + origin + " of sequence " + first.sequence() + " is not configured";
                        break reading;
                    }
                    List<Sample> values = new ArrayList<>(j - i);
                    for (int k = i; k < j; k++) values.add(samples.get(k).sample());
                    try {
                        Durations.await(store.append(origin, first.connector(), values, null), TIMEOUT);
                    } catch (RuntimeException e) {
                        // what is already back in its origin leaves the dead-letter stream, so a second redrive does not repeat it
                        long removed = moved == 0 ? 0 : Durations.await(store.purge(deadLetterStream, movedUntil, Long.MAX_VALUE), TIMEOUT).samples();
                        throw new SluiceException(String.format("dead-letter stream %s: stopped after %,d samples moved back (%,d removed"
                                + " from it): stream %s refused the next %,d: %s", deadLetterStream, moved, removed, origin, values.size(),
                                e.getMessage()), e instanceof SluiceException se && se.retryable(), e);
                    }
                    moved += values.size();
                    perOrigin.merge(origin, (long) values.size(), Long::sum);
                    movedUntil = samples.get(j - 1).sequence() + 1;
                    i = j;
                }
                seq = batch.nextSequence();
            }
            long removed = moved == 0 ? 0 : Durations.await(store.purge(deadLetterStream, movedUntil, Long.MAX_VALUE), TIMEOUT).samples();
            StringBuilder message = new StringBuilder(String.format("dead-letter stream %s: %,d samples moved back", deadLetterStream, moved));
            if (!perOrigin.isEmpty()) {
                List<String> parts = new ArrayList<>();
                perOrigin.forEach((origin, n) -> parts.add(String.format("%s %,d", origin, n)));
                message.append(" (").append(String.join(", ", parts)).append(")");
            }
            message.append(String.format(", %,d removed from it", removed));
            long left = store.nextSequence(deadLetterStream) - store.stats(deadLetterStream).firstSequence();
            if (left > 0) {
                message.append(String.format("; %,d left", left)).append(stoppedBecause == null ? "" : " because " + stoppedBecause);
            }
            return new OperationResult("redrive", deadLetterStream, moved, true, message.toString());
        });
    }

    /** One probe call to a destination; a problem found is a result with {@code ok == false}, not a failure. */
    public OperationResult test(String destination, String actor) {
        return run("test", destination, actor, () -> {
            try {
                String found = destinations.probe(destination, TIMEOUT);
                return new OperationResult("test", destination, 0, true, "destination " + destination + ": OK, " + found);
            } catch (SluiceException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("no destination '")) throw e;
                return new OperationResult("test", destination, 0, false, "destination " + destination + ": FAILED, " + e.getMessage());
            }
        });
    }

    public OperationResult pause(String destination, String actor) {
        return run("pause", destination, actor, () -> {
            DestinationState state = destinations.pause(destination, true, TIMEOUT);
            String message = switch (state) {
                case PAUSED -> "destination " + destination + ": paused; its streams keep buffering until it is resumed";
                case STOPPED -> "destination " + destination + ": paused; it starts paused when the gateway starts";
                default -> "destination " + destination + ": pause requested; it is " + state.label()
                        + " now and pauses once it starts or its call in flight is answered";
            };
            return new OperationResult("pause", destination, 0, true, message);
        });
    }

    public OperationResult resume(String destination, String actor) {
        return run("resume", destination, actor, () -> {
            DestinationState state = destinations.pause(destination, false, TIMEOUT);
            String message = state == DestinationState.STOPPED
                    ? "destination " + destination + ": resumed; it sends when the gateway starts"
                    : "destination " + destination + ": resumed (" + state.label() + ")";
            return new OperationResult("resume", destination, 0, true, message);
        });
    }

    /** The operations of a running gateway: destinations through its publisher. */
    public static StreamOperations of(SqliteStreamStore store, io.sluice.runtime.publish.Publisher publisher, MeterRegistry registry) {
        return new StreamOperations(store, new Destinations() {
            @Override
            public void moveCursor(String destination, String stream, long nextSequence, Duration timeout) {
                publisher.moveCursor(destination, stream, nextSequence, timeout);
            }

            @Override
            public DestinationState pause(String destination, boolean paused, Duration timeout) {
                return publisher.pause(destination, paused, timeout);
            }

            @Override
            public String probe(String destination, Duration timeout) {
                return publisher.probe(destination, timeout);
            }
        }, registry);
    }

    private void requireStream(String stream) {
        if (!store.hasStream(stream)) throw new SluiceException("no stream '" + stream + "' in the store", false);
    }

    private OperationResult run(String operation, String target, String actor, Supplier<OperationResult> body) {
        try {
            OperationResult result = body.get();
            counter(operation, result.ok() ? "ok" : "problem").increment();
            log.info("{} by {}: {}", operation, actor, result.message());
            return result;
        } catch (RuntimeException e) {
            counter(operation, "failed").increment();
            if (e instanceof SluiceException) {
                // an operator's request that cannot be done: the operator is told; the log keeps the record
                log.info("{} of {} by {} not done: {}", operation, target, actor, e.getMessage());
            } else {
                log.warn("{} of {} by {} failed: {}", operation, target, actor, e.getMessage());
            }
            log.debug("{} failed", operation, e);
            throw e instanceof SluiceException ? e : new SluiceException(operation + " failed: " + e.getMessage(), false, e);
        }
    }

    private Counter counter(String operation, String result) {
        return Counter.builder("sluice.operations").description("Operator operations on streams and destinations")
                .tag("operation", operation).tag("result", result).register(registry);
    }
}
