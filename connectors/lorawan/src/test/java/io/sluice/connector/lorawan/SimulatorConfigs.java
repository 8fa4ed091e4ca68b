package io.sluice.connector.lorawan;

import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Codec;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Endianness;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Field;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.FieldType;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Profile;
import io.sluice.rigs.lorawan.VirtualDevice;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The connector config that knows the simulator's devices (the same as the simulator's registryYaml). */
final class SimulatorConfigs {

    private SimulatorConfigs() {}

    static Map<String, Profile> profiles() {
        return Map.of(VirtualDevice.LPP_PROFILE, new Profile(Codec.CAYENNE_LPP, List.of(), List.of()),
                VirtualDevice.LAYOUT_PROFILE, new Profile(Codec.BYTE_LAYOUT, List.of(
                        new Field("temperature", 0, FieldType.INT16, Endianness.BIG, 0, 0, 0.01, 0, Optional.of("°C")),
                        new Field("humidity", 2, FieldType.UINT8, Endianness.BIG, 0, 0, 0.5, 0, Optional.of("%")),
                        new Field("vibration", 3, FieldType.UINT16, Endianness.LITTLE, 0, 0, 0.1, 0, Optional.of("mm/s")),
                        new Field("leak", 5, FieldType.BOOL, Endianness.BIG, 0, 0, 1, 0, Optional.empty())), List.of()));
    }

    static LoRaWanConnectorConfig udp(List<VirtualDevice> devices, Duration window) {
        Map<String, LoRaWanConnectorConfig.Device> map = new TreeMap<>();
        for (VirtualDevice d : devices) {
            map.put(d.name(), TestConfigs.device(d.devAddrHex(), d.nwkSKeyHex(), d.appSKeyHex(), d.profile()));
        }
        return TestConfigs.udp(0, window, profiles(), map);
    }
}
