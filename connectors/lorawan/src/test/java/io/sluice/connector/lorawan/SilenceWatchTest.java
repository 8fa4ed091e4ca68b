package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.testkit.FakeMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The silence alarm: one WARN when a device falls silent, one INFO when it is heard again; the gauges. */
@Timeout(10)
class SilenceWatchTest {

    static final class MovableClock extends Clock {
        long millis;

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }

        @Override public Clock withZone(java.time.ZoneId zone) { return this; }

        @Override public Instant instant() { return Instant.ofEpochMilli(millis); }
    }

    @Test
    void aSilentDeviceIsReportedOncePerEpisode() {
        MovableClock clock = new MovableClock();
        clock.millis = 1_000_000;
        SessionStore sessions = new SessionStore(null);
        FakeMetrics metrics = new FakeMetrics();
        RecordingLogger log = new RecordingLogger();
        SilenceWatch watch = new SilenceWatch(Set.of("tank", "door"), sessions, Duration.ofMinutes(10), clock, metrics, log);
        watch.startedAt(clock.millis);
        sessions.getOrCreate("tank").lastSeenMillis = clock.millis;

        clock.millis += Duration.ofMinutes(9).toMillis();
        watch.check();
        assertEquals(0, metrics.gaugeValue("lorawan.devices.silent").intValue());

        clock.millis += Duration.ofMinutes(2).toMillis();
        sessions.getOrCreate("door").lastSeenMillis = clock.millis; // door speaks; tank has been silent 11 minutes
        watch.check();
        watch.check();
        assertEquals(1, metrics.gaugeValue("lorawan.devices.silent").intValue());
        assertEquals(1, log.count("WARN", "LoRaWAN device tank silent for 660 s"));
        assertEquals(0, log.count("WARN", "door"));

        sessions.getOrCreate("tank").lastSeenMillis = clock.millis;
        watch.check();
        assertEquals(0, metrics.gaugeValue("lorawan.devices.silent").intValue());
        assertEquals(1, log.count("INFO", "LoRaWAN device tank heard again"));
        assertEquals(0.0, metrics.gaugeValue("lorawan.device.last-seen-age").doubleValue(), "age of the last registered device");
    }

    @Test
    void aDeviceNeverHeardCountsFromTheStart() {
        MovableClock clock = new MovableClock();
        clock.millis = 5_000;
        FakeMetrics metrics = new FakeMetrics();
        RecordingLogger log = new RecordingLogger();
        SilenceWatch watch = new SilenceWatch(Set.of("new-one"), new SessionStore(null), Duration.ofSeconds(30), clock, metrics, log);
        watch.startedAt(clock.millis);
        clock.millis += 31_000;
        watch.check();
        assertEquals(1, log.count("WARN", "new-one silent for 31 s"));
        assertEquals(31.0, metrics.gaugeValue("lorawan.device.last-seen-age").doubleValue());
    }
}
