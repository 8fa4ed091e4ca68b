package io.sluice.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.StreamConfig.WhenFull;
import io.sluice.spi.Durations;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStreamStoreTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    static List<Sample> samples(int n, long base) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Sample("tag." + (i % 7), Value.of(base + i), Quality.GOOD, 0, 1_000L + i, System.currentTimeMillis() * 1_000_000L, null));
        }
        return out;
    }

    static StreamSettings settings(String name, long maxBytes, WhenFull whenFull, boolean persistent, String... destinations) {
        return new StreamSettings(name, maxBytes, Duration.ofDays(7), whenFull, persistent, Set.of(destinations));
    }

    @Test
    void appendsGetContiguousSequencesThatSurviveReopen() {
        Path file = dir.resolve("store.db");
        try (SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(settings("a", 1 << 30, WhenFull.REJECT_NEW, true, "d")));
            var r1 = Durations.await(store.append("a", "sim", samples(10_000, 0), null), WAIT);
            var r2 = Durations.await(store.append("a", "sim", samples(5, 10_000), null), WAIT);
            assertEquals(0, r1.firstSequence());
            assertEquals(10_000, r1.count());
            assertEquals(10_000, r2.firstSequence());
            Durations.await(store.commitCursor("a", "d", 1234), WAIT);
        }
        try (SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(settings("a", 1 << 30, WhenFull.REJECT_NEW, true, "d")));
            assertEquals(1234, store.cursor("a", "d"));
            ReadBatch batch = store.read("a", 1234, 100_000);
            assertEquals(10_005 - 1234, batch.samples().size());
            for (int i = 0; i < batch.samples().size(); i++) {
                StoredSample s = batch.samples().get(i);
                assertEquals(1234 + i, s.sequence());
                assertEquals(Value.of(1234L + i), s.sample().value());
                assertEquals("sim", s.connector());
            }
            assertEquals(10_005, batch.nextSequence());
            var r3 = Durations.await(store.append("a", "sim", samples(1, 0), null), WAIT);
            assertEquals(10_005, r3.firstSequence());
        }
    }

    @Test
    void drainedDataIsDeletedOnlyAfterEveryDestinationPassedIt() {
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("s.db"), SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(settings("a", 1 << 30, WhenFull.REJECT_NEW, true, "d1", "d2")));
            Durations.await(store.append("a", "sim", samples(8192, 0), null), WAIT); // two blocks of 4096
            Durations.await(store.commitCursor("a", "d1", 8192), WAIT);
            Durations.await(store.compact(), WAIT);
            Durations.await(store.flush(), WAIT);
            assertEquals(0, store.stats("a").firstSequence());
            Durations.await(store.commitCursor("a", "d2", 5000), WAIT);
            Durations.await(store.compact(), WAIT);
            Durations.await(store.flush(), WAIT);
            assertEquals(4096, store.stats("a").firstSequence());
            assertEquals(0, store.stats("a").droppedTtl());
        }
    }

    @Test
    void rejectNewRefusesAppendsWhenFullAndCountsThem() {
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("s.db"), SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(settings("a", 20_000, WhenFull.REJECT_NEW, true)));
            int accepted = 0;
            int refused = 0;
            for (int i = 0; i < 50; i++) {
                CompletableFuture<SqliteStreamStore.AppendResult> f = store.append("a", "sim", samples(500, i * 500L), null);
                try {
                    f.join();
                    accepted += 500;
                } catch (CompletionException e) {
                    assertInstanceOf(StoreFullException.class, e.getCause());
                    refused += 500;
                }
            }
            assertTrue(refused > 0);
            StreamStats stats = store.stats("a");
            assertEquals(refused, stats.rejected());
            assertEquals(accepted, stats.storedSamples());
            assertTrue(stats.storedBytes() <= 20_000);
        }
    }

    @Test
    void dropOldestKeepsTheNewestAndCountsDrops() {
        for (boolean persistent : new boolean[] {true, false}) {
            try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("d" + persistent + ".db"), SqliteStreamStore.StoreOptions.defaults())) {
                store.configure(List.of(settings("a", 20_000, WhenFull.DROP_OLDEST, persistent, "d")));
                for (int i = 0; i < 50; i++) Durations.await(store.append("a", "sim", samples(500, i * 500L), null), WAIT);
                StreamStats stats = store.stats("a");
                assertEquals(25_000, stats.nextSequence());
                assertTrue(stats.storedBytes() <= 20_000, "bytes " + stats.storedBytes());
                assertEquals(stats.firstSequence(), stats.droppedFull(), "every dropped sample counted");
                ReadBatch tail = store.read("a", 0, 1_000_000);
                assertEquals(stats.firstSequence(), tail.samples().get(0).sequence());
                assertEquals(Value.of(24_999L), tail.samples().get(tail.samples().size() - 1).sample().value());
            }
        }
    }

    @Test
    void everyValueTypeRoundTrips() {
        List<Sample> in = List.of(
                new Sample("b", Value.of(true), Quality.GOOD, 0, 1, 2, null),
                new Sample("i", Value.of(-42L), Quality.UNCERTAIN, 0x40920000L, 3, 4, "rpm"),
                new Sample("f", Value.of(3.25), Quality.BAD, 0x80000000L, -5, 6, "°C"),
                new Sample("s", Value.of("héllo"), Quality.GOOD, 0, 7, 8, null),
                new Sample("y", Value.of(new byte[] {1, 2, 3}), Quality.GOOD, 0, 9, 10, null),
                new Sample("a", new Value.ArrayValue(List.of(Value.of(1L), Value.of("x"))), Quality.GOOD, 0, 11, 12, null),
                new Sample("st", new Value.StructValue(Map.of("lap", Value.of(3L))), Quality.GOOD, 0, 13, 14, null),
                new Sample("ua", new Value.StructValue(Map.of("x", Value.of(1.5))), Quality.GOOD, 0x00A70000L,
                        1_763_800_000_123_000_000L, 1_763_800_000_125_500_000L, 1_763_800_000_131_000_000L, "m"),
                new Sample("ua", Value.of(false), Quality.GOOD, 0, 1_763_800_000_200_000_000L,
                        1_763_800_000_199_000_000L, 1_763_800_000_201_000_000L, null));
        try (SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("t.db"), SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(settings("a", 1 << 20, WhenFull.REJECT_NEW, true)));
            Durations.await(store.append("a", "c", in, "why"), WAIT);
            List<StoredSample> out = store.read("a", 0, 100).samples();
            assertEquals(in, out.stream().map(StoredSample::sample).toList());
            assertEquals("why", out.get(0).note());
        }
    }

    @Test
    void versionTwoBlocksDecodeAsBlocksWithoutServerTimes() {
        List<Sample> in = List.of(new Sample("t", Value.of(7L), Quality.GOOD, 0, 100, 200, "kg"),
                new Sample("t", Value.of(8L), Quality.BAD, 0x80000000L, 300, 400, null));
        InMemoryTags tags = new InMemoryTags();
        byte[] block = BlockCodec.encode(in, 0, in.size(), tags);
        block[1] = 2;
        List<Sample> out = new ArrayList<>();
        BlockCodec.decode(block, 0, tags, (i, sample) -> out.add(sample));
        assertEquals(in, out);
        assertTrue(out.stream().noneMatch(Sample::hasServerTime));
    }

    @Test
    void aFormatTwoStoreIsUpgradedAndAnUnknownFormatIsRefusedByName() throws Exception {
        Path file = dir.resolve("old.db");
        try (SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(settings("a", 1 << 20, WhenFull.REJECT_NEW, true)));
            Durations.await(store.append("a", "c", samples(3, 0), null), WAIT);
        }
        setFormat(file, "2");
        try (SqliteStreamStore store = SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults())) {
            store.configure(List.of(settings("a", 1 << 20, WhenFull.REJECT_NEW, true)));
            assertEquals(3, store.read("a", 0, 10).samples().size());
        }
        assertEquals(SqliteStreamStore.FORMAT_VERSION, format(file));
        setFormat(file, "99");
        var refused = assertThrows(io.sluice.spi.SluiceException.class,
                () -> SqliteStreamStore.open(file, SqliteStreamStore.StoreOptions.defaults()).close());
        assertTrue(refused.getMessage().contains("old.db has store format 99"), refused.getMessage());
    }

    private static void setFormat(Path file, String format) throws java.sql.SQLException {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var st = c.createStatement()) {
            st.execute("UPDATE meta SET value='" + format + "' WHERE key='format'");
        }
    }

    private static String format(Path file) throws java.sql.SQLException {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var st = c.createStatement();
             var rs = st.executeQuery("SELECT value FROM meta WHERE key='format'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Tag ids for a block decoded outside a store. */
    private static final class InMemoryTags implements BlockCodec.Tags {
        private final List<String> names = new ArrayList<>();

        @Override
        public int idOf(String tag) {
            int i = names.indexOf(tag);
            if (i >= 0) return i;
            names.add(tag);
            return names.size() - 1;
        }

        @Override
        public String nameOf(int id) {
            return names.get(id);
        }
    }
}
