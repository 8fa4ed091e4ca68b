package io.sluice.runtime.config;

import io.sluice.spi.config.DataSize;
import java.util.Locale;

/**
 * Free disk space to keep, written in config as an absolute size ({@code 256MB}) or as a percentage of the file
 * system ({@code 5%}).
 */
public record FreeSpace(long bytes, double percent) {

    public FreeSpace {
        if (bytes < 0 || percent < 0 || percent > 100 || Double.isNaN(percent)) {
            throw new IllegalArgumentException("free space must be a size or a percentage between 0% and 100%");
        }
    }

    public static FreeSpace ofBytes(long bytes) {
        return new FreeSpace(bytes, 0);
    }

    public static FreeSpace ofPercent(double percent) {
        return new FreeSpace(0, percent);
    }

    public static FreeSpace parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("%")) {
            try {
                return ofPercent(Double.parseDouble(t.substring(0, t.length() - 1).trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a percentage such as 5%, got '" + text + "'");
            }
        }
        return ofBytes(DataSize.parse(t).bytes());
    }

    /** The bytes to keep free on a file system of {@code totalBytes}. */
    public long bytesOf(long totalBytes) {
        return percent > 0 ? (long) (totalBytes * (percent / 100.0)) : bytes;
    }

    @Override
    public String toString() {
        if (percent > 0) return (percent == Math.rint(percent) ? String.valueOf((long) percent) : String.valueOf(percent)) + "%";
        return DataSize.ofBytes(bytes).toString();
    }
}
