package io.sluice.samplejson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesJsonTest {

    @Test
    void everyValueVariantRoundTrips() {
        List<OutboundSample> in = TestSamples.everyVariant();
        assertEquals(TestSamples.decoded(in), SeriesJson.decodeLines(TestSamples.lines(in, 0)));
        byte[] gz = TestSamples.lines(in, 6);
        assertTrue(SeriesJson.isGzip(gz));
        assertEquals(TestSamples.decoded(in), SeriesJson.decodeLines(gz));
    }

    @Test
    void seriesCarryTheDocumentedKeysWithDeltaEncodedColumns() {
        List<OutboundSample> in = TestSamples.floats(6, 2, 4711);
        String text = utf8(TestSamples.lines(in, 0));
        String[] lines = text.split("\n");
        assertEquals(2, lines.length, "one series per tag: " + text);
        for (String key : List.of("\"stream\":\"telemetry\"", "\"connector\":\"sim\"", "\"tag\":\"tag-0\"",
                "\"asset\":{\"area\":\"press-shop\",\"machine\":\"press-3\",\"site\":\"hamburg\"}", "\"type\":\"float\"",
                "\"quality\":\"GOOD\"", "\"unit\":\"bar\"", "\"n\":3", "\"seq\":[4711,2,2]", "\"ts\":[", ",2000000,2000000]",
                "\"rt\":[", "\"value\":[")) {
            assertTrue(lines[0].contains(key), key + " missing in " + lines[0]);
        }
        String flat = utf8(SeriesJson.flatLine(in.get(0)));
        assertTrue(flat.startsWith("{\"stream\":\"telemetry\",\"seq\":4711,\"connector\":\"sim\",\"tag\":\"tag-0\""), flat);
    }

    @Test
    void valueBeforeTypeAndUnknownKeysAreAccepted() {
        String line = "{\"value\":[[{\"value\":5,\"type\":\"integer\"}]],\"extra\":{\"a\":[1,2]},\"type\":\"array\",\"stream\":\"s\","
                + "\"seq\":[1],\"connector\":\"c\",\"tag\":\"t\",\"quality\":\"BAD\",\"ts\":[1],\"rt\":[2]}\n";
        DecodedSample d = SeriesJson.decodeLines(line.getBytes(StandardCharsets.UTF_8)).get(0);
        assertEquals(new Value.ArrayValue(List.of(Value.of(5L))), d.sample().value());
    }

    @Test
    void emptyLinesAndCarriageReturnsAreSkipped() {
        List<OutboundSample> in = TestSamples.floats(4, 2, 0);
        String text = "\n" + utf8(TestSamples.lines(in, 0)).replace("\n", "\r\n\n");
        assertEquals(TestSamples.decoded(in), SeriesJson.decodeLines(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void garbageIsRefusedWithTheLineNumber() {
        String two = utf8(TestSamples.lines(TestSamples.floats(1, 1, 0), 0)) + "{\"stream\":\"s\"}\n";
        var e = assertThrows(SeriesFormatException.class, () -> SeriesJson.decodeLines(two.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(SeriesFormatException.class, () -> SeriesJson.decodeLines(new byte[] {0x1f, (byte) 0x8b, 1, 2, 3}));
        assertThrows(SeriesFormatException.class,
                () -> SeriesJson.decodeLines(("{\"stream\":\"s\",\"connector\":\"c\",\"tag\":\"t\",\"type\":\"integer\","
                        + "\"quality\":\"GOOD\",\"seq\":[1],\"ts\":[1],\"rt\":[1],\"value\":[\"x\"]}").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void serverTimesTravelAsOffsetsFromTheSourceTimeOnlyInSeriesThatHaveThem() {
        List<OutboundSample> in = new ArrayList<>(TestSamples.floats(6, 2, 100));
        long[] offsets = {2_000_000, -1_500, 0};
        for (int i = 0; i < 6; i += 2) in.set(i, TestSamples.withServerTime(in.get(i), offsets[i / 2]));
        String[] lines = utf8(TestSamples.lines(in, 0)).split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].contains("\"tag\":\"tag-0\""), lines[0]);
        assertTrue(lines[0].contains(",\"st\":[2000000,-1500,0],\"rt\":["), "offsets, not deltas: " + lines[0]);
        assertFalse(lines[1].contains("\"st\""), lines[1]);

        List<DecodedSample> out = SeriesJson.decodeLines(TestSamples.lines(in, 6));
        assertEquals(TestSamples.decoded(in), out);
        assertEquals(TestSamples.T0 + 102_000_000 - 1_500, out.get(2).sample().serverTimeNanos());
        assertFalse(out.get(1).sample().hasServerTime());
        assertEquals(Sample.NO_SERVER_TIME, out.get(1).sample().serverTimeNanos());
    }

    @Test
    void aTagTakingTurnsWithAndWithoutServerTimeSplitsIntoTwoSeriesAndRoundTrips() {
        List<OutboundSample> in = new ArrayList<>(TestSamples.floats(8, 1, 0));
        for (int i = 1; i < in.size(); i += 2) in.set(i, TestSamples.withServerTime(in.get(i), -i * 1_000L));
        String[] lines = utf8(TestSamples.lines(in, 0)).split("\n");
        assertEquals(2, lines.length, "one series with server times, one without");
        assertFalse(lines[0].contains("\"st\""), lines[0]);
        assertTrue(lines[1].contains("\"n\":4") && lines[1].contains("\"st\":[-1000,-3000,-5000,-7000]"), lines[1]);
        assertEquals(TestSamples.decoded(in), SeriesJson.decodeLines(TestSamples.lines(in, 0)));
    }

    @Test
    void anStArrayOfTheWrongLengthIsRefused() {
        List<OutboundSample> in = List.of(TestSamples.withServerTime(TestSamples.floats(1, 1, 0).get(0), 5),
                TestSamples.withServerTime(TestSamples.floats(1, 1, 1).get(0), 6));
        String line = utf8(TestSamples.lines(in, 0));
        assertTrue(line.contains("\"st\":[5,6]"), line);
        for (String st : List.of("[5]", "[5,6,7]", "5")) {
            byte[] damaged = line.replace("[5,6]", st).getBytes(StandardCharsets.UTF_8);
            var e = assertThrows(SeriesFormatException.class, () -> SeriesJson.decodeLines(damaged));
            assertTrue(e.getMessage().startsWith("line 1: ") && e.getMessage().contains("st"), e.getMessage());
        }
    }

    @Test
    void theFlatLineHasTheAbsoluteServerTimeWhenThereIsOne() {
        OutboundSample plain = TestSamples.floats(1, 1, 0).get(0);
        long ts = plain.sample().sourceTimeNanos();
        assertFalse(utf8(SeriesJson.flatLine(plain)).contains("\"st\""));
        String flat = utf8(SeriesJson.flatLine(TestSamples.withServerTime(plain, -250)));
        assertTrue(flat.contains("\"ts\":" + ts + ",\"st\":" + (ts - 250) + ",\"rt\":"), flat);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
