package io.sluice.connector.lorawan;

import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Mode;
import io.sluice.spi.config.ProblemReporter;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorFactory;
import java.time.Duration;

/** {@code type: lorawan}. */
public final class LoRaWanConnectorFactory implements ConnectorFactory<LoRaWanConnectorConfig> {

    @Override
    public String type() {
        return "lorawan";
    }

    @Override
    public String description() {
        return "LoRaWAN sensors via the Semtech UDP packet forwarder (MIC, decryption, replay protection) or a "
                + "ChirpStack / The Things Stack MQTT broker";
    }

    @Override
    public Class<LoRaWanConnectorConfig> configType() {
        return LoRaWanConnectorConfig.class;
    }

    @Override
    public void validate(LoRaWanConnectorConfig c, ProblemReporter problems) {
        if (c.mode() == Mode.MQTT && c.mqtt().isEmpty()) {
            problems.report("mqtt", "required when mode is mqtt");
        }
        if (c.mode() == Mode.UDP && c.mqtt().isPresent()) {
            problems.report("mqtt", "only used when mode is mqtt");
        }
        if (c.mode() == Mode.UDP && c.defaultProfile().isPresent()) {
            problems.report("default-profile", "only used when mode is mqtt (UDP mode needs each device's keys)");
        }
        if (c.dedupWindow().isNegative() || c.dedupWindow().compareTo(Duration.ofSeconds(10)) > 0) {
            problems.report("dedup-window", "expected 0s..10s, got " + io.sluice.spi.Durations.format(c.dedupWindow()));
        }
        if (c.gatewayTimeTolerance().isNegative()) {
            problems.report("gateway-time-tolerance", "expected a duration of 0s or more, got "
                    + io.sluice.spi.Durations.format(c.gatewayTimeTolerance()));
        }
        if (c.mode() == Mode.MQTT && c.gateways().isPresent()) {
            problems.report("gateways", "only used when mode is udp (the network server admits the gateways)");
        }
        c.gateways().ifPresent(g -> {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < g.allow().size(); i++) {
                String eui = g.allow().get(i);
                if (eui == null || !eui.matches("[0-9a-fA-F]{16}")) {
                    problems.report("gateways.allow[" + i + "]", "expected a gateway EUI of 16 hexadecimal digits, e.g. "
                            + "b827ebfffe000001, got '" + eui + "'");
                } else if (!seen.add(eui.toLowerCase(java.util.Locale.ROOT))) {
                    problems.report("gateways.allow[" + i + "]", "gateway " + eui + " is listed twice");
                }
            }
            if (g.forgetAfter().isNegative() || g.forgetAfter().isZero()) {
                problems.report("gateways.forget-after", "expected a duration above 0s, got "
                        + io.sluice.spi.Durations.format(g.forgetAfter()));
            }
        });
        c.mqtt().ifPresent(m -> {
            if (m.dedupMaxAge().isNegative() || m.dedupMaxAge().isZero()) {
                problems.report("mqtt.dedup-max-age", "expected a duration above 0s, got "
                        + io.sluice.spi.Durations.format(m.dedupMaxAge()));
            }
            if (m.server().startsWith("tcp://") && (m.caFile().isPresent() || m.certFile().isPresent())) {
                problems.report("mqtt.server", "ca-file / cert-file need an ssl:// server");
            }
            if (m.certFile().isPresent() != m.keyFile().isPresent()) {
                problems.report(m.certFile().isPresent() ? "mqtt.key-file" : "mqtt.cert-file",
                        "cert-file and key-file go together");
            }
            if (m.password().isPresent() && m.username().isEmpty()) {
                problems.report("mqtt.username", "required when a password is given");
            }
            if (m.reconnectMinDelay().compareTo(m.reconnectMaxDelay()) > 0) {
                problems.report("mqtt.reconnect-min-delay", "must not be longer than reconnect-max-delay");
            }
        });
        if (c.silenceAlarm().isNegative()) {
            problems.report("silence-alarm", "expected a duration of 0s or more, got " + io.sluice.spi.Durations.format(c.silenceAlarm()));
        }
        if (c.mode() == Mode.MQTT && c.networkServer().isPresent()) {
            problems.report("network-server", "only used when mode is udp (in mqtt mode the network server answers joins)");
        }
        c.networkServer().ifPresent(ns -> {
            RegionalParameters region = RegionalParameters.of(c.region());
            if (ns.rx1Delay().compareTo(Duration.ofSeconds(1)) < 0 || ns.rx1Delay().compareTo(Duration.ofSeconds(15)) > 0
                    || ns.rx1Delay().toMillis() % 1000 != 0) {
                problems.report("network-server.rx1-delay", "expected whole seconds from 1s to 15s, got "
                        + io.sluice.spi.Durations.format(ns.rx1Delay()));
            }
            if (ns.rx1DrOffset() > region.maxRx1DrOffset()) {
                problems.report("network-server.rx1-dr-offset", "expected 0.." + region.maxRx1DrOffset() + " in "
                        + c.region().name().toLowerCase(java.util.Locale.ROOT) + ", got " + ns.rx1DrOffset());
            }
            ns.rx2DataRate().ifPresent(dr -> {
                if (region.dataRate(dr) == null) {
                    problems.report("network-server.rx2-data-rate", "no LoRa data rate " + dr + " in "
                            + c.region().name().toLowerCase(java.util.Locale.ROOT));
                }
            });
            ns.rx2Frequency().ifPresent(f -> {
                if (f < 100 || f > 1000) {
                    problems.report("network-server.rx2-frequency", "expected MHz, e.g. 869.525, got " + f);
                }
            });
            if (ns.devAddrFirst().isPresent() || ns.devAddrLast().isPresent()) {
                try {
                    long[] range = JoinServer.addressRange(ns);
                    if (range[0] > range[1]) {
                        problems.report("network-server.dev-addr-first", "must not be above dev-addr-last");
                    }
                } catch (NumberFormatException e) {
                    // the pattern check reports it
                }
            }
            if (ns.statusInterval().isNegative()) {
                problems.report("network-server.status-interval", "expected a duration of 0s or more");
            }
            if (ns.gatewayPullTimeout().isNegative() || ns.gatewayPullTimeout().isZero()) {
                problems.report("network-server.gateway-pull-timeout", "expected a duration above 0s");
            }
        });
        if (c.devices().isEmpty() && c.defaultProfile().isEmpty()) {
            problems.report("devices", "no devices configured; every uplink would be dropped");
        }
        DeviceRegistry.validate(c, problems);
    }

    @Override
    public Connector create(String name, LoRaWanConnectorConfig config) {
        return new LoRaWanConnector(name, config);
    }
}
