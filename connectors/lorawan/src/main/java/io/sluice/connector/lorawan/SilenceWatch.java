package io.sluice.connector.lorawan;

import io.sluice.spi.metrics.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Per configured device: the gauge {@code lorawan.device.last-seen-age} (seconds since its last accepted uplink or
 * join, tag {@code device}; since the connector started when never heard), and the silence alarm: a device silent
 * for {@code silence-alarm} is logged once (WARN) when it falls silent and once (INFO) when it is heard again, and
 * counted in the gauge {@code lorawan.devices.silent}. The set of devices is the config's, never the network's.
 */
final class SilenceWatch {

    private final Set<String> devices;
    private final SessionStore sessions;
    private final long alarmMillis;
    private final Clock clock;
    private final Logger log;
    private final Set<String> silent = ConcurrentHashMap.newKeySet();
    private volatile long startedMillis;

    SilenceWatch(Set<String> devices, SessionStore sessions, Duration alarm, Clock clock, Metrics metrics, Logger log) {
        this.devices = Set.copyOf(devices);
        this.sessions = sessions;
        this.alarmMillis = alarm.toMillis();
        this.clock = clock;
        this.log = log;
        for (String d : this.devices) {
            metrics.gauge("lorawan.device.last-seen-age", () -> ageMillis(d, clock.millis()) / 1000.0, "device", d);
        }
        metrics.gauge("lorawan.devices.silent", silent::size);
    }

    void startedAt(long millis) {
        startedMillis = millis;
    }

    private long ageMillis(String device, long now) {
        DeviceState s = sessions.get(device);
        long seen = s == null || s.lastSeenMillis == 0 ? startedMillis : s.lastSeenMillis;
        return Math.max(0, now - seen);
    }

    /** Checks every device against the alarm period; logs the changes. */
    void check() {
        if (alarmMillis <= 0) {
            return;
        }
        long now = clock.millis();
        Set<String> nowSilent = new HashSet<>();
        for (String d : devices) {
            if (ageMillis(d, now) >= alarmMillis) {
                nowSilent.add(d);
            }
        }
        for (String d : nowSilent) {
            if (silent.add(d)) {
                log.warn("LoRaWAN device {} silent for {} s (silence-alarm {})", d, ageMillis(d, now) / 1000,
                        io.sluice.spi.Durations.format(Duration.ofMillis(alarmMillis)));
            }
        }
        for (String d : Set.copyOf(silent)) {
            if (!nowSilent.contains(d) && silent.remove(d)) {
                log.info("LoRaWAN device {} heard again", d);
            }
        }
    }
}
