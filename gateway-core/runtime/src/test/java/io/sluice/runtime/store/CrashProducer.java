package io.sluice.runtime.store;

import io.sluice.runtime.config.StreamConfig.WhenFull;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link StoreCrashIT}: appends samples as fast as it can, each sample's value equal to the
 * sequence it will get, and prints what the store acknowledged: {@code C <first> <count>} for committed appends and
 * {@code K <cursor>} for committed cursors. It never stops on its own; the test kills it with SIGKILL.
 */
public final class CrashProducer {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        PrintStream out = new PrintStream(System.out, false);
        SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults()
                .withCommitWindow(Duration.ofMillis(2)).withSynchronous(args.length > 1 ? args[1] : "FULL"));
        store.configure(List.of(new StreamSettings("crash", Long.MAX_VALUE / 4, Duration.ofDays(7), WhenFull.REJECT_NEW, true, Set.of())));
        long next = store.nextSequence("crash");
        out.println("READY " + next);
        out.flush();
        Semaphore inFlight = new Semaphore(8);
        int appends = 0;
        while (true) {
            List<Sample> batch = new ArrayList<>(500);
            long now = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < 500; i++) {
                batch.add(new Sample("t" + (i % 50), Value.of(next + i), Quality.GOOD, 0, now, now, null));
            }
            next += 500;
            inFlight.acquire();
            store.append("crash", "producer", batch, null).whenComplete((r, e) -> {
                inFlight.release();
                if (e == null) {
                    synchronized (out) {
                        out.println("C " + r.firstSequence() + " " + r.count());
                        out.flush();
                    }
                }
            });
            if (++appends % 20 == 0) {
                long cursor = Math.max(0, next - 5_000);
                store.commitCursor("crash", "d", cursor).whenComplete((r, e) -> {
                    if (e == null) {
                        synchronized (out) {
                            out.println("K " + cursor);
                            out.flush();
                        }
                    }
                });
            }
        }
    }
}
