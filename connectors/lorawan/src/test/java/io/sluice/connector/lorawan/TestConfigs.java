package io.sluice.connector.lorawan;

import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Codec;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Device;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Field;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Mode;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Profile;
import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Config records built the way the runtime binds them (defaults filled in). */
public final class TestConfigs {

    private TestConfigs() {}

    public static LoRaWanConnectorConfig udp(Map<String, Profile> profiles, Map<String, Device> devices) {
        return udp(0, Duration.ofMillis(200), profiles, devices);
    }

    public static LoRaWanConnectorConfig udp(int port, Duration window, Map<String, Profile> profiles, Map<String, Device> devices) {
        return new LoRaWanConnectorConfig(Mode.UDP, "127.0.0.1", port, DataSize.ofMegabytes(4), window, 16384, true, LoRaWanConnectorConfig.RadioMetadata.COMPACT,
                Optional.empty(), profiles, devices, Optional.empty(), Duration.ofMinutes(5), Optional.empty());
    }

    /** {@code c} with a {@code gateways:} section. */
    public static LoRaWanConnectorConfig withGateways(LoRaWanConnectorConfig c, List<String> allow, int maxKnown, Duration forgetAfter) {
        return new LoRaWanConnectorConfig(c.mode(), c.bindAddress(), c.port(), c.receiveBuffer(), c.dedupWindow(), c.maxFcntGap(),
                c.gatewayStats(), c.radioMetadata(), c.mqtt(), c.profiles(), c.devices(), c.defaultProfile(), c.gatewayTimeTolerance(),
                Optional.of(new LoRaWanConnectorConfig.Gateways(allow, maxKnown, forgetAfter)));
    }

    /** {@code c} with another {@code gateway-time-tolerance}. */
    public static LoRaWanConnectorConfig withGatewayTimeTolerance(LoRaWanConnectorConfig c, Duration tolerance) {
        return new LoRaWanConnectorConfig(c.mode(), c.bindAddress(), c.port(), c.receiveBuffer(), c.dedupWindow(), c.maxFcntGap(),
                c.gatewayStats(), c.radioMetadata(), c.mqtt(), c.profiles(), c.devices(), c.defaultProfile(), tolerance, c.gateways());
    }

    public static Profile profile(Codec codec, Field... fields) {
        return new Profile(codec, List.of(fields), List.of());
    }

    public static Device device(String devAddr, String nwk, String app, String profile) {
        return new Device(Optional.of(devAddr), Optional.empty(), Optional.of(new Secret(nwk)), Optional.of(new Secret(app)), profile);
    }

    public static RxMetadata rx(String gateway) {
        return new RxMetadata(gateway, -50, 7.5, RxMetadata.NO_TIME, 1, 868.1, "SF7BW125", "4/5", 0, 0);
    }
}
