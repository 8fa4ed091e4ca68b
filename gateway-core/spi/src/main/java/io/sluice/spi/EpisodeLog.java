package io.sluice.spi;

import java.time.Duration;
import org.slf4j.Logger;

/**
 * Logs a recurring problem at most once per interval, with how many times it happened since the last line, so a
 * flood of bad datagrams cannot flood the log. Messages must not contain key material.
 */
public final class EpisodeLog {

    private final Logger log;
    private final long intervalNanos;
    private long nextNanos = Long.MIN_VALUE;
    private long suppressed;

    public EpisodeLog(Logger log, Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
    }

    public void warn(String message) {
        log(message, false);
    }

    /** For something expected that an operator may still want to know about (e.g. a broker's redeliveries). */
    public void info(String message) {
        log(message, true);
    }

    private synchronized void log(String message, boolean info) {
        long now = System.nanoTime();
        if (nextNanos != Long.MIN_VALUE && now - nextNanos < 0) {
            suppressed++;
            return;
        }
        String line = suppressed > 0 ? message + " (and " + suppressed + " more like it since the last report)" : message;
        if (info) {
            log.info(line);
        } else {
            log.warn(line);
        }
        suppressed = 0;
        nextNanos = now + intervalNanos;
    }
}
