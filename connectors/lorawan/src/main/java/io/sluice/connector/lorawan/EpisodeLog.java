package io.sluice.connector.lorawan;

import org.slf4j.Logger;

/**
 * Logs a recurring problem at most once per interval, with how many times it happened since the last line, so a
 * flood of bad datagrams cannot flood the log. Messages must not contain key material.
 */
final class EpisodeLog {

    private final Logger log;
    private final long intervalNanos;
    private long nextNanos = Long.MIN_VALUE;
    private long suppressed;

    EpisodeLog(Logger log, long intervalNanos) {
        this.log = log;
        this.intervalNanos = intervalNanos;
    }

    synchronized void warn(String message) {
        long now = System.nanoTime();
        if (nextNanos != Long.MIN_VALUE && now - nextNanos < 0) {
            suppressed++;
            return;
        }
        if (suppressed > 0) {
            log.warn("{} (and {} more like it since the last report)", message, suppressed);
        } else {
            log.warn(message);
        }
        suppressed = 0;
        nextNanos = now + intervalNanos;
    }
}
