package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.spi.Sample;
import io.sluice.testkit.FakeMetrics;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GatewayClockTest {

    static final long MINUTE = 60_000_000_000L;
    static final long NOW = Sample.toNanos(Instant.parse("2026-12-06T12:00:00Z"));
    static final long EPOCH_PLUS_10S = Sample.toNanos(Instant.parse("1970-01-01T00:00:10Z"));
    static final long YEAR_2099 = Sample.toNanos(Instant.parse("2099-01-01T00:00:00Z"));

    private final FakeMetrics metrics = new FakeMetrics();
    private final RecordingLogger log = new RecordingLogger();
    private final GatewayClock clock = new GatewayClock(5 * MINUTE, metrics, log);

    @Test
    void timesWithinTheToleranceAreKeptOthersAreNot() {
        assertEquals(NOW - 5 * MINUTE, clock.check("gw", NOW - 5 * MINUTE, NOW));
        assertEquals(NOW + 5 * MINUTE, clock.check("gw", NOW + 5 * MINUTE, NOW));
        assertEquals(RxMetadata.NO_TIME, clock.check("gw", NOW - 5 * MINUTE - 1, NOW));
        assertEquals(RxMetadata.NO_TIME, clock.check("gw", NOW + 5 * MINUTE + 1, NOW));
        assertEquals(RxMetadata.NO_TIME, clock.check("gw", EPOCH_PLUS_10S, NOW));
        assertEquals(RxMetadata.NO_TIME, clock.check("gw", YEAR_2099, NOW));
        assertEquals(RxMetadata.NO_TIME, clock.check("gw", RxMetadata.NO_TIME, NOW), "no time stays no time");
        assertEquals(4, metrics.count("lorawan.gateway-time.rejected"));
    }

    @Test
    void oneWarningPerEpisodePerGatewayAndOneLineWhenItEnds() {
        for (int i = 0; i < 100; i++) {
            clock.check("gw-a", EPOCH_PLUS_10S, NOW);
            clock.check("gw-b", YEAR_2099, NOW);
        }
        assertEquals(1, log.count("WARN", "gw-a"), log.lines().toString());
        assertEquals(1, log.count("WARN", "gw-b"), log.lines().toString());
        assertEquals(1, log.count("WARN", "1970-01-01T00:00:10Z, 20,793 days behind the receive time"), log.lines().toString());
        assertEquals(1, log.count("WARN", "2099-01-01T00:00:00Z, 26,323 days ahead of the receive time"), log.lines().toString());
        clock.check("gw-a", NOW, NOW);
        clock.check("gw-a", NOW, NOW);
        assertEquals(1, log.count("INFO", "gw-a"), log.lines().toString());
        assertEquals(1, log.count("INFO", "after 100 rejected"), log.lines().toString());
        clock.check("gw-a", EPOCH_PLUS_10S, NOW);
        assertEquals(2, log.count("WARN", "gw-a"), "a new episode is logged again");
        assertEquals(201, metrics.count("lorawan.gateway-time.rejected"));
    }

    @Test
    void aToleranceOfZeroNeverUsesTheGatewayTime() {
        GatewayClock never = new GatewayClock(0, metrics, log);
        assertEquals(RxMetadata.NO_TIME, never.check("gw", NOW, NOW));
        assertEquals(0, metrics.count("lorawan.gateway-time.rejected"));
        assertEquals(0, log.lines().size());
    }

    @Test
    void manyGatewaysWithWrongClocksDoNotGrowTheTrackingWithoutLimit() {
        for (int i = 0; i < GatewayClock.MAX_TRACKED + 5_000; i++) {
            assertEquals(RxMetadata.NO_TIME, clock.check("gw-" + i, YEAR_2099, NOW));
        }
        assertEquals(GatewayClock.MAX_TRACKED + 5_000, metrics.count("lorawan.gateway-time.rejected"));
        long warnings = log.count("WARN", "");
        // one per tracked gateway, then at most one line per 10 s for the rest (not one per gateway)
        org.junit.jupiter.api.Assertions.assertTrue(warnings > GatewayClock.MAX_TRACKED && warnings < GatewayClock.MAX_TRACKED + 100,
                warnings + " warnings");
    }
}
