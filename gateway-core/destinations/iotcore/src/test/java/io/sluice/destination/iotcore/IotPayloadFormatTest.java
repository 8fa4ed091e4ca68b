package io.sluice.destination.iotcore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.samplejson.DecodedSample;
import io.sluice.samplejson.SeriesJson;
import io.sluice.spi.destination.OutboundSample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The payload framing: one versioned document holding the series, gzip'd or plain. */
class IotPayloadFormatTest {

    @Test
    void aPayloadIsOneDocumentWithTheVersionAndAnArrayOfSeries() throws Exception {
        List<OutboundSample> in = IotTestSamples.floats("telemetry", 12, 3, 40);
        byte[] plain = IotPayloadFormat.encode(in, 2, 11, 0, IotPayloadFormat.Layout.SERIES);
        JsonNode root = new ObjectMapper().readTree(plain);
        assertEquals(IotPayloadFormat.SERIES_VERSION, root.get("v").asInt());
        assertEquals(3, root.get("series").size(), "one series per tag: " + root);
        for (JsonNode series : root.get("series")) assertEquals(3, series.get("n").asInt(), series.toString());

        byte[] gz = IotPayloadFormat.encode(in, 2, 11, 6, IotPayloadFormat.Layout.SERIES);
        assertTrue(SeriesJson.isGzip(gz));
        List<DecodedSample> decoded = IotPayloadFormat.decode(gz);
        assertEquals(decoded, IotPayloadFormat.decode(plain));
        assertEquals(in.subList(2, 11).stream().map(OutboundSample::sample).toList(),
                decoded.stream().map(DecodedSample::sample).toList());
    }

    @Test
    void whatIsNotAPayloadIsAnIOExceptionSayingWhere() {
        var noSeries = assertThrows(IOException.class, () -> IotPayloadFormat.decode(utf8("{\"v\":1}")));
        assertTrue(noSeries.getMessage().contains("no series array"), noSeries.getMessage());
        assertThrows(IOException.class, () -> IotPayloadFormat.decode(new byte[] {0x1f, (byte) 0x8b, 1, 2, 3}));
        var badSeries = assertThrows(IOException.class, () -> IotPayloadFormat.decode(utf8("{\"v\":1,\"series\":[{}]}")));
        assertTrue(badSeries.getMessage().startsWith("series[0]: "), badSeries.getMessage());
    }

    @Test
    void anUnknownVersionOrNoVersionIsRefusedByName() {
        var v3 = assertThrows(IOException.class, () -> IotPayloadFormat.decode(utf8("{\"v\":3,\"series\":[]}")));
        assertTrue(v3.getMessage().contains("payload version 3 is not known"), v3.getMessage());
        var none = assertThrows(IOException.class, () -> IotPayloadFormat.decode(utf8("{\"series\":[]}")));
        assertTrue(none.getMessage().contains("no version"), none.getMessage());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
