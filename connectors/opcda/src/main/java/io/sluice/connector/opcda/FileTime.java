package io.sluice.connector.opcda;

import java.time.Instant;

/**
 * Windows FILETIME: a 64-bit count of 100-nanosecond intervals since 1601-01-01T00:00:00Z, transported as two
 * 32-bit halves (dwLowDateTime, dwHighDateTime). Zero means "no timestamp" to most OPC servers.
 */
public final class FileTime {

    /** Seconds between 1601-01-01 and 1970-01-01. */
    static final long EPOCH_OFFSET_SECONDS = 11_644_473_600L;
    private static final long TICKS_PER_SECOND = 10_000_000L;

    private FileTime() {}

    public static long fromHalves(int low, int high) {
        return ((long) high << 32) | (low & 0xFFFF_FFFFL);
    }

    public static int low(long fileTime) {
        return (int) fileTime;
    }

    public static int high(long fileTime) {
        return (int) (fileTime >>> 32);
    }

    /** Treats the 64 bits as unsigned, as Windows does. */
    public static Instant toInstant(long fileTime) {
        long seconds = Long.divideUnsigned(fileTime, TICKS_PER_SECOND);
        long ticks = Long.remainderUnsigned(fileTime, TICKS_PER_SECOND);
        return Instant.ofEpochSecond(seconds - EPOCH_OFFSET_SECONDS, ticks * 100);
    }

    /** Truncates to 100 ns; throws IllegalArgumentException before 1601, where FILETIME has no representation. */
    public static long fromInstant(Instant instant) {
        long seconds = instant.getEpochSecond() + EPOCH_OFFSET_SECONDS;
        if (seconds < 0) {
            throw new IllegalArgumentException("FILETIME cannot represent " + instant + " (before 1601-01-01)");
        }
        return Math.addExact(Math.multiplyExact(seconds, TICKS_PER_SECOND), instant.getNano() / 100);
    }
}
