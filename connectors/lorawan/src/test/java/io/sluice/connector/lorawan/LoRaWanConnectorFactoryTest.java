package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Codec;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Device;
import io.sluice.spi.config.Secret;
import io.sluice.spi.connector.ConnectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LoRaWanConnectorFactoryTest {

    private static List<String> problems(LoRaWanConnectorConfig c) {
        List<String> out = new ArrayList<>();
        new LoRaWanConnectorFactory().validate(c, (path, msg) -> out.add(path + ": " + msg));
        return out;
    }

    @Test
    void isFoundByServiceLoader() {
        boolean found = false;
        for (ConnectorFactory<?> f : ServiceLoader.load(ConnectorFactory.class)) {
            found |= f.type().equals("lorawan");
        }
        assertTrue(found);
    }

    @Test
    void aValidConfigHasNoProblems() {
        assertEquals(List.of(), problems(TestConfigs.udp(Map.of("lpp", TestConfigs.profile(Codec.CAYENNE_LPP)),
                Map.of("d1", TestConfigs.device("26011f2a", UplinkPipelineTest.NWK, UplinkPipelineTest.APP, "lpp")))));
    }

    @Test
    void everyProblemIsReportedWithItsKeyPathAndNoKeyIsRepeated() {
        String secretLooking = "0011223344556677889900112233445g";
        Map<String, Device> devices = new java.util.TreeMap<>();
        devices.put("d1", new Device(Optional.of("26011f2a"), Optional.empty(), Optional.of(new Secret(secretLooking)),
                Optional.empty(), "nope"));
        devices.put("d2", TestConfigs.device("26011f2a", UplinkPipelineTest.NWK, UplinkPipelineTest.APP, "layout"));
        List<String> p = problems(TestConfigs.udp(Map.of("layout", TestConfigs.profile(Codec.BYTE_LAYOUT)), devices));
        String all = String.join("\n", p);
        assertTrue(all.contains("devices.d1.profile: no profile named 'nope'"), all);
        assertTrue(all.contains("devices.d1.nwk-s-key: NwkSKey must contain only hexadecimal digits"), all);
        assertTrue(all.contains("devices.d1.app-s-key: required in udp mode"), all);
        assertTrue(all.contains("devices.d2.dev-addr: DevAddr 26011f2a is also used by device 'd1'"), all);
        assertTrue(all.contains("profiles.layout.fields: the byte-layout codec needs at least one field"), all);
        assertFalse(all.contains(secretLooking.substring(0, 20)), all);
    }

    @Test
    void gatewayAdmissionAndClockSettingsAreChecked() {
        LoRaWanConnectorConfig base = TestConfigs.udp(Map.of("lpp", TestConfigs.profile(Codec.CAYENNE_LPP)),
                Map.of("d1", TestConfigs.device("26011f2a", UplinkPipelineTest.NWK, UplinkPipelineTest.APP, "lpp")));
        assertEquals(List.of(), problems(TestConfigs.withGateways(base, List.of("B827EBFFFE000001"), 10, java.time.Duration.ofMinutes(5))));
        String all = String.join("\n", problems(TestConfigs.withGatewayTimeTolerance(TestConfigs.withGateways(base,
                List.of("b827ebfffe000001", "b827ebfffe00001", "B827EBFFFE000001"), 10, java.time.Duration.ZERO),
                java.time.Duration.ofSeconds(-1))));
        assertTrue(all.contains("gateways.allow[1]: expected a gateway EUI of 16 hexadecimal digits"), all);
        assertTrue(all.contains("gateways.allow[2]: gateway B827EBFFFE000001 is listed twice"), all);
        assertTrue(all.contains("gateways.forget-after: expected a duration above 0s"), all);
        assertTrue(all.contains("gateway-time-tolerance: expected a duration of 0s or more"), all);
    }
}
