package io.sluice.connector.lorawan;

import io.sluice.spi.Sample;
import java.time.Instant;

/**
 * Parses the UTC timestamps gateways send ({@code 2013-03-31T16:21:17.528002Z}) without the general
 * {@link java.time.format.DateTimeFormatter} machinery, which costs more than the rest of a frame's handling. Other
 * forms (offsets, no fraction digits beyond nanoseconds) fall back to {@link Instant#parse}.
 */
final class IsoTime {

    private IsoTime() {}

    /** Epoch nanoseconds; throws a RuntimeException when the text is not an ISO-8601 instant. */
    static long parseNanos(String s) {
        int n = s.length();
        if (n >= 20 && s.charAt(4) == '-' && s.charAt(7) == '-' && s.charAt(10) == 'T' && s.charAt(13) == ':'
                && s.charAt(16) == ':' && s.charAt(n - 1) == 'Z') {
            int year = digits(s, 0, 4);
            int month = digits(s, 5, 2);
            int day = digits(s, 8, 2);
            int hour = digits(s, 11, 2);
            int minute = digits(s, 14, 2);
            int second = digits(s, 17, 2);
            long nanos = 0;
            if (n > 20) {
                if (s.charAt(19) != '.' || n - 21 > 9 || n - 21 < 1) {
                    return Sample.toNanos(Instant.parse(s));
                }
                int frac = digits(s, 20, n - 21);
                if (frac < 0) {
                    return Sample.toNanos(Instant.parse(s));
                }
                nanos = frac;
                for (int i = n - 21; i < 9; i++) nanos *= 10;
            } else if (n != 20) {
                return Sample.toNanos(Instant.parse(s));
            }
            if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                    || minute > 59 || second < 0 || second > 59) {
                return Sample.toNanos(Instant.parse(s));
            }
            long days = java.time.LocalDate.of(year, month, day).toEpochDay();
            long epochSeconds = days * 86_400L + hour * 3_600L + minute * 60L + second;
            return Math.addExact(Math.multiplyExact(epochSeconds, 1_000_000_000L), nanos);
        }
        return Sample.toNanos(Instant.parse(s));
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1_000_000;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
