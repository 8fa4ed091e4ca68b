package io.sluice.bench.soak;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every sample the destinations delivered, by stream and sequence number, and what follows from it: which
 * acknowledged samples a destination never got, which it got twice and in which gateway life, which sequence number
 * arrived with two different contents, and which counter values of the source never arrived at all.
 *
 * <p>The soak's source is the simulator's {@code counter} tags: within one gateway life each tag counts 0, 1, 2, ...
 * and a restart begins again at 0. So in stream order a tag's values rise by one, a drop back to 0 (or to any value
 * not above the one before) starts the next life, and a step of more than one is a sample the source produced that
 * never arrived anywhere.
 */
final class Ledger {

    /** Per stream, dense columns indexed by sequence number. */
    private static final class StreamColumns {
        int[][] deliveries;      // [destination][seq]: how often delivered
        int[][] firstLife;       // [destination][seq]: the gateway life of the first delivery
        int[] tag;               // tag index of the first delivery, -1 = none yet
        long[] value;
        long[] sourceNanos;
        int conflicts;           // deliveries whose content differs from an earlier one of the same seq
        int size;

        StreamColumns(int destinations) {
            deliveries = new int[destinations][1024];
            firstLife = new int[destinations][1024];
            tag = new int[1024];
            Arrays.fill(tag, -1);
            value = new long[1024];
            sourceNanos = new long[1024];
        }

        void ensure(long seq) {
            if (seq < tag.length) return;
            int n = tag.length;
            while (n <= seq) n *= 2;
            for (int d = 0; d < deliveries.length; d++) {
                deliveries[d] = Arrays.copyOf(deliveries[d], n);
                firstLife[d] = Arrays.copyOf(firstLife[d], n);
            }
            int old = tag.length;
            tag = Arrays.copyOf(tag, n);
            Arrays.fill(tag, old, n, -1);
            value = Arrays.copyOf(value, n);
            sourceNanos = Arrays.copyOf(sourceNanos, n);
        }
    }

    private final List<String> destinations;
    private final Map<String, StreamColumns> streams = new TreeMap<>();
    private final Map<String, Integer> tagIndex = new HashMap<>();
    private final List<String> tagNames = new ArrayList<>();
    /** [destination] -> life -> repeated deliveries in that life. */
    private final List<Map<Integer, Long>> repeatsByLife = new ArrayList<>();
    /** [destination] -> crash life -> samples delivered before that kill and again after it. */
    private final List<Map<Integer, Long>> repeatsAcrossCrash = new ArrayList<>();
    private final Set<Integer> crashLives;
    private final long[] delivered;

    /**
     * @param crashLives the gateway lives that began with a restart after a kill -9 (or an exit of the gateway's own)
     */
    Ledger(List<String> destinations, Set<Integer> crashLives) {
        this.destinations = List.copyOf(destinations);
        this.crashLives = Set.copyOf(crashLives);
        for (int i = 0; i < destinations.size(); i++) {
            repeatsByLife.add(new TreeMap<>());
            repeatsAcrossCrash.add(new TreeMap<>());
        }
        delivered = new long[destinations.size()];
    }

    /** One delivery of one sample to {@code destination} during gateway life {@code life}. */
    void record(String destination, int life, String stream, long seq, String tag, long value, long sourceNanos) {
        int d = destinations.indexOf(destination);
        if (d < 0) throw new IllegalArgumentException("unknown destination " + destination);
        if (seq < 0 || seq > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("sequence out of range: " + seq);
        StreamColumns c = streams.computeIfAbsent(stream, s -> new StreamColumns(destinations.size()));
        c.ensure(seq);
        int i = (int) seq;
        c.size = Math.max(c.size, i + 1);
        int t = tagIndex.computeIfAbsent(tag, k -> {
            tagNames.add(k);
            return tagNames.size() - 1;
        });
        delivered[d]++;
        if (++c.deliveries[d][i] == 1) {
            c.firstLife[d][i] = life;
        } else {
            repeatsByLife.get(d).merge(life, 1L, Long::sum);
            // delivered before the kill that ended the life before this one, and again after it
            if (crashLives.contains(life) && c.firstLife[d][i] == life - 1) repeatsAcrossCrash.get(d).merge(life, 1L, Long::sum);
        }
        if (c.tag[i] < 0) {
            c.tag[i] = t;
            c.value[i] = value;
            c.sourceNanos[i] = sourceNanos;
        } else if (c.tag[i] != t || c.value[i] != value || c.sourceNanos[i] != sourceNanos) {
            c.conflicts++;
        }
    }

    long delivered(String destination) {
        return delivered[destinations.indexOf(destination)];
    }

    /** Sequence numbers below {@code nextSequence} that {@code destination} never received. */
    long missing(String destination, String stream, long nextSequence) {
        StreamColumns c = streams.get(stream);
        if (c == null) return nextSequence;
        int d = destinations.indexOf(destination);
        long missing = 0;
        for (long s = 0; s < nextSequence; s++) {
            if (s >= c.size || c.deliveries[d][(int) s] == 0) missing++;
        }
        return missing;
    }

    /** Distinct samples delivered (anywhere) with a sequence number at or past {@code nextSequence}. */
    long pastEnd(String stream, long nextSequence) {
        StreamColumns c = streams.get(stream);
        if (c == null) return 0;
        long n = 0;
        for (long s = nextSequence; s < c.size; s++) if (c.tag[(int) s] >= 0) n++;
        return n;
    }

    /** Deliveries of a sequence number whose tag, value or source time differ from its first delivery. */
    long conflicts(String stream) {
        StreamColumns c = streams.get(stream);
        return c == null ? 0 : c.conflicts;
    }

    /**
     * The most samples one destination got both before one kill and again after it (the redelivery of one crash),
     * over destinations and kills.
     */
    long maxRepeatsAcrossOneCrash() {
        long max = 0;
        for (Map<Integer, Long> m : repeatsAcrossCrash) for (long v : m.values()) max = Math.max(max, v);
        return max;
    }

    /** Per crash life, the samples {@code destination} got before that kill and again after it. */
    Map<Integer, Long> repeatsAcrossCrash(String destination) {
        return repeatsAcrossCrash.get(destinations.indexOf(destination));
    }

    /** Repeated deliveries to {@code destination} by gateway life (lives without repeats left out). */
    Map<Integer, Long> repeatsByLife(String destination) {
        return repeatsByLife.get(destinations.indexOf(destination));
    }

    long repeats(String destination) {
        return repeatsByLife.get(destinations.indexOf(destination)).values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Counter values the source produced that arrived at no destination: per tag, in stream order, the steps of more
     * than one within a life plus the values a life's first delivered sample skipped from 0.
     */
    long sourceGaps(String stream) {
        StreamColumns c = streams.get(stream);
        if (c == null) return 0;
        Map<Integer, long[]> last = new HashMap<>(); // tag -> {previous value}
        long gaps = 0;
        for (int s = 0; s < c.size; s++) {
            int t = c.tag[s];
            if (t < 0) continue;
            long v = c.value[s];
            long[] prev = last.get(t);
            if (prev == null || v <= prev[0]) {
                gaps += v;                        // a new life: 0 .. v-1 never arrived
                last.put(t, new long[] {v});
            } else {
                gaps += v - prev[0] - 1;
                prev[0] = v;
            }
        }
        return gaps;
    }

    /** Gateway lives seen in the data of one stream: the most value resets of one tag, plus one. */
    long livesSeen(String stream) {
        StreamColumns c = streams.get(stream);
        if (c == null) return 0;
        Map<Integer, long[]> last = new HashMap<>(); // tag -> {previous value, lives}
        long max = 0;
        for (int s = 0; s < c.size; s++) {
            int t = c.tag[s];
            if (t < 0) continue;
            long[] prev = last.computeIfAbsent(t, k -> new long[] {Long.MAX_VALUE, 0});
            if (c.value[s] <= prev[0]) prev[1]++;
            prev[0] = c.value[s];
            max = Math.max(max, prev[1]);
        }
        return max;
    }
}
