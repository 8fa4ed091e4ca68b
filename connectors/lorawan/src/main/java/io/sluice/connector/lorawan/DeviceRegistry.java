package io.sluice.connector.lorawan;

import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Device;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Mode;
import io.sluice.spi.config.ProblemReporter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Devices by DevAddr (UDP mode) and DevEUI (MQTT mode), built from the config. Immutable once built. */
public final class DeviceRegistry {

    private final Map<Integer, DeviceSession> byAddr = new HashMap<>();
    private final Map<String, DeviceSession> byEui = new HashMap<>();
    private final Map<String, DeviceProfile> profiles = new TreeMap<>();

    private DeviceRegistry() {}

    /**
     * Checks the device and profile sections; every problem is reported with its key path. Secrets are checked
     * for form only and never repeated in a message.
     */
    public static void validate(LoRaWanConnectorConfig config, ProblemReporter problems) {
        build(config, problems);
    }

    /** Builds the registry; throws IllegalArgumentException listing the problems when the config is not valid. */
    public static DeviceRegistry build(LoRaWanConnectorConfig config) {
        StringBuilder errors = new StringBuilder();
        DeviceRegistry r = build(config, (path, message) -> errors.append(errors.length() > 0 ? "; " : "")
                .append(path).append(": ").append(message));
        if (errors.length() > 0) {
            throw new IllegalArgumentException(errors.toString());
        }
        return r;
    }

    private static DeviceRegistry build(LoRaWanConnectorConfig config, ProblemReporter problems) {
        DeviceRegistry r = new DeviceRegistry();
        config.profiles().forEach((name, p) -> {
            if (p.codec() == LoRaWanConnectorConfig.Codec.BYTE_LAYOUT && p.fields().isEmpty()) {
                problems.report("profiles." + name + ".fields", "the byte-layout codec needs at least one field");
            }
            if (p.codec() != LoRaWanConnectorConfig.Codec.BYTE_LAYOUT && !p.fields().isEmpty()) {
                problems.report("profiles." + name + ".fields", "fields are only used by codec: byte-layout");
            }
            for (int i = 0; i < p.fields().size(); i++) {
                var f = p.fields().get(i);
                for (int j = 0; j < i; j++) {
                    if (p.fields().get(j).name().equals(f.name())) {
                        problems.report("profiles." + name + ".fields[" + i + "].name", "duplicate field name '" + f.name() + "'");
                    }
                }
                if (f.type() == LoRaWanConnectorConfig.FieldType.BOOL && f.bit() > 7) {
                    problems.report("profiles." + name + ".fields[" + i + "].bit", "a bool field's bit must be 0..7");
                }
            }
            for (int i = 0; i < p.fports().size(); i++) {
                int port = p.fports().get(i);
                if (port < 1 || port > 223) {
                    problems.report("profiles." + name + ".fports[" + i + "]", "an application FPort is 1..223, got " + port);
                }
            }
            r.profiles.put(name, DeviceProfile.of(name, p));
        });
        config.defaultProfile().ifPresent(p -> {
            if (!config.profiles().containsKey(p)) {
                problems.report("default-profile", "no profile named '" + p + "' in 'profiles' (known: " + config.profiles().keySet() + ")");
            }
        });
        boolean udp = config.mode() == Mode.UDP;
        for (Map.Entry<String, Device> e : config.devices().entrySet()) {
            String name = e.getKey();
            Device d = e.getValue();
            String at = "devices." + name;
            if (!name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]*")) {
                problems.report(at, "a device name may contain letters, digits, '_', '.' and '-' only");
            }
            DeviceProfile profile = r.profiles.get(d.profile());
            if (profile == null) {
                problems.report(at + ".profile", "no profile named '" + d.profile() + "' in 'profiles' (known: " + config.profiles().keySet() + ")");
            }
            SessionCrypto crypto = null;
            int addr = 0;
            if (udp) {
                if (d.devAddr().isEmpty()) problems.report(at + ".dev-addr", "required in udp mode");
                if (d.nwkSKey().isEmpty()) problems.report(at + ".nwk-s-key", "required in udp mode");
                if (d.appSKey().isEmpty()) problems.report(at + ".app-s-key", "required in udp mode");
                byte[] nwk = key(d.nwkSKey().map(s -> s.reveal()).orElse(null), at + ".nwk-s-key", "NwkSKey", problems);
                byte[] app = key(d.appSKey().map(s -> s.reveal()).orElse(null), at + ".app-s-key", "AppSKey", problems);
                if (d.devAddr().isPresent() && d.devAddr().get().matches("[0-9a-fA-F]{8}")) {
                    addr = (int) Long.parseLong(d.devAddr().get(), 16);
                    DeviceSession clash = r.byAddr.get(addr);
                    if (clash != null) {
                        problems.report(at + ".dev-addr", "DevAddr " + d.devAddr().get() + " is also used by device '" + clash.name() + "'");
                    }
                }
                if (nwk != null && app != null) {
                    crypto = new SessionCrypto(nwk, app);
                }
            } else if (d.devEui().isEmpty()) {
                problems.report(at + ".dev-eui", "required in mqtt mode");
            }
            String eui = d.devEui().map(s -> s.toLowerCase(Locale.ROOT)).orElse(null);
            DeviceSession session = new DeviceSession(name, addr, eui, crypto, profile);
            if (udp && d.devAddr().isPresent() && !r.byAddr.containsKey(addr)) {
                r.byAddr.put(addr, session);
            }
            if (eui != null) {
                DeviceSession clash = r.byEui.putIfAbsent(eui, session);
                if (clash != null) {
                    problems.report(at + ".dev-eui", "DevEUI " + eui + " is also used by device '" + clash.name() + "'");
                }
            }
        }
        return r;
    }

    private static byte[] key(String hex, String path, String what, ProblemReporter problems) {
        if (hex == null) {
            return null;
        }
        try {
            return SessionCrypto.parseKey(hex, what);
        } catch (IllegalArgumentException e) {
            problems.report(path, e.getMessage());
            return null;
        }
    }

    public DeviceSession byDevAddr(int devAddr) {
        return byAddr.get(devAddr);
    }

    /** By DevEUI, case-insensitive. */
    public DeviceSession byDevEui(String devEui) {
        return devEui == null ? null : byEui.get(devEui.toLowerCase(Locale.ROOT));
    }

    public DeviceProfile profile(String name) {
        return profiles.get(name);
    }

    public int size() {
        return Math.max(byAddr.size(), byEui.size());
    }
}
