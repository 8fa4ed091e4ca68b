package io.sluice.runtime.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StreamStats;
import java.util.function.ToDoubleFunction;

/**
 * Per-stream meters, tagged {@code stream}: what is stored, what no destination has had yet and how old it is, and
 * every kind of drop. A stream already registered (a reload keeps its streams) is skipped, since Micrometer warns about
 * a gauge registered twice; a stream removed by a reconfiguration reads as NaN.
 *
 * <pre>
 *   sluice.stream.stored.samples       gauge    samples held
 *   sluice.stream.stored.bytes         gauge    encoded bytes held
 *   sluice.stream.backlog              gauge    samples not yet passed by every destination exporting it
 *   sluice.stream.oldest.age           gauge    seconds since the oldest of those was received (0 without backlog)
 *   sluice.stream.appended             counter  sequence numbers handed out (samples appended)
 *   sluice.stream.dropped{reason}      counter  ttl, full (drop-oldest), rejected (reject-new), corrupt
 * </pre>
 */
public final class StreamMeters {

    private StreamMeters() {}

    public static void register(MeterRegistry registry, SqliteStreamStore store, String stream) {
        Tags tags = Tags.of("stream", stream);
        if (registry.find("sluice.stream.stored.samples").tags(tags).gauge() != null) return;
        gauge(registry, "sluice.stream.stored.samples", store, stream, tags, null, StreamStats::storedSamples);
        gauge(registry, "sluice.stream.stored.bytes", store, stream, tags, "bytes", StreamStats::storedBytes);
        gauge(registry, "sluice.stream.backlog", store, stream, tags, null, s -> s.nextSequence() - drained(s));
        Gauge.builder("sluice.stream.oldest.age", store, st -> {
            StreamStats s = st.stats(stream);
            if (s == null) return Double.NaN;
            long drained = drained(s);
            if (drained >= s.nextSequence()) return 0;
            long rx = st.receiveTimeAt(stream, drained);
            return rx <= 0 ? 0 : Math.max(0, (System.currentTimeMillis() - rx / 1_000_000) / 1000.0);
        }).tags(tags).baseUnit("seconds").register(registry);
        counter(registry, "sluice.stream.appended", store, stream, tags, StreamStats::nextSequence);
        counter(registry, "sluice.stream.dropped", store, stream, tags.and("reason", "ttl"), StreamStats::droppedTtl);
        counter(registry, "sluice.stream.dropped", store, stream, tags.and("reason", "full"), StreamStats::droppedFull);
        counter(registry, "sluice.stream.dropped", store, stream, tags.and("reason", "rejected"), StreamStats::rejected);
        counter(registry, "sluice.stream.dropped", store, stream, tags.and("reason", "corrupt"), StreamStats::corrupt);
    }

    /** The sequence every destination with a cursor on the stream has passed. */
    static long drained(StreamStats s) {
        long min = s.nextSequence();
        for (Long cursor : s.cursors().values()) min = Math.min(min, Math.max(cursor, s.firstSequence()));
        return min;
    }

    private static void gauge(MeterRegistry registry, String name, SqliteStreamStore store, String stream, Tags tags, String unit,
                              ToDoubleFunction<StreamStats> value) {
        Gauge.builder(name, store, st -> {
            StreamStats s = st.stats(stream);
            return s == null ? Double.NaN : value.applyAsDouble(s);
        }).tags(tags).baseUnit(unit).register(registry);
    }

    private static void counter(MeterRegistry registry, String name, SqliteStreamStore store, String stream, Tags tags,
                                ToDoubleFunction<StreamStats> value) {
        FunctionCounter.builder(name, store, st -> {
            StreamStats s = st.stats(stream);
            return s == null ? 0 : value.applyAsDouble(s);
        }).tags(tags).register(registry);
    }
}
