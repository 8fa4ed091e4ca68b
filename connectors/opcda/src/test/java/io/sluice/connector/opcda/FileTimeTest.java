package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class FileTimeTest {

    @Test
    void unixEpochIsTheKnownOffset() {
        assertEquals(116_444_736_000_000_000L, FileTime.fromInstant(Instant.EPOCH));
        assertEquals(Instant.EPOCH, FileTime.toInstant(116_444_736_000_000_000L));
    }

    @Test
    void zeroIs1601() {
        assertEquals(Instant.parse("1601-01-01T00:00:00Z"), FileTime.toInstant(0));
    }

    @Test
    void roundTripsAtHundredNanosecondResolution() {
        Instant t = Instant.parse("2026-03-14T15:09:26.535897900Z");
        assertEquals(t, FileTime.toInstant(FileTime.fromInstant(t)));
        Instant finer = Instant.parse("2026-03-14T15:09:26.535897999Z");
        assertEquals(t, FileTime.toInstant(FileTime.fromInstant(finer)), "truncated to 100 ns ticks");
    }

    @Test
    void halvesCombineUnsigned() {
        // 2026-01-01T00:00:00Z = 134117856000000000 = 0x01DC7A9A_F1C4C000 (low half negative as a Java int)
        long ft = FileTime.fromInstant(Instant.parse("2026-01-01T00:00:00Z"));
        int low = FileTime.low(ft);
        int high = FileTime.high(ft);
        assertEquals(ft, FileTime.fromHalves(low, high));
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), FileTime.toInstant(FileTime.fromHalves(low, high)));
        assertEquals(0xFFFF_FFFFL, FileTime.fromHalves(-1, 0));
    }

    @Test
    void largestFileTimeIsReadUnsigned() {
        // Windows' own conversion stops at 0x7FFFFFFFFFFFFFFF (year 30828); the wire carries all 64 bits.
        assertEquals(30828, FileTime.toInstant(Long.MAX_VALUE).atZone(java.time.ZoneOffset.UTC).getYear());
        assertEquals(60056, FileTime.toInstant(-1L).atZone(java.time.ZoneOffset.UTC).getYear());
    }

    @Test
    void before1601IsRejected() {
        assertThrows(IllegalArgumentException.class, () -> FileTime.fromInstant(Instant.parse("1600-12-31T23:59:59Z")));
    }
}
