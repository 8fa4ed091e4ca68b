package io.sluice.samplejson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.spi.destination.OutboundSample;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleObjectJsonTest {

    @Test
    void linesCarryAbsoluteTimesAndEpochMillisOnlyWhenAsked() throws Exception {
        List<OutboundSample> in = TestSamples.floats(6, 2, 40);
        String with = new String(SampleObjectJson.encodeLines(in, 2, 5, true), StandardCharsets.UTF_8);
        String[] lines = with.split("\n");
        assertEquals(3, lines.length);
        assertTrue(with.endsWith("\n"));
        ObjectMapper m = new ObjectMapper();
        for (int i = 0; i < 3; i++) {
            OutboundSample s = in.get(i + 2);
            JsonNode o = m.readTree(lines[i]);
            assertEquals(s.sequence(), o.get("seq").asLong());
            assertEquals(s.sample().sourceTime(), Instant.parse(o.get("source_time").asText()));
            assertEquals(s.sample().sourceTimeNanos() / 1_000_000, o.get("source_epoch_ms").asLong());
            assertEquals("hamburg", o.get("asset").get("site").asText());
        }
        assertFalse(new String(SampleObjectJson.encodeLines(in, 0, 1, false), StandardCharsets.UTF_8).contains("epoch"));
    }

    @Test
    void epochMillisRoundDownAlsoBefore1970() {
        assertEquals(1, SampleObjectJson.epochMillis(1_999_999));
        assertEquals(-1, SampleObjectJson.epochMillis(-1));
    }
}
