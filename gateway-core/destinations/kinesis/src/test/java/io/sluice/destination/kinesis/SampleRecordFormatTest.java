package io.sluice.destination.kinesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.samplejson.DecodedSample;
import io.sluice.samplejson.SeriesFormatException;
import io.sluice.samplejson.SeriesJson;
import io.sluice.spi.destination.OutboundSample;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The record framing: JSON Lines of series, gzip'd or plain. The series themselves are tested in sample-json. */
class SampleRecordFormatTest {

    @Test
    void aRecordIsOneLinePerSeriesPlainOrGzip() {
        List<OutboundSample> in = KinesisTestSamples.floats("telemetry", 9, 3, 100);
        byte[] plain = SampleRecordFormat.encode(in, 0, in.size(), 0);
        assertFalse(SeriesJson.isGzip(plain));
        String text = new String(plain, StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"), text);
        String[] lines = text.split("\n");
        assertEquals(3, lines.length, text);
        for (String line : lines) assertTrue(line.startsWith("{\"stream\":\"telemetry\"") && line.endsWith("}"), line);

        byte[] gz = SampleRecordFormat.encode(in, 0, in.size(), 6);
        assertTrue(SeriesJson.isGzip(gz));
        List<DecodedSample> decoded = SampleRecordFormat.decode(gz);
        assertEquals(decoded, SampleRecordFormat.decode(plain));
        assertEquals(in.stream().map(OutboundSample::sequence).toList(), decoded.stream().map(DecodedSample::sequence).toList());
        assertEquals(in.stream().map(OutboundSample::sample).toList(), decoded.stream().map(DecodedSample::sample).toList());
    }

    @Test
    void encodesOnlyTheGivenRange() {
        List<OutboundSample> in = KinesisTestSamples.floats("telemetry", 10, 2, 0);
        List<DecodedSample> decoded = SampleRecordFormat.decode(SampleRecordFormat.encode(in, 3, 7, 6));
        assertEquals(List.of(3L, 4L, 5L, 6L), decoded.stream().map(DecodedSample::sequence).toList());
    }

    @Test
    void dataThatIsNotARecordIsRefused() {
        var e = assertThrows(SeriesFormatException.class,
                () -> SampleRecordFormat.decode("{\"v\":1,\"series\":[]}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith("line 1: "), e.getMessage());
    }

    @Test
    void jsonlRecordsAreOnePlainObjectPerSampleWithAbsoluteTimesWithinTheRecordLimit() throws Exception {
        List<OutboundSample> in = KinesisTestSamples.floats("telemetry", 5000, 7, 100);
        KinesisDestinationConfig c = KinesisTestSamples.withFormat(KinesisTestSamples.withRecordSize(
                KinesisTestSamples.config("s", java.util.Optional.empty()), io.sluice.spi.config.DataSize.ofKilobytes(64),
                KinesisDestinationConfig.Compression.GZIP), KinesisDestinationConfig.RecordFormat.JSONL);
        var result = new KinesisDestination("k", c).pack(in);
        assertTrue(result.rejected().isEmpty());
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        int n = 0;
        for (var p : result.packets()) {
            var entry = (software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry) p.body();
            byte[] data = entry.data().asByteArray();
            assertTrue(data.length + entry.partitionKey().length() <= 64 * 1024, "record of " + data.length + " bytes");
            assertFalse(SeriesJson.isGzip(data), "jsonl records are never compressed");
            String text = new String(data, StandardCharsets.UTF_8);
            assertTrue(text.endsWith("\n"));
            for (String line : text.split("\n")) {
                var o = mapper.readTree(line);
                OutboundSample s = in.get((int) (o.get("seq").asLong() - 100));
                assertEquals(s.sample().tag(), o.get("tag").asText());
                assertEquals(entry.partitionKey(), "sim/" + s.sample().tag());
                assertEquals(s.sample().sourceTime(), java.time.Instant.parse(o.get("source_time").asText()));
                assertEquals(Math.floorDiv(s.sample().sourceTimeNanos(), 1_000_000L), o.get("source_epoch_ms").asLong());
                assertEquals(s.sample().receiveTime(), java.time.Instant.parse(o.get("receive_time").asText()));
                assertEquals(((io.sluice.spi.Value.FloatValue) s.sample().value()).value(), o.get("value").asDouble());
                assertEquals("press-3", o.get("asset").get("machine").asText());
                n++;
            }
        }
        assertEquals(in.size(), n);
        assertTrue(result.packets().size() > 7, "more than one record per key at 64 KB: " + result.packets().size());
    }
}
