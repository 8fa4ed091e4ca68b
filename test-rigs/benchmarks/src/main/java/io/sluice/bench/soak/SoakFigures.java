package io.sluice.bench.soak;

import java.util.List;
import java.util.Map;

/**
 * The soak's verdict, one figure per promise (each defined in docs/RELIABILITY.md), printed as the one summary
 * line {@code kills=.. lost=.. max_dup_per_crash=.. broken_lines=.. integrity=.. full_recovered=..
 * refused_but_stored=.. silent_drops=..}.
 */
record SoakFigures(int kills, long lost, long maxDupPerCrash, long brokenLines, String integrity, String fullRecovered,
                   long refusedButStored, long silentDrops) {

    /** The disk-full phase's outcome. */
    enum Recovery { YES, NO, SKIPPED }

    /**
     * @param store            the store after the last, clean stop
     * @param ledger           every delivery, both destinations
     * @param destinations     destination names
     * @param connectorRefused per stream, the refusals the connectors feeding it reported (status.json, last value of
     *                         each gateway life, summed)
     */
    static SoakFigures compute(int kills, StoreCheck.Result store, Ledger ledger, List<String> destinations,
                               long brokenLines, Recovery recovery, Map<String, Long> connectorRefused,
                               Report report) {
        long lost = 0, pastEnd = 0, silent = 0;
        for (StoreCheck.StreamRow s : store.streams().values()) {
            long evicted = s.droppedTtl() + s.droppedFull();
            for (String d : destinations) {
                long missing = ledger.missing(d, s.name(), s.nextSequence());
                long unaccounted = Math.max(0, missing - evicted);
                if (s.nextSequence() > 0 || missing > 0) report.line("%s -> %s: %,d acknowledged (next_seq), %,d missing, %,d evicted by counters, %,d lost",
                        s.name(), d, s.nextSequence(), missing, evicted, unaccounted);
                lost += unaccounted;
            }
            long refusedCounted = Math.max(s.rejected(), connectorRefused.getOrDefault(s.name(), 0L));
            long gaps = ledger.sourceGaps(s.name());
            long unexplained = Math.max(0, gaps - evicted - refusedCounted);
            if (s.nextSequence() > 0) report.line("%s: source counter gaps %,d; counted: evicted %,d, refused %,d (store rejected %,d, connectors %,d);"
                            + " silent %,d; lives seen in the data %d", s.name(), gaps, evicted, refusedCounted, s.rejected(),
                    connectorRefused.getOrDefault(s.name(), 0L), unexplained, ledger.livesSeen(s.name()));
            silent += unexplained;
            long delivered = ledger.pastEnd(s.name(), s.nextSequence());
            long conflicts = ledger.conflicts(s.name());
            if (s.nextSequence() > 0 || s.samplesPastEnd() + delivered + conflicts > 0) report.line("%s: stored past next_seq %,d, delivered past next_seq %,d, sequence numbers delivered with two contents %,d",
                    s.name(), s.samplesPastEnd(), delivered, conflicts);
            pastEnd += s.samplesPastEnd() + delivered + conflicts;
        }
        for (String d : destinations) {
            report.line("%s: %,d samples delivered, %,d of them repeats; repeats by gateway life %s, of them across the kill "
                    + "before that life %s", d, ledger.delivered(d), ledger.repeats(d), ledger.repeatsByLife(d),
                    ledger.repeatsAcrossCrash(d));
        }
        return new SoakFigures(kills, lost, ledger.maxRepeatsAcrossOneCrash(), brokenLines, store.integrity(),
                recovery.name().toLowerCase(), pastEnd, silent);
    }

    boolean passed() {
        return lost == 0 && brokenLines == 0 && integrity.equals("ok") && !fullRecovered.equals("no")
                && refusedButStored == 0 && silentDrops == 0;
    }

    String line() {
        return "kills=" + kills + " lost=" + lost + " max_dup_per_crash=" + maxDupPerCrash + " broken_lines=" + brokenLines
                + " integrity=" + (integrity.equals("ok") ? "ok" : "failed") + " full_recovered=" + fullRecovered
                + " refused_but_stored=" + refusedButStored + " silent_drops=" + silentDrops;
    }

    /** Progress lines with the time since the start. */
    static final class Report {
        private final long t0 = System.nanoTime();

        void line(String format, Object... args) {
            System.out.printf("[%6.1fs] %s%n", (System.nanoTime() - t0) / 1e9, String.format(format, args));
            System.out.flush();
        }
    }
}
