package io.sluice.spi.config;

import java.util.Locale;
import java.util.regex.Matcher;

/** A size in bytes, written in config as {@code 512}, {@code 64KB}, {@code 256MB}, {@code 1GB} (binary units: 1KB = 1024 B). */
public record DataSize(long bytes) {

    private static final java.util.regex.Pattern SIZE =
            java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KB|KIB|MB|MIB|GB|GIB|TB|TIB)?");

    public DataSize {
        if (bytes < 0) throw new IllegalArgumentException("size must not be negative");
    }

    public static DataSize ofBytes(long bytes) { return new DataSize(bytes); }

    public static DataSize ofKilobytes(long kb) { return new DataSize(kb * 1024); }

    public static DataSize ofMegabytes(long mb) { return new DataSize(mb * 1024 * 1024); }

    public static DataSize parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as 512B, 64KB, 256MB or 1GB, got '" + text + "'");
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        long factor = switch (unit.charAt(0)) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            case 'T' -> 1L << 40;
            default -> 1L;
        };
        return new DataSize(Math.round(amount * factor));
    }

    @Override
    public String toString() {
        long[] factors = {1L << 40, 1L << 30, 1L << 20, 1L << 10};
        String[] names = {"TB", "GB", "MB", "KB"};
        for (int i = 0; i < factors.length; i++) {
            if (bytes >= factors[i] && bytes % factors[i] == 0) return bytes / factors[i] + names[i];
        }
        return bytes + "B";
    }
}
