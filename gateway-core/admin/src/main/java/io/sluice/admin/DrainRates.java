package io.sluice.admin;

import io.sluice.runtime.store.StreamStats;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Per stream, how fast its backlog is drained: every second {@link #sample} records the stream's slowest cursor
 * (the point every destination has passed) and its next sequence; the rates are taken over the last
 * {@value #WINDOW_SECONDS} seconds.
 *
 * @implNote Called from one thread (the admin's sampler); {@link #rate} may be called from any.
 */
final class DrainRates {

    static final int WINDOW_SECONDS = 10;

    /** One observation of one stream. */
    private record Point(long millis, long drained, long appended) {}

    /** Samples per second a stream is drained (slowest destination) and appended. */
    record Rate(double drainPerSecond, double appendPerSecond) {
        static final Rate NONE = new Rate(0, 0);
    }

    private final Map<String, Deque<Point>> history = new HashMap<>();
    private volatile Map<String, Rate> rates = Map.of();

    synchronized void sample(long nowMillis, Collection<StreamStats> streams) {
        Map<String, Rate> next = new HashMap<>();
        history.keySet().retainAll(streams.stream().map(StreamStats::name).toList());
        for (StreamStats s : streams) {
            Deque<Point> points = history.computeIfAbsent(s.name(), k -> new ArrayDeque<>());
            points.addLast(new Point(nowMillis, drained(s), s.nextSequence()));
            while (points.size() > WINDOW_SECONDS + 1) points.removeFirst();
            Point first = points.peekFirst();
            Point last = points.peekLast();
            double seconds = (last.millis - first.millis) / 1000.0;
            next.put(s.name(), seconds <= 0 ? Rate.NONE
                    : new Rate(Math.max(0, (last.drained - first.drained) / seconds), Math.max(0, (last.appended - first.appended) / seconds)));
        }
        rates = Map.copyOf(next);
    }

    Rate rate(String stream) {
        return rates.getOrDefault(stream, Rate.NONE);
    }

    /** The sequence every destination exporting the stream has passed (its next sequence when none exports it). */
    static long drained(StreamStats s) {
        long min = s.nextSequence();
        for (Long cursor : s.cursors().values()) min = Math.min(min, Math.max(cursor, s.firstSequence()));
        return min;
    }

    /** Samples not yet passed by every destination. */
    static long backlog(StreamStats s) {
        return s.nextSequence() - drained(s);
    }
}
