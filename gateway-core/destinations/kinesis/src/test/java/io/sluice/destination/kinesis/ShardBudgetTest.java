package io.sluice.destination.kinesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

/** The per-shard budget on a fake clock: reservations, not the network, decide when a chunk goes. */
@Timeout(10)
class ShardBudgetTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long MIB = 1024 * 1024;
    private static final long WINDOW = KinesisDestination.BUDGET_WINDOW.toNanos();

    private final AtomicLong clock = new AtomicLong(5 * SECOND);
    private final List<String> warnings = new ArrayList<>();
    private final List<String> infos = new ArrayList<>();
    private final Logger log = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
            (proxy, method, args) -> {
                if ((method.getName().equals("warn") || method.getName().equals("info")) && args != null
                        && args[0] instanceof String format) {
                    Object[] rest = args.length == 2 && args[1] instanceof Object[] a ? a
                            : java.util.Arrays.copyOfRange(args, 1, args.length);
                    String line = MessageFormatter.arrayFormat(format, rest).getMessage();
                    (method.getName().equals("warn") ? warnings : infos).add(line);
                }
                return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
            });

    private ShardBudget budget() {
        return new ShardBudget("s", MIB, 1000, WINDOW, 0.5, 10, clock::get, log);
    }

    /** What one shard got at which time. */
    private record Sent(long at, String shard, long bytes, long records) {}

    /**
     * Sends items (key, bytes) the way the destination does: cut into chunks, each sent when its reservation says and
     * answered {@code latencyNanos} later. The service stamps records anywhere between send and answer: here every
     * other chunk at its send time, the others at its answer, the worst case for the window between them.
     */
    private List<Sent> drain(ShardBudget budget, List<ShardBudget.Need> items, long latencyNanos) {
        List<Sent> sent = new ArrayList<>();
        int chunks = 0;
        for (List<ShardBudget.Need> call : partition(items, 500)) {
            for (List<ShardBudget.Need> chunk : ShardBudget.chunks(call, ShardBudget.Need::shard, ShardBudget.Need::bytes, MIB, 1000)) {
                ShardBudget.Reservation r = budget.reserve(chunk);
                clock.set(Math.max(clock.get(), r.atNanos()));
                long stamp = clock.get() + (chunks++ % 2 == 0 ? latencyNanos : 0);
                for (ShardBudget.Need n : chunk) sent.add(new Sent(stamp, n.shard(), n.bytes(), n.records()));
                clock.addAndGet(latencyNanos);
                budget.answered(r);
            }
        }
        return sent;
    }

    private static <T> List<List<T>> partition(List<T> items, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i += size) out.add(items.subList(i, Math.min(items.size(), i + size)));
        return out;
    }

    /** The most bytes and records any shard got within any one second (windows starting at each send). */
    private static long[] worstSecond(List<Sent> sent, String shard) {
        long worstBytes = 0;
        long worstRecords = 0;
        for (Sent from : sent) {
            if (!from.shard().equals(shard)) continue;
            long bytes = 0;
            long records = 0;
            for (Sent s : sent) {
                if (s.shard().equals(shard) && s.at() >= from.at() && s.at() < from.at() + SECOND) {
                    bytes += s.bytes();
                    records += s.records();
                }
            }
            worstBytes = Math.max(worstBytes, bytes);
            worstRecords = Math.max(worstRecords, records);
        }
        return new long[] {worstBytes, worstRecords};
    }

    @Test
    void aBacklogAfterAMinuteOfOutageDrainsAtOneShardsQuotaAndNoFaster() {
        ShardBudget budget = budget();
        send(budget, List.of(new ShardBudget.Need("shard-0", "k", 1000, 1)));
        clock.addAndGet(60 * SECOND); // the outage: a minute without sending must not turn into a burst
        List<ShardBudget.Need> backlog = new ArrayList<>();
        long totalBytes = 0;
        for (int i = 0; i < 6000; i++) {
            long bytes = i % 3 == 0 ? 4000 : 900;  // records of mixed size: both limits bind in turn
            backlog.add(new ShardBudget.Need("shard-0", "k" + (i % 40), bytes, 1));
            totalBytes += bytes;
        }
        long start = clock.get();
        List<Sent> sent = drain(budget, backlog, 300_000_000L);  // a slow service: 300 ms per call
        long[] worst = worstSecond(sent, "shard-0");
        assertTrue(worst[0] <= MIB, "at most 1 MiB in any second, got " + worst[0]);
        assertTrue(worst[1] <= 1000, "at most 1,000 records in any second, got " + worst[1]);
        // and not slower than the quota allows (window 1.05 s): the budget paces, it does not starve
        long took = clock.get() - start;
        double floor = Math.max(totalBytes / (double) MIB, 6000 / 1000.0);
        assertTrue(took <= (floor + 2) * (WINDOW + 300_000_000L), "drained in " + took / 1e9 + " s, quota allows ~" + floor + " s");
        assertTrue(took >= (floor - 1.5) * SECOND, "drained in " + took / 1e9 + " s, faster than the quota");
        assertTrue(budget.heldBackRecords() > 0);
    }

    @Test
    void aCallLargerThanOneShardsQuotaIsCutIntoChunks() {
        List<ShardBudget.Need> call = new ArrayList<>();
        for (int i = 0; i < 500; i++) call.add(new ShardBudget.Need(i % 2 == 0 ? "a" : "b", "k" + i, 10_000, 1));
        // 250 records x 10 kB per shard = 2.5 MB each: three chunks (1 MiB holds 104 such records per shard)
        List<List<ShardBudget.Need>> chunks = ShardBudget.chunks(call, ShardBudget.Need::shard, ShardBudget.Need::bytes, MIB, 1000);
        assertEquals(3, chunks.size());
        assertEquals(call, chunks.stream().flatMap(List::stream).toList(), "order kept, nothing lost");
        // a record larger than the quota alone goes alone
        List<ShardBudget.Need> big = List.of(new ShardBudget.Need("a", "x", 10, 1), new ShardBudget.Need("a", "y", 2 * MIB, 1),
                new ShardBudget.Need("a", "z", 10, 1));
        assertEquals(3, ShardBudget.chunks(big, ShardBudget.Need::shard, ShardBudget.Need::bytes, MIB, 1000).size());
    }

    @Test
    void twoShardsEachHaveTheirOwnBudget() {
        ShardBudget budget = budget();
        long t0 = clock.get();
        ShardBudget.Reservation first = budget.reserve(needs("a", 1000));
        assertEquals(t0, first.atNanos());
        ShardBudget.Reservation onB = budget.reserve(needs("b", 1000));
        assertEquals(t0, onB.atNanos(), "shard b is not held back by shard a");
        budget.answered(onB);
        // shard a is full with a chunk in flight: the next chunk's time is known only at that answer
        List<ShardBudget.Reservation> later = new ArrayList<>();
        List<ShardBudget.Need> ten = needs("a", 10);
        assertEquals(null, budget.reserve(ten, () -> later.add(budget.reserve(ten))));
        assertEquals(1, budget.waiting());
        clock.set(t0 + 200_000_000L);  // answered 200 ms after it was sent: the window counts from the answer
        budget.answered(first);
        assertEquals(0, budget.waiting());
        assertEquals(1, later.size());
        assertTrue(later.get(0).heldBack());
        assertEquals(t0 + 200_000_000L + WINDOW, later.get(0).atNanos());
        budget.answered(later.get(0));

        List<ShardBudget.Need> mixed = new ArrayList<>();
        for (int i = 0; i < 8000; i++) mixed.add(new ShardBudget.Need(i % 4 == 0 ? "b" : "a", "k" + i % 50, 300, 1));
        List<Sent> sent = drain(budget, mixed, 20_000_000L);
        for (String shard : List.of("a", "b")) {
            long[] worst = worstSecond(sent, shard);
            assertTrue(worst[1] <= 1000, shard + " got " + worst[1] + " records in a second");
            assertTrue(worst[0] <= MIB, shard + " got " + worst[0] + " bytes in a second");
        }
    }

    @Test
    void aHotKeyIsReportedOncePerEpisode() {
        ShardBudget budget = budget();
        // 'press' writes 600 records/s (60% of its shard's quota) for 20 s, 'cool' 100 records/s
        hotFor(budget, 20, 60);
        assertEquals(1, warnings.size(), String.valueOf(warnings));
        assertTrue(warnings.get(0).contains("'press'") && warnings.get(0).contains("shard-0"), warnings.get(0));
        assertEquals(1, budget.hotKeys());
        // below the share for a while: the episode ends (one INFO line)
        for (int i = 0; i < 30; i++) {
            send(budget, List.of(new ShardBudget.Need("shard-0", "press", 100, 10)));
            clock.addAndGet(100_000_000L);
        }
        assertEquals(0, budget.hotKeys());
        assertEquals(1, infos.stream().filter(l -> l.contains("no longer hot")).count(), String.valueOf(infos));
        // short peaks (5 s) are no episode; a new sustained one is
        hotFor(budget, 5, 60);
        assertEquals(1, warnings.size());
        for (int i = 0; i < 20; i++) {
            send(budget, List.of(new ShardBudget.Need("shard-0", "press", 100, 10)));
            clock.addAndGet(100_000_000L);
        }
        hotFor(budget, 15, 60);
        assertEquals(2, warnings.size());
        assertEquals(2, budget.hotKeyEpisodes());
    }

    /** Ten reservations a second: 'press' with {@code perTenth} records each, 'cool' with 10. */
    private void hotFor(ShardBudget budget, int seconds, int perTenth) {
        for (int i = 0; i < seconds * 10; i++) {
            send(budget, List.of(new ShardBudget.Need("shard-0", "press", 100L * perTenth, perTenth),
                    new ShardBudget.Need("shard-0", "cool", 1000, 10)));
            clock.addAndGet(100_000_000L);
        }
    }

    /** Reserves and, answered at once, sends a chunk (the clock moves to its time). */
    private void send(ShardBudget budget, List<ShardBudget.Need> chunk) {
        ShardBudget.Reservation r = budget.reserve(chunk);
        clock.set(Math.max(clock.get(), r.atNanos()));
        budget.answered(r);
    }

    private static List<ShardBudget.Need> needs(String shard, int records) {
        List<ShardBudget.Need> out = new ArrayList<>();
        for (int i = 0; i < records; i++) out.add(new ShardBudget.Need(shard, "k" + i, 100, 1));
        return out;
    }
}
