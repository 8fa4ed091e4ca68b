package io.sluice.destination.kinesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.destination.OutboundSample;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleRecordFormatTest {

    @Test
    void everyValueVariantRoundTrips() throws Exception {
        List<OutboundSample> in = KinesisTestSamples.everyVariant();
        byte[] raw = SampleRecordFormat.encode(in, 0, in.size(), 0);
        assertRoundTrip(in, SampleRecordFormat.decode(raw));
        byte[] gz = SampleRecordFormat.encode(in, 0, in.size(), 6);
        assertTrue(SampleRecordFormat.isGzip(gz));
        assertRoundTrip(in, SampleRecordFormat.decode(gz));
    }

    @Test
    void seriesLinesCarryTheDocumentedKeysWithDeltaEncodedColumns() {
        List<OutboundSample> in = KinesisTestSamples.floats("telemetry", 6, 2, 4711);
        String text = new String(SampleRecordFormat.encode(in, 0, in.size(), 0), StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        assertEquals(2, lines.length, "one series per tag: " + text);
        for (String key : List.of("\"stream\":\"telemetry\"", "\"connector\":\"sim\"", "\"tag\":\"tag-0\"",
                "\"asset\":{\"area\":\"press-shop\",\"machine\":\"press-3\",\"site\":\"hamburg\"}", "\"type\":\"float\"",
                "\"quality\":\"GOOD\"", "\"unit\":\"bar\"", "\"n\":3", "\"seq\":[4711,2,2]", "\"ts\":[", ",2000000,2000000]",
                "\"rt\":[", "\"value\":[")) {
            assertTrue(lines[0].contains(key), key + " missing in " + lines[0]);
        }
        String flat = new String(SampleRecordFormat.flatLine(in.get(0)), StandardCharsets.UTF_8);
        assertTrue(flat.startsWith("{\"stream\":\"telemetry\",\"seq\":4711,\"connector\":\"sim\",\"tag\":\"tag-0\""), flat);
    }

    @Test
    void valueBeforeTypeAndUnknownKeysAreAccepted() {
        String line = "{\"value\":[[{\"value\":5,\"type\":\"integer\"}]],\"extra\":{\"a\":[1,2]},\"type\":\"array\",\"stream\":\"s\","
                + "\"seq\":[1],\"connector\":\"c\",\"tag\":\"t\",\"quality\":\"BAD\",\"ts\":[1],\"rt\":[2]}\n";
        DecodedSample d = SampleRecordFormat.decode(line.getBytes(StandardCharsets.UTF_8)).get(0);
        assertEquals(new io.sluice.spi.Value.ArrayValue(List.of(io.sluice.spi.Value.of(5L))), d.sample().value());
    }

    @Test
    void garbageIsRefusedWithTheLineNumber() {
        var one = KinesisTestSamples.floats("s", 1, 1, 0);
        String two = new String(SampleRecordFormat.encode(one, 0, 1, 0), StandardCharsets.UTF_8) + "{\"stream\":\"s\"}\n";
        var e = assertThrows(SampleRecordFormat.RecordFormatException.class,
                () -> SampleRecordFormat.decode(two.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(SampleRecordFormat.RecordFormatException.class,
                () -> SampleRecordFormat.decode(new byte[] {0x1f, (byte) 0x8b, 1, 2, 3}));
        assertThrows(SampleRecordFormat.RecordFormatException.class,
                () -> SampleRecordFormat.decode(("{\"stream\":\"s\",\"connector\":\"c\",\"tag\":\"t\",\"type\":\"integer\","
                        + "\"quality\":\"GOOD\",\"seq\":[1],\"ts\":[1],\"rt\":[1],\"value\":[\"x\"]}").getBytes(StandardCharsets.UTF_8)));
    }

    static void assertRoundTrip(List<OutboundSample> in, List<DecodedSample> out) {
        assertEquals(in.size(), out.size());
        in = in.stream().sorted(java.util.Comparator.comparing(OutboundSample::stream).thenComparingLong(OutboundSample::sequence)).toList();
        for (int i = 0; i < in.size(); i++) {
            OutboundSample a = in.get(i);
            DecodedSample b = out.get(i);
            assertEquals(a.stream(), b.stream());
            assertEquals(a.sequence(), b.sequence());
            assertEquals(a.connector(), b.connector());
            assertEquals(a.asset(), b.asset());
            assertEquals(a.sample(), b.sample(), "sample " + i);
        }
    }
}
