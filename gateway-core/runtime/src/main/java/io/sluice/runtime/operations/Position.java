package io.sluice.runtime.operations;

import io.sluice.spi.Durations;
import io.sluice.spi.SluiceException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Where in a stream an operation starts or ends, as an operator writes it: a sequence number ({@code 1200}), an
 * instant ({@code 2026-12-07T00:10:00Z}), or a duration back from now ({@code 15m}, {@code 2h}). Times are compared
 * with the samples' receive times.
 *
 * @param sequence   the sequence, or -1 when a time was given
 * @param epochNanos the time, or -1 when a sequence was given
 */
public record Position(long sequence, long epochNanos) {

    public static Position ofSequence(long sequence) {
        return new Position(sequence, -1);
    }

    public static Position ofTime(Instant instant) {
        return new Position(-1, instant.getEpochSecond() * 1_000_000_000L + instant.getNano());
    }

    public boolean isSequence() {
        return sequence >= 0;
    }

    public static Position parse(String text, Clock clock) {
        String t = text.trim();
        if (t.matches("\\d+")) return ofSequence(Long.parseLong(t));
        try {
            return ofTime(Instant.parse(t));
        } catch (DateTimeParseException notAnInstant) {
            try {
                return ofTime(clock.instant().minus(Durations.parse(t)));
            } catch (RuntimeException notADuration) {
                throw new SluiceException("'" + text + "' is neither a sequence number, an instant (2026-12-07T00:10:00Z)"
                        + " nor a duration back from now (15m, 2h)", false);
            }
        }
    }

    @Override
    public String toString() {
        return isSequence() ? "sequence " + sequence : Instant.ofEpochSecond(0, epochNanos).toString();
    }
}
