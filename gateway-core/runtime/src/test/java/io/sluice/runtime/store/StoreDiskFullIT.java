package io.sluice.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.StreamConfig.WhenFull;
import io.sluice.runtime.store.StoreHealth.State;
import io.sluice.runtime.testing.Tmpfs;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's scenario on a real full file system (a 24 MB tmpfs; needs root to mount): one drop-oldest and one
 * reject-new stream of 600-byte samples ingest until the disk is full. Drop-oldest keeps making room, reject-new is
 * refused and counted, a refused append is never stored, nothing committed is lost, the store returns to OK by
 * itself once space is freed, and a restart on a 100 % full disk opens.
 */
@Timeout(300)
class StoreDiskFullIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final Tmpfs tmpfs = new Tmpfs("24m", "disk-full test");

    private static List<StreamSettings> streams() {
        return List.of(new StreamSettings("keep", 1L << 40, Duration.ofDays(7), WhenFull.REJECT_NEW, true, Set.of()),
                new StreamSettings("bulk", 1L << 40, Duration.ofDays(7), WhenFull.DROP_OLDEST, true, Set.of()));
    }

    private static long idOf(StoredSample s) {
        return Long.parseLong(((Value.StringValue) s.sample().value()).value().split(":")[1]);
    }

    /** Writes zeros until the file system is full; returns the filler. */
    private static Path fillUp(Path folder) throws IOException {
        Path filler = folder.resolve("filler-" + System.nanoTime());
        byte[] chunk = new byte[64 << 10];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) out.write(chunk);
        } catch (IOException full) {
            return filler;
        }
    }

    @Test
    void aFullDiskKeepsDropOldestGoingRefusesRejectNewAndRecoversWithoutRestart() throws Exception {
        Path mount = tmpfs.path();
        Path filler = mount.resolve("filler.bin");
        Files.write(filler, new byte[8 << 20]); // freed later: room for the reserve and as much again
        Path file = mount.resolve("store.db");
        Set<Long> acknowledgedKeep = new HashSet<>();
        Set<Long> refused = new HashSet<>();
        long refusedKeep = 0;
        int bulkAfterFull = 0;
        int bulkRefusedAfterFull = 0;
        try (SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(streams());
            long id = 0;
            for (int i = 0; i < 1_000; i++, id += 100) {
                String stream = i % 2 == 0 ? "keep" : "bulk";
                List<Sample> batch = StoreFullTest.bigSamples(stream, id);
                try {
                    store.append(stream, "t", batch, null).get(30, TimeUnit.SECONDS);
                    if (stream.equals("keep")) for (int k = 0; k < 100; k++) acknowledgedKeep.add(id + k);
                    if (stream.equals("bulk") && refusedKeep > 0) bulkAfterFull++;
                } catch (ExecutionException e) {
                    assertInstanceOf(StoreFullException.class, e.getCause(), String.valueOf(e.getCause()));
                    for (int k = 0; k < 100; k++) refused.add(id + k);
                    if (stream.equals("keep")) refusedKeep += 100;
                    else if (refusedKeep > 0) {
                        bulkAfterFull++;
                        bulkRefusedAfterFull++;
                    }
                }
            }
            assertTrue(refusedKeep > 0, "the disk filled and reject-new was refused");
            assertEquals(refusedKeep, store.stats("keep").rejected(), "every refusal counted in 'rejected'");
            assertTrue(bulkAfterFull > 100, "bulk kept appending after the disk was full: " + bulkAfterFull);
            assertTrue(bulkRefusedAfterFull * 20 <= bulkAfterFull,
                    "drop-oldest keeps making room: " + bulkRefusedAfterFull + " of " + bulkAfterFull + " refused");
            assertTrue(store.stats("bulk").droppedFull() > 0);
            assertEquals(0, store.stateTransitions().get(State.IO_ERROR), "a full disk is never an I/O error: " + store.health());

            Files.delete(filler); // space returns
            Durations.await(store.compact(), WAIT);
            Durations.await(store.compact(), WAIT);
            assertEquals(State.OK, store.health().state(), "OK again without a restart: " + store.health());
            var r = store.append("keep", "t", StoreFullTest.bigSamples("keep", id), null).get(30, TimeUnit.SECONDS);
            for (int k = 0; k < r.count(); k++) acknowledgedKeep.add(id + k);
        }
        try (StoreInspector inspector = new StoreInspector(file)) {
            assertEquals("ok", inspector.integrityCheck());
        }
        // a restart on a 100 % full disk, the reserve file present
        assertTrue(Files.exists(SpacePolicy.reserveOf(file)), "the reserve is back");
        Path full = fillUp(mount);
        try (SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(streams());
            assertFalse(Files.exists(SpacePolicy.reserveOf(file)), "the reserve was given up to open");
            Set<Long> keepStored = new HashSet<>();
            for (StoredSample s : store.read("keep", 0, Integer.MAX_VALUE).samples()) keepStored.add(idOf(s));
            for (long v : acknowledgedKeep) assertTrue(keepStored.contains(v), "acknowledged sample " + v + " kept");
            for (String stream : List.of("keep", "bulk")) {
                StreamStats stats = store.stats(stream);
                List<StoredSample> all = store.read(stream, 0, Integer.MAX_VALUE).samples();
                assertEquals(stats.storedSamples(), all.size());
                for (StoredSample s : all) assertFalse(refused.contains(idOf(s)), "refused sample " + idOf(s) + " was stored");
            }
            Files.delete(full);
            Durations.await(store.compact(), WAIT);
            Durations.await(store.append("keep", "t", StoreFullTest.bigSamples("keep", 1L << 40), null), WAIT);
            Durations.await(store.compact(), WAIT);
            assertEquals(State.OK, store.health().state(), store.health().toString());
        }
    }
}
