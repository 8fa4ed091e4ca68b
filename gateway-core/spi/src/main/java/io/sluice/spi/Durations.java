package io.sluice.spi;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing and printing of durations the way config files write them: {@code 500ms}, {@code 5s}, {@code 7d}. */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h|d)");

    private Durations() {}

    /** Parses {@code 250ms}, {@code 10s}, {@code 1.5m}, {@code 7d}; throws IllegalArgumentException otherwise. */
    public static Duration parse(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 5s, 2m, 1h or 7d, got '" + text + "'");
        }
        double amount = Double.parseDouble(m.group(1));
        double nanosPerUnit = switch (m.group(2)) {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            case "h" -> 3600e9;
            default -> 86400e9;
        };
        return Duration.ofNanos(Math.round(amount * nanosPerUnit));
    }

    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) return "0s";
        if (nanos % 86_400_000_000_000L == 0) return nanos / 86_400_000_000_000L + "d";
        if (nanos % 3_600_000_000_000L == 0) return nanos / 3_600_000_000_000L + "h";
        if (nanos % 60_000_000_000L == 0) return nanos / 60_000_000_000L + "m";
        if (nanos % 1_000_000_000L == 0) return nanos / 1_000_000_000L + "s";
        if (nanos % 1_000_000L == 0) return nanos / 1_000_000L + "ms";
        if (nanos % 1_000L == 0) return nanos / 1_000L + "us";
        return nanos + "ns";
    }

    /**
     * Waits for a future with a timeout, unwrapping the cause and restoring the interrupt flag, so callers never
     * block forever on {@code get()}.
     */
    public static <T> T await(CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("interrupted while waiting", true, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            throw new SluiceException(cause.getMessage(), true, cause);
        } catch (TimeoutException e) {
            throw new SluiceException("timed out after " + format(timeout), true, e);
        }
    }
}
