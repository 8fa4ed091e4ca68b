package io.sluice.destination.kinesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.destination.OutboundSample;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class SampleRecordFormatTest {

    @Test
    void everyValueVariantRoundTrips() throws Exception {
        List<OutboundSample> in = KinesisTestSamples.everyVariant();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (OutboundSample s : in) SampleRecordFormat.writeLine(s, raw);
        assertRoundTrip(in, SampleRecordFormat.decode(raw.toByteArray()));

        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(raw.toByteArray());
        }
        assertTrue(SampleRecordFormat.isGzip(gz.toByteArray()));
        assertRoundTrip(in, SampleRecordFormat.decode(gz.toByteArray()));
    }

    @Test
    void lineIsOneJsonObjectWithTheDocumentedKeys() {
        OutboundSample s = KinesisTestSamples.floats("telemetry", 1, 1, 4711).get(0);
        String line = new String(SampleRecordFormat.line(s), StandardCharsets.UTF_8);
        assertTrue(line.endsWith("}\n"), line);
        assertEquals(1, line.chars().filter(c -> c == '\n').count());
        for (String key : List.of("\"stream\":\"telemetry\"", "\"seq\":4711", "\"connector\":\"sim\"", "\"tag\":\"tag-0\"",
                "\"asset\":{\"area\":\"press-shop\",\"machine\":\"press-3\",\"site\":\"hamburg\"}", "\"type\":\"float\"",
                "\"quality\":\"GOOD\"", "\"ts\":", "\"rt\":", "\"unit\":\"bar\"")) {
            assertTrue(line.contains(key), key + " missing in " + line);
        }
    }

    @Test
    void valueBeforeTypeAndUnknownKeysAreAccepted() {
        String line = "{\"value\":[{\"value\":5,\"type\":\"integer\"}],\"extra\":{\"a\":[1,2]},\"type\":\"array\",\"stream\":\"s\","
                + "\"seq\":1,\"connector\":\"c\",\"tag\":\"t\",\"quality\":\"BAD\",\"ts\":1,\"rt\":2}\n";
        DecodedSample d = SampleRecordFormat.decode(line.getBytes(StandardCharsets.UTF_8)).get(0);
        assertEquals(new io.sluice.spi.Value.ArrayValue(List.of(io.sluice.spi.Value.of(5L))), d.sample().value());
    }

    @Test
    void garbageIsRefusedWithTheLineNumber() {
        String two = new String(SampleRecordFormat.line(KinesisTestSamples.floats("s", 1, 1, 0).get(0)), StandardCharsets.UTF_8)
                + "{\"stream\":\"s\"}\n";
        var e = assertThrows(SampleRecordFormat.RecordFormatException.class,
                () -> SampleRecordFormat.decode(two.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(SampleRecordFormat.RecordFormatException.class,
                () -> SampleRecordFormat.decode(new byte[] {0x1f, (byte) 0x8b, 1, 2, 3}));
        assertThrows(SampleRecordFormat.RecordFormatException.class,
                () -> SampleRecordFormat.decode("{\"type\":\"integer\",\"value\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
    }

    static void assertRoundTrip(List<OutboundSample> in, List<DecodedSample> out) {
        assertEquals(in.size(), out.size());
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
