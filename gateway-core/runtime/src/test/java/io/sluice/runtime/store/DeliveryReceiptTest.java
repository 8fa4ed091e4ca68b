package io.sluice.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.destination.Receipt;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DeliveryReceiptTest {

    private static final Receipt MQTT = Receipt.of("mqtt", "topic", "t", "packet-id", "7");

    private static List<long[]> runs(DeliveryReceipt r) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < r.runCount(); i++) out.add(new long[] {r.runFirst(i), r.runLast(i)});
        return out;
    }

    private static String show(DeliveryReceipt r) {
        StringBuilder sb = new StringBuilder();
        for (long[] run : runs(r)) sb.append(sb.length() == 0 ? "" : " ").append(run[0]).append("..").append(run[1]);
        return sb.toString();
    }

    @Test
    void theSamplesOfOneLaneInterleavedWithOthersAreOneReceiptOfManyRuns() {
        DeliveryReceipt.Runs runs = new DeliveryReceipt.Runs();
        for (long seq = 100; seq < 400; seq += 3) runs.add(seq); // every third sample of the stream: 100 runs
        DeliveryReceipt r = runs.receipt("s", "iot", 5, MQTT);
        assertEquals(100, r.runCount());
        assertEquals(100, r.firstSequence());
        assertEquals(397, r.lastSequence());
        assertTrue(r.covers(103));
        assertFalse(r.covers(104), "another lane's sample");
        assertFalse(r.covers(398));
        assertEquals("s", r.stream());
        assertEquals("iot", r.destination());
        assertEquals(5, r.deliveredAtMillis());
        assertEquals(MQTT, r.receipt());
    }

    @Test
    void consecutiveSequencesJoinOneRun() {
        DeliveryReceipt.Runs runs = new DeliveryReceipt.Runs();
        for (long seq : new long[] {4, 5, 6, 9, 10, 12}) runs.add(seq);
        assertEquals("4..6 9..10 12..12", show(runs.receipt("s", "k", 1, MQTT)));
    }

    @Test
    void runsAddedOutOfOrderAreSortedAndAdjacentOnesJoined() {
        DeliveryReceipt.Runs runs = new DeliveryReceipt.Runs();
        for (long seq : new long[] {20, 21, 3, 10, 4, 22, 5}) runs.add(seq);
        assertEquals("3..5 10..10 20..22", show(runs.receipt("s", "k", 1, MQTT)));
        DeliveryReceipt.Runs whole = new DeliveryReceipt.Runs();
        whole.add(10, 19);
        whole.add(0, 9);
        whole.add(30, 30);
        whole.add(5, 12); // the same sequences again: one packet handed over twice
        assertEquals("0..19 30..30", show(whole.receipt("s", "k", 1, MQTT)));
    }

    @Test
    void oneRunReceiptsCompareByContent() {
        assertEquals(new DeliveryReceipt("s", 0, 4, "k", 1, MQTT), new DeliveryReceipt("s", 0, 4, "k", 1, Receipt.of("mqtt",
                "topic", "t", "packet-id", "7")));
        assertEquals(new DeliveryReceipt("s", 0, 4, "k", 1, MQTT).hashCode(), new DeliveryReceipt("s", 0, 4, "k", 1, MQTT).hashCode());
        DeliveryReceipt.Runs runs = new DeliveryReceipt.Runs();
        for (long seq = 0; seq <= 4; seq++) runs.add(seq);
        assertEquals(new DeliveryReceipt("s", 0, 4, "k", 1, MQTT), runs.receipt("s", "k", 1, MQTT));
        assertFalse(new DeliveryReceipt("s", 0, 4, "k", 1, MQTT).equals(new DeliveryReceipt("s", 0, 5, "k", 1, MQTT)));
        assertThrows(IllegalArgumentException.class, () -> new DeliveryReceipt("s", 5, 4, "k", 1, MQTT));
        assertThrows(IllegalStateException.class, () -> new DeliveryReceipt.Runs().receipt("s", "k", 1, MQTT));
    }

    @Test
    void theRunsBlobFindsEachSequencesRun() {
        DeliveryReceipt.Runs runs = new DeliveryReceipt.Runs();
        for (long seq : new long[] {1000, 1001, 1003, 1200, 1201, 1202, 70_000}) runs.add(seq);
        DeliveryReceipt r = runs.receipt("s", "k", 1, MQTT);
        byte[] blob = ReceiptRuns.encode(r);
        for (long seq = 990; seq < 70_010; seq++) {
            long[] found = ReceiptRuns.find(blob, r.firstSequence(), r.lastSequence(), seq);
            assertEquals(r.covers(seq), found != null, "sequence " + seq);
            if (found != null) assertTrue(found[0] <= seq && seq <= found[1]);
        }
        assertEquals(List.of(1003L, 1003L), List.of(ReceiptRuns.find(blob, 1000, 70_000, 1003)[0], ReceiptRuns.find(blob, 1000, 70_000, 1003)[1]));
        assertEquals(List.of(1200L, 1202L), List.of(ReceiptRuns.find(blob, 1000, 70_000, 1201)[0], ReceiptRuns.find(blob, 1000, 70_000, 1201)[1]));
    }
}
