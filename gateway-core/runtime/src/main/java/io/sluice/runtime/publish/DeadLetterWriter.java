package io.sluice.runtime.publish;

import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.spi.Durations;
import io.sluice.spi.EpisodeLog;
import io.sluice.spi.Sample;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.Rejection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the samples a destination rejected to its dead-letter stream: one append per run of consecutive origin
 * sequences of one stream and connector (at most {@link #MAX_RUN} samples), its note a {@link DeadLetterNote} naming
 * the origin stream, first and last sequence and the reason. When the destination has a {@code fallback}, the samples
 * it refused for their age ({@link Rejection.Kind#AGE}) go the same way to its fallback stream instead, which is
 * exported to the fallback destination.
 */
final class DeadLetterWriter {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterWriter.class);
    /**
     * Most samples in one append: below the store's block size, so each append is one block and a sample's place in
     * its block is its place in the run its note describes.
     */
    static final int MAX_RUN = 1024;

    private final String destination;
    private final String stream;
    private final Optional<String> fallbackStream;
    private final SqliteStreamStore store;
    private final DestinationCounters counters;
    /** Dead letters come in runs (a tag sending invalid values); the counters by reason hold every one of them. */
    private final EpisodeLog movedLog = new EpisodeLog(log, Duration.ofMinutes(1));
    /** Age rejections come in episodes too (a backlog replayed after a week offline). */
    private final EpisodeLog reroutedLog = new EpisodeLog(log, Duration.ofMinutes(1));

    /** A writer for a destination without a fallback: every rejection goes to the dead-letter stream. */
    DeadLetterWriter(String destination, String stream, SqliteStreamStore store, DestinationCounters counters) {
        this(destination, stream, Optional.empty(), store, counters);
    }

    DeadLetterWriter(String destination, String stream, Optional<String> fallbackStream, SqliteStreamStore store,
                     DestinationCounters counters) {
        this.destination = destination;
        this.stream = stream;
        this.fallbackStream = fallbackStream;
        this.store = store;
        this.counters = counters;
    }

    /**
     * Appends the samples of each reason, durable on return; throws {@link io.sluice.spi.SluiceException} when the
     * store refused an append (the runs before it stay written).
     */
    void append(Map<String, List<OutboundSample>> byReason, Duration timeout) {
        for (Map.Entry<String, List<OutboundSample>> e : byReason.entrySet()) {
            List<OutboundSample> samples = appendRuns(stream, e.getKey(), e.getValue(), timeout);
            counters.deadLettered.addAndGet(samples.size());
            counters.deadLetteredByReason.computeIfAbsent(DeliveryHealth.reasonKey(e.getKey()), k -> new AtomicLong())
                    .addAndGet(samples.size());
            movedLog.warn("destination " + destination + ": " + samples.size() + " samples moved to dead-letter stream "
                    + stream + ": " + e.getKey());
        }
    }

    /**
     * Appends the age rejections to the fallback stream when the destination has one, durable on return, and returns
     * the rejections left for the dead-letter stream (all of them without a fallback). Throws
     * {@link io.sluice.spi.SluiceException} when the store refused an append.
     */
    List<Rejection> reroute(List<Rejection> rejections, Duration timeout) {
        if (fallbackStream.isEmpty()) return rejections;
        Map<String, List<OutboundSample>> aged = new LinkedHashMap<>();
        List<Rejection> rest = new ArrayList<>();
        for (Rejection r : rejections) {
            if (r.kind() == Rejection.Kind.AGE) aged.computeIfAbsent(r.reason(), k -> new ArrayList<>()).add(r.sample());
            else rest.add(r);
        }
        for (Map.Entry<String, List<OutboundSample>> e : aged.entrySet()) {
            List<OutboundSample> samples = appendRuns(fallbackStream.get(), e.getKey(), e.getValue(), timeout);
            counters.rerouted(DeliveryHealth.reasonKey(e.getKey()), samples.size());
            reroutedLog.warn("destination " + destination + ": " + samples.size() + " samples rerouted to fallback stream "
                    + fallbackStream.get() + ": " + e.getKey());
        }
        return rest;
    }

    /** Appends samples of one reason to {@code target}, one append per run; returns them sorted. */
    private List<OutboundSample> appendRuns(String target, String reason, List<OutboundSample> rejected, Duration timeout) {
        List<OutboundSample> samples = new ArrayList<>(rejected);
        samples.sort(Comparator.comparing(OutboundSample::stream).thenComparingLong(OutboundSample::sequence));
        int from = 0;
        while (from < samples.size()) {
            int to = runEnd(samples, from);
            List<OutboundSample> run = samples.subList(from, to);
            OutboundSample first = run.get(0);
            String note = new DeadLetterNote(first.stream(), first.sequence(), run.get(run.size() - 1).sequence(),
                    destination, reason).format();
            List<Sample> values = run.stream().map(OutboundSample::sample).toList();
            Durations.await(store.append(target, first.connector(), values, note), timeout);
            from = to;
        }
        return samples;
    }

    /** End (exclusive) of the run starting at {@code from}: same stream and connector, consecutive sequences. */
    private static int runEnd(List<OutboundSample> samples, int from) {
        OutboundSample first = samples.get(from);
        int to = from + 1;
        while (to < samples.size() && to - from < MAX_RUN) {
            OutboundSample s = samples.get(to);
            if (!s.stream().equals(first.stream()) || s.sequence() != samples.get(to - 1).sequence() + 1
                    || !Objects.equals(s.connector(), first.connector())) {
                break;
            }
            to++;
        }
        return to;
    }
}
