package io.sluice.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.StreamConfig.WhenFull;
import io.sluice.spi.Durations;
import io.sluice.spi.destination.Receipt;
import io.sluice.testkit.MovableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class DeliveryReceiptStoreTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

    @TempDir
    Path dir;

    private final MovableClock clock = new MovableClock(T0);

    private SqliteStreamStore open() {
        SqliteStreamStore.StoreOptions d = SqliteStreamStore.StoreOptions.defaults();
        SqliteStreamStore store = SqliteStreamStore.open(dir.resolve("store.db"), new SqliteStreamStore.StoreOptions(
                d.commitWindow(), d.synchronous(), d.maxPendingBytes(), d.blockSamples(), Duration.ofHours(1), clock));
        store.configure(List.of(new StreamSettings("a", 1L << 30, Duration.ofDays(30), WhenFull.REJECT_NEW, true, Set.of("k"))));
        return store;
    }

    private static DeliveryReceipt receipt(long first, long last, long atMillis, String sequenceNumber) {
        return new DeliveryReceipt("a", first, last, "k", atMillis,
                Receipt.of("kinesis", "shard-id", "shardId-000000000000", "sequence-number", sequenceNumber));
    }

    private List<DeliveryReceipt> lookup(long sequence) {
        try (StoreInspector inspector = new StoreInspector(dir.resolve("store.db"))) {
            return inspector.receipts("a", sequence);
        }
    }

    @Test
    void aReceiptIsKeptAsTheJsonAnObjectMapperWritesAndReadsBack() throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        for (Receipt r : List.of(Receipt.of("kinesis", "shard-id", "shardId-000000000001", "sequence-number", "4963"),
                Receipt.of("mqtt", "topic", "plant/\"line 1\"/\u00e9\n\t\\", "packet-id", "7"),
                new Receipt("file", Map.of()))) {
            String json = StoreWriter.receiptJson(r);
            assertEquals(mapper.writeValueAsString(r), json);
            assertEquals(r, mapper.readValue(json, Receipt.class));
        }
    }

    @Test
    void receiptsAreKeptWithTheCursorMoveAndFoundBySequence() {
        try (SqliteStreamStore store = open()) {
            Durations.await(store.append("a", "sim", SqliteStreamStoreTest.samples(10, 0), null), WAIT);
            long at = T0.toEpochMilli();
            Durations.await(store.commitCursor("a", "k", 10,
                    List.of(receipt(0, 4, at, "111"), receipt(5, 9, at + 1, "222"))), WAIT);
            assertEquals(10, store.cursor("a", "k"));
        }
        List<DeliveryReceipt> third = lookup(3);
        assertEquals(1, third.size());
        assertEquals(new DeliveryReceipt("a", 0, 4, "k", T0.toEpochMilli(),
                Receipt.of("kinesis", "shard-id", "shardId-000000000000", "sequence-number", "111")), third.get(0));
        assertEquals("222", lookup(9).get(0).receipt().fields().get("sequence-number"));
        assertTrue(lookup(10).isEmpty());
    }

    private long receiptRows() throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.db"));
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM receipts")) {
            return rs.getLong(1);
        }
    }

    @Test
    void thePacketsOfInterleavedSamplesAreOneRowEachAndFoundBySequence() throws Exception {
        // two MQTT messages of one window, each holding every other sample of the stream (two lanes)
        Receipt even = Receipt.of("mqtt", "topic", "t", "packet-id", "1");
        Receipt odd = Receipt.of("mqtt", "topic", "t", "packet-id", "2");
        long at = T0.toEpochMilli();
        List<DeliveryReceipt> receipts = new java.util.ArrayList<>();
        for (long seq = 0; seq < 10; seq += 2) receipts.add(new DeliveryReceipt("a", seq, seq, "k", at, even));
        for (long seq = 1; seq < 10; seq += 2) receipts.add(new DeliveryReceipt("a", seq, seq, "k", at, odd));
        receipts.add(new DeliveryReceipt("a", 10, 11, "k", at + 1, even)); // a later packet: its own row
        try (SqliteStreamStore store = open()) {
            Durations.await(store.append("a", "sim", SqliteStreamStoreTest.samples(12, 0), null), WAIT);
            Durations.await(store.commitCursor("a", "k", 12, receipts), WAIT);
        }
        assertEquals(3, receiptRows(), "one row per packet, not per run");
        for (long seq = 0; seq < 10; seq++) {
            List<DeliveryReceipt> found = lookup(seq);
            assertEquals(1, found.size(), "receipts of " + seq);
            assertEquals(new DeliveryReceipt("a", seq, seq, "k", at, seq % 2 == 0 ? even : odd), found.get(0));
        }
        assertEquals(List.of(new DeliveryReceipt("a", 10, 11, "k", at + 1, even)), lookup(11));
        assertTrue(lookup(12).isEmpty());
    }

    @Test
    void aStoreWhoseReceiptsPredateRunsIsUpgradedAndItsRowsStillFound() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.db"));
             java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE receipts(id INTEGER PRIMARY KEY, stream_id INTEGER NOT NULL, first_seq INTEGER NOT NULL,"
                    + " last_seq INTEGER NOT NULL, destination TEXT NOT NULL, delivered_at INTEGER NOT NULL, receipt TEXT NOT NULL)");
        }
        try (SqliteStreamStore store = open()) {
            Durations.await(store.append("a", "sim", SqliteStreamStoreTest.samples(10, 0), null), WAIT);
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.db"));
                 java.sql.Statement st = c.createStatement()) {
                st.execute("INSERT INTO receipts(stream_id, first_seq, last_seq, destination, delivered_at, receipt)"
                        + " SELECT id, 0, 4, 'k', 1, '{\"kind\":\"file\",\"fields\":{\"offset\":\"0\"}}' FROM streams WHERE name='a'");
            }
            Durations.await(store.commitCursor("a", "k", 10, List.of(receipt(5, 5, 2, "x"), receipt(7, 9, 2, "x"))), WAIT);
        }
        assertEquals(List.of(new DeliveryReceipt("a", 0, 4, "k", 1, Receipt.of("file", "offset", "0"))), lookup(3));
        assertTrue(lookup(6).isEmpty());
        assertEquals(7, lookup(8).get(0).firstSequence());
    }

    @Test
    void aReceiptBeyondTheNewCursorIsNotKept() {
        try (SqliteStreamStore store = open()) {
            Durations.await(store.append("a", "sim", SqliteStreamStoreTest.samples(10, 0), null), WAIT);
            Durations.await(store.commitCursor("a", "k", 5,
                    List.of(receipt(0, 4, 1, "111"), receipt(5, 9, 2, "222"))), WAIT);
        }
        assertEquals(1, lookup(0).size());
        assertTrue(lookup(7).isEmpty(), "a receipt must not claim a delivery the cursor does not");
    }

    @Test
    void retentionDeletesReceiptsOlderThanKeepReceipts() {
        try (SqliteStreamStore store = open()) {
            store.keepReceipts(Duration.ofHours(2));
            Durations.await(store.append("a", "sim", SqliteStreamStoreTest.samples(10, 0), null), WAIT);
            long t0 = T0.toEpochMilli();
            Durations.await(store.commitCursor("a", "k", 10, List.of(receipt(0, 4, t0, "old"),
                    receipt(5, 9, t0 + Duration.ofHours(2).toMillis(), "new"))), WAIT);
            Durations.await(store.compact(), WAIT);
            assertEquals(1, lookup(0).size(), "within keep-receipts");
            clock.advance(Duration.ofHours(2).plusMinutes(1));
            store.keepReceipts(Duration.ofHours(2)); // prune at the next run, not a minute later
            Durations.await(store.compact(), WAIT);
            assertTrue(lookup(0).isEmpty(), "older than keep-receipts");
            assertEquals(1, lookup(5).size());
        }
    }

    @Test
    void keepReceiptsZeroKeepsNone() {
        try (SqliteStreamStore store = open()) {
            store.keepReceipts(Duration.ZERO);
            Durations.await(store.append("a", "sim", SqliteStreamStoreTest.samples(10, 0), null), WAIT);
            Durations.await(store.commitCursor("a", "k", 10, List.of(receipt(0, 9, 1, "x"))), WAIT);
            assertEquals(10, store.cursor("a", "k"));
        }
        assertTrue(lookup(0).isEmpty());
    }

    @Test
    void aReceiptIsBounded() {
        String big = "x".repeat(10_000);
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 100; i++) fields.put("f" + i, big);
        Receipt r = new Receipt("kinesis", fields);
        assertEquals(Receipt.MAX_FIELDS, r.fields().size());
        assertTrue(r.fields().values().stream().allMatch(v -> v.length() == Receipt.MAX_CHARS));
        assertEquals(Map.of("a", "1"), Receipt.of("k", "a", "1").fields());
    }
}
