package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.connector.lorawan.KnownGateways.Verdict;
import io.sluice.connector.lorawan.PacketForwarderServer.GatewayInfo;
import io.sluice.testkit.FakeMetrics;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

@Timeout(10)
class KnownGatewaysTest {

    static final long SECOND = 1_000_000_000L;

    private final FakeMetrics metrics = new FakeMetrics();

    private KnownGateways gateways(List<String> allow, int max) {
        return new KnownGateways(allow, max, 60 * SECOND, metrics, LoggerFactory.getLogger("test"));
    }

    private static void seen(KnownGateways g, String eui, long now) {
        g.update(eui, old -> new GatewayInfo(eui, null, null, now, 2));
    }

    private static String eui(int i) {
        return String.format("%016x", 0xaa00000000000000L | i);
    }

    @Test
    void aFullTableRefusesNewGatewaysAndCountsThem() {
        KnownGateways g = gateways(List.of(), 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(Verdict.SERVED, g.admit(eui(i), 0));
            seen(g, eui(i), 0);
        }
        for (int i = 3; i < 100; i++) {
            assertEquals(Verdict.TABLE_FULL, g.admit(eui(i), 10 * SECOND));
        }
        assertEquals(Verdict.SERVED, g.admit(eui(1), 10 * SECOND), "a known gateway is still served");
        assertEquals(3, g.size());
        assertEquals(97, metrics.count("lorawan.gateways.refused.table-full"));
    }

    @Test
    void aGatewaySilentForForgetAfterGivesUpItsPlace() {
        KnownGateways g = gateways(List.of(), 2);
        seen(g, eui(0), 0);
        seen(g, eui(1), 30 * SECOND);
        assertEquals(Verdict.TABLE_FULL, g.admit(eui(2), 59 * SECOND));
        assertEquals(Verdict.SERVED, g.admit(eui(2), 60 * SECOND), "eui 0 has been silent for 60 s");
        seen(g, eui(2), 60 * SECOND);
        assertEquals(Set.of(eui(1), eui(2)), g.snapshot().keySet());
        assertEquals(Verdict.TABLE_FULL, g.admit(eui(3), 61 * SECOND), "eui 1 was seen 31 s ago");
        seen(g, eui(1), 85 * SECOND); // heard again: eui 2 is now the one silent longest
        assertEquals(Verdict.TABLE_FULL, g.admit(eui(3), 119 * SECOND));
        assertEquals(Verdict.SERVED, g.admit(eui(3), 120 * SECOND));
        seen(g, eui(3), 120 * SECOND);
        assertEquals(Set.of(eui(1), eui(3)), g.snapshot().keySet());
    }

    @Test
    void theAllowListRefusesOthersWhateverTheRoom() {
        KnownGateways g = gateways(List.of("B827EBFFFE000001"), 1000);
        assertEquals(Verdict.SERVED, g.admit("b827ebfffe000001", 0));
        assertEquals(Verdict.NOT_ALLOWED, g.admit("b827ebfffe000002", 0));
        assertEquals(1, metrics.count("lorawan.gateways.refused.not-allowed"));
        assertEquals(0, metrics.count("lorawan.gateways.refused.table-full"));
    }
}
