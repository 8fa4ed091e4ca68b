package io.sluice.samplejson;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReusableGzipTest {

    /** JSON-like text of about {@code bytes} bytes: numbers and repeated keys, as the payloads are. */
    private static byte[] document(Random random, int bytes) {
        StringBuilder b = new StringBuilder("{\"v\":2,\"value\":[");
        while (b.length() < bytes) b.append(random.nextInt(100_000) / 1000.0).append(",\"tag.").append(random.nextInt(1000)).append("\",");
        return b.append("0]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void givesTheBytesOfAFreshGzipStreamForManyDocumentsAndLevels() {
        Random random = new Random(7);
        try (ReusableGzip gzip = new ReusableGzip()) {
            for (int i = 0; i < 200; i++) {
                int level = i % 3 == 0 ? 1 : i % 3 == 1 ? 6 : 9;
                byte[] doc = document(random, random.nextInt(i < 190 ? 6000 : 300_000));
                assertArrayEquals(SeriesJson.gzip(doc, level), gzip.gzip(doc, level), "document " + i + " at level " + level);
            }
            byte[] noise = new byte[50_000]; // incompressible: the output is larger than the input, the buffer grows
            random.nextBytes(noise);
            assertArrayEquals(SeriesJson.gzip(noise, 6), gzip.gzip(noise, 6));
            assertArrayEquals(SeriesJson.gzip(new byte[0], 1), gzip.gzip(new byte[0], 1));
            assertArrayEquals(SeriesJson.decompress(gzip.gzip(noise, 1)), noise);
        }
    }

    @Test
    void stillWorksAfterCloseAndRefusesBadLevels() {
        ReusableGzip gzip = new ReusableGzip();
        byte[] doc = document(new Random(1), 3000);
        gzip.gzip(doc, 6);
        gzip.close();
        assertArrayEquals(SeriesJson.gzip(doc, 6), gzip.gzip(doc, 6));
        assertThrows(IllegalArgumentException.class, () -> gzip.gzip(doc, 0));
    }
}
