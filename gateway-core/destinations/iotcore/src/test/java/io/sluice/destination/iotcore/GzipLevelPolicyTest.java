package io.sluice.destination.iotcore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.spi.config.DataSize;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GzipLevelPolicyTest {

    private static final long SECOND = 1_000_000_000L;

    /** Packs {@code bytesPerSecond} for one second on {@code clock}, then returns the level chosen next. */
    private static int afterASecondOf(GzipLevelPolicy policy, AtomicLong clock, long bytesPerSecond) {
        policy.level();
        policy.packed(bytesPerSecond);
        clock.addAndGet(SECOND);
        return policy.level();
    }

    @Test
    void fastWhileFarFromTheByteQuotaSmallNearItWithAGapBetween() {
        AtomicLong clock = new AtomicLong(5 * SECOND);
        GzipLevelPolicy policy = new GzipLevelPolicy(100_000, clock::get);
        assertEquals(GzipLevelPolicy.FAST, policy.level(), "starts fast");
        assertEquals(GzipLevelPolicy.FAST, afterASecondOf(policy, clock, 55_000), "55 % of the quota: not yet");
        assertEquals(GzipLevelPolicy.SMALL, afterASecondOf(policy, clock, 65_000), "65 %: bytes matter");
        assertEquals(GzipLevelPolicy.SMALL, afterASecondOf(policy, clock, 45_000), "45 %: stays small (the gap)");
        assertEquals(GzipLevelPolicy.FAST, afterASecondOf(policy, clock, 35_000), "35 %: fast again");
        policy.packed(90_000);
        clock.addAndGet(SECOND / 2);
        assertEquals(GzipLevelPolicy.FAST, policy.level(), "the level changes only after a second's bytes");
        clock.addAndGet(SECOND / 2);
        assertEquals(GzipLevelPolicy.SMALL, policy.level());
        clock.addAndGet(60 * SECOND);
        assertEquals(GzipLevelPolicy.FAST, policy.level(), "a quiet minute: fast");
    }

    @Test
    void withoutAByteQuotaAlwaysFast() {
        AtomicLong clock = new AtomicLong();
        GzipLevelPolicy policy = new GzipLevelPolicy(0, clock::get);
        assertEquals(GzipLevelPolicy.FAST, afterASecondOf(policy, clock, 10_000_000));
    }

    /** The destination gzips fast while its bytes are far under bytes-per-second, smaller once they near it. */
    @Test
    void theDestinationCompressesHarderOnlyNearItsByteQuota() {
        IotCoreDestinationConfig base = IotTestSamples.config("ssl://h:1", "c", "k", null,
                IotCoreDestinationConfig.PayloadFormat.JSON_GZIP, "t/{stream}");
        IotCoreDestinationConfig config = new IotCoreDestinationConfig(base.transport(), base.endpoint(), base.clientId(),
                base.certificate(), base.privateKey(), base.caCertificate(), base.topic(), base.qos(), base.payloadFormat(),
                base.jsonLayout(), base.maxPayloadSize(), base.publishesPerSecond(), DataSize.ofKilobytes(20),
                1, base.windowSamples(), base.keepAlive(), base.connectTimeout(), base.publishTimeout(),
                base.reconnectMinDelay(), base.reconnectMaxDelay());
        AtomicLong clock = new AtomicLong();
        IotCoreDestination d = new IotCoreDestination("d", config, clock::get);
        try {
            List<OutboundSample> round = IotTestSamples.wide("s", 100, 1, 0); // ~1 KB gzip'd: 5 % of 20 KB/s
            assertPackedAt(GzipLevelPolicy.FAST, d.pack(round), round);
            clock.addAndGet(SECOND);
            assertPackedAt(GzipLevelPolicy.FAST, d.pack(round), round);
            List<OutboundSample> big = IotTestSamples.wide("s", 1000, 2, 1000); // ~20 KB: all of the quota
            d.pack(big);
            clock.addAndGet(SECOND);
            assertPackedAt(GzipLevelPolicy.SMALL, d.pack(round), round);
        } finally {
            d.close();
        }
    }

    private static void assertPackedAt(int level, PackResult packed, List<OutboundSample> samples) {
        assertEquals(1, packed.packets().size());
        byte[] payload = ((IotCoreDestination.Message) packed.packets().get(0).body()).payload();
        assertArrayEquals(IotPayloadFormat.encode(samples, 0, samples.size(), level, IotPayloadFormat.Layout.AUTO), payload,
                "gzip level " + level);
    }
}
