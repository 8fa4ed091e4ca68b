package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.spi.Sample;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IsoTimeTest {

    @Test
    void agreesWithInstantParse() {
        for (String s : new String[] {"2013-03-31T16:21:17.528002Z", "2024-01-01T00:00:00.000000Z", "2026-11-22T06:00:00Z",
                "2026-11-22T06:00:00.1Z", "2026-02-28T23:59:59.999999999Z", "1999-12-31T23:59:59.5Z",
                "2026-11-22T06:00:00.123+01:00", "2020-02-29T12:00:00.25Z"}) {
            assertEquals(Sample.toNanos(Instant.parse(s)), IsoTime.parseNanos(s), s);
        }
    }

    @Test
    void rejectsWhatInstantRejects() {
        for (String s : new String[] {"2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-22T06:0x:00Z", "not a time",
                "2026-11-22T06:00:00.1234567890Z"}) {
            assertThrows(RuntimeException.class, () -> IsoTime.parseNanos(s), s);
        }
    }
}
