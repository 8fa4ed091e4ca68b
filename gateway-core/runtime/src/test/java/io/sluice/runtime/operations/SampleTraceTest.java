package io.sluice.runtime.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.StreamConfig.WhenFull;
import io.sluice.runtime.publish.DeadLetterNote;
import io.sluice.runtime.store.DeliveryReceipt;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StoreInspector;
import io.sluice.runtime.store.StreamSettings;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import io.sluice.spi.Value;
import io.sluice.spi.destination.Receipt;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link SampleTrace} over a real store file: receipts, dead letters (across blocks), pending and unknown samples. */
@Timeout(30)
class SampleTraceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static List<Sample> samples(String tag, int n, long receivedNanos) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new Sample(tag, Value.of((long) i), io.sluice.spi.Quality.GOOD, 0, 1_000L + i, receivedNanos + i, null));
        return out;
    }

    private static StreamSettings stream(String name) {
        return new StreamSettings(name, 1L << 30, Duration.ofDays(7), WhenFull.REJECT_NEW, true, Set.of());
    }

    @Test
    void tracesDeliveryDeadLetterAndPendingPerDestination() {
        Path file = dir.resolve("store.db");
        long received = Instant.parse("2026-12-07T01:00:00Z").getEpochSecond() * 1_000_000_000L;
        SqliteStreamStore.StoreOptions small = new SqliteStreamStore.StoreOptions(Duration.ofMillis(5), "FULL", 64L << 20,
                4, Duration.ofHours(1), java.time.Clock.systemUTC()); // blocks of 4 samples: a run spans blocks
        try (SqliteStreamStore store = SqliteStreamStore.open(file, small)) {
            store.configure(List.of(stream("s"), stream("dlq")));
            Durations.await(store.append("s", "plc", samples("t", 20, received), null), WAIT);
            Durations.await(store.append("dlq", "plc", samples("x", 3, received), null), WAIT); // unrelated dead letters first
            String note = new DeadLetterNote("s", 10, 19, "sw", "type mismatch").format();
            Durations.await(store.append("dlq", "plc", samples("t", 10, received), note), WAIT);
            Durations.await(store.commitCursor("s", "k", 20, List.of(new DeliveryReceipt("s", 12, 13, "k", 1_000,
                    Receipt.of("kinesis", "shard-id", "shardId-1", "sequence-number", "42")))), WAIT);
            Durations.await(store.commitCursor("s", "sw", 20), WAIT);
            Durations.await(store.commitCursor("s", "slow", 5), WAIT);
        }
        try (StoreInspector inspector = new StoreInspector(file)) {
            SampleTrace t = SampleTrace.of(inspector, "s", 13, Set.of("never"));
            assertTrue(t.stored());
            assertEquals("t", t.tag());
            assertEquals(Instant.ofEpochSecond(0, received + 13), t.receivedAt());
            Map<String, SampleTrace.DestinationTrace> by = new java.util.HashMap<>();
            t.destinations().forEach(d -> by.put(d.name(), d));
            assertEquals(Set.of("k", "sw", "slow", "never"), by.keySet());

            assertEquals("delivered", by.get("k").verdict());
            assertEquals(Instant.ofEpochMilli(1_000), by.get("k").deliveries().get(0).deliveredAt());
            assertEquals("42", by.get("k").deliveries().get(0).receipt().fields().get("sequence-number"));

            assertEquals("dead-lettered", by.get("sw").verdict());
            assertEquals(new SampleTrace.DeadLetter("dlq", 3 + 3, "type mismatch"), by.get("sw").deadLetters().get(0),
                    "origin 13 is the 4th of the run, which starts at dlq sequence 3");

            assertEquals("pending", by.get("slow").verdict());
            assertEquals(5, by.get("slow").cursor());
            assertEquals("no-cursor", by.get("never").verdict());

            SampleTrace other = SampleTrace.of(inspector, "s", 2, Set.of());
            assertTrue(other.destinations().stream().allMatch(d -> d.deliveries().isEmpty() && d.deadLetters().isEmpty()));
            assertEquals("passed", other.destinations().stream().filter(d -> d.name().equals("k")).findFirst().orElseThrow().verdict());

            Map<String, Object> json = t.toJson();
            assertEquals("2026-12-07T01:00:00.000000013Z", json.get("receivedAt"));

            SluiceException unwritten = assertThrows(SluiceException.class, () -> SampleTrace.of(inspector, "s", 20, Set.of()));
            assertTrue(unwritten.getMessage().contains("20 has not been written"), unwritten.getMessage());
            assertFalse(unwritten.retryable());
            assertThrows(SluiceException.class, () -> SampleTrace.of(inspector, "nope", 0, Set.of()));
        }
    }
}
