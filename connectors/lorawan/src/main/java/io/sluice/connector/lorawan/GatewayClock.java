package io.sluice.connector.lorawan;

import java.time.Duration;
import io.sluice.spi.EpisodeLog;
import io.sluice.spi.Sample;
import io.sluice.spi.metrics.Metrics;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Decides whether a gateway's own receive time may become a sample's source time: only when it lies within
 * {@code gateway-time-tolerance} of Sluice's receive time. A gateway without a GPS fix reports 1970, a badly set
 * clock 2099; taking either as the source time would file the data decades away. A rejected time is counted in
 * {@code lorawan.gateway-time.rejected}; each gateway's episode of wrong times is logged once when it starts and
 * once when the clock is back within the tolerance.
 *
 * <p>Thread-safe. At most {@link #MAX_TRACKED} gateways are tracked in an episode at once; beyond that, wrong times
 * are still rejected and counted, and logged at most once per 10 s.
 */
final class GatewayClock {

    static final int MAX_TRACKED = 1024;

    private final long toleranceNanos;
    private final Logger log;
    private final Metrics.Counter rejected;
    private final Map<String, Long> badEpisodes = new HashMap<>(); // gateway -> times rejected in this episode
    private final EpisodeLog untrackedLog;

    GatewayClock(long toleranceNanos, Metrics metrics, Logger log) {
        this.toleranceNanos = toleranceNanos;
        this.log = log;
        this.rejected = metrics.counter("lorawan.gateway-time.rejected");
        this.untrackedLog = new EpisodeLog(log, Duration.ofSeconds(10));
    }

    /**
     * The gateway's time when it may be used, else {@link RxMetadata#NO_TIME} (the caller uses its receive time).
     *
     * @param gateway       the gateway's id, for counting and the log
     * @param reportedNanos the gateway's time, epoch nanoseconds, or {@link RxMetadata#NO_TIME}
     * @param receiveNanos  Sluice's wall-clock receive time, epoch nanoseconds
     */
    long check(String gateway, long reportedNanos, long receiveNanos) {
        if (reportedNanos == RxMetadata.NO_TIME || toleranceNanos == 0) {
            return RxMetadata.NO_TIME;
        }
        boolean within = reportedNanos >= receiveNanos - toleranceNanos && reportedNanos <= receiveNanos + toleranceNanos;
        synchronized (this) {
            if (within) {
                if (!badEpisodes.isEmpty()) {
                    Long count = badEpisodes.remove(gateway);
                    if (count != null) {
                        log.info("gateway {} reports times within gateway-time-tolerance again, after {} rejected", gateway, count);
                    }
                }
                return reportedNanos;
            }
            rejected.increment();
            Long count = badEpisodes.get(gateway);
            if (count != null) {
                badEpisodes.put(gateway, count + 1);
            } else if (badEpisodes.size() < MAX_TRACKED) {
                badEpisodes.put(gateway, 1L);
                log.warn("gateway {} reports the time {}, {} the receive time (more than gateway-time-tolerance); "
                        + "its receptions get the receive time until its clock is right",
                        gateway, describe(reportedNanos), offset(reportedNanos - receiveNanos));
            } else {
                untrackedLog.warn("gateway " + gateway + " reports the time " + describe(reportedNanos)
                        + ", outside gateway-time-tolerance; the receive time is used");
            }
        }
        return RxMetadata.NO_TIME;
    }

    /** The reception with its time checked. */
    RxMetadata check(RxMetadata rx, long receiveNanos) {
        long t = check(rx.gateway(), rx.timeNanos(), receiveNanos);
        return t == rx.timeNanos() ? rx : rx.withTime(t);
    }

    /** e.g. "20,427 days behind", "3 h ahead of", "412 s behind". */
    static String offset(long deltaNanos) {
        long seconds = Math.abs(deltaNanos / 1_000_000_000L);
        String amount = seconds >= 86_400 ? String.format(java.util.Locale.ROOT, "%,d days", seconds / 86_400)
                : seconds >= 3_600 ? String.format(java.util.Locale.ROOT, "%,d h", seconds / 3_600) : String.format(java.util.Locale.ROOT, "%,d s", seconds);
        return amount + (deltaNanos < 0 ? " behind" : " ahead of");
    }

    private static String describe(long nanos) {
        try {
            return Sample.toInstant(nanos).toString();
        } catch (RuntimeException e) {
            return nanos + " ns";
        }
    }
}
