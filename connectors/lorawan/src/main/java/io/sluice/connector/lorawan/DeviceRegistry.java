package io.sluice.connector.lorawan;

import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Device;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Mode;
import io.sluice.spi.config.ProblemReporter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Devices by DevAddr (UDP mode) and DevEUI (MQTT mode), built from the config. The configured devices never change;
 * the sessions of OTAA devices are installed by joins ({@link #install}) and may be read from any thread.
 */
public final class DeviceRegistry {

    /** A device that joins over the air: what a JoinRequest is checked against. */
    public record OtaaDevice(String name, long devEui, byte[] appKey, Long joinEui, LoRaWanConnectorConfig.DevNonceRule rule,
                             DeviceProfile profile) {
        public String devEuiHex() {
            return JoinRequest.euiHex(devEui);
        }

        @Override
        public String toString() {
            return "OtaaDevice[" + name + " DevEUI=" + devEuiHex() + ", key hidden]";
        }
    }

    private final Map<Integer, DeviceSession> byAddr = new HashMap<>();
    private final Map<Long, OtaaDevice> otaaByEui = new HashMap<>();
    private final Map<String, OtaaDevice> otaaByName = new HashMap<>();
    private final Map<Integer, DeviceSession> joinedByAddr = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, DeviceSession> joinedByName = new java.util.concurrent.ConcurrentHashMap<>();
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
            if (udp && d.otaa()) {
                if (d.devAddr().isPresent() || d.nwkSKey().isPresent() || d.appSKey().isPresent()) {
                    problems.report(at + ".app-key", "an OTAA device (app-key) gets its dev-addr and session keys from "
                            + "its join; leave out dev-addr, nwk-s-key and app-s-key");
                }
                if (d.devEui().isEmpty()) problems.report(at + ".dev-eui", "required for an OTAA device (app-key)");
                if (config.networkServer().isEmpty()) {
                    problems.report(at + ".app-key", "an OTAA device needs the network-server section (joins are answered by downlinks)");
                }
                byte[] appKey = key(d.appKey().get().reveal(), at + ".app-key", "AppKey", problems);
                if (appKey != null && d.devEui().isPresent() && d.devEui().get().matches("[0-9a-fA-F]{16}")) {
                    long eui = Long.parseUnsignedLong(d.devEui().get(), 16);
                    OtaaDevice o = new OtaaDevice(name, eui, appKey,
                            d.joinEui().filter(j -> j.matches("[0-9a-fA-F]{16}")).map(j -> Long.parseUnsignedLong(j, 16)).orElse(null),
                            d.devNonce(), profile);
                    OtaaDevice clash = r.otaaByEui.putIfAbsent(eui, o);
                    if (clash != null) {
                        problems.report(at + ".dev-eui", "DevEUI " + d.devEui().get().toLowerCase(Locale.ROOT)
                                + " is also used by device '" + clash.name() + "'");
                    }
                    r.otaaByName.put(name, o);
                }
            } else if (udp) {
                if (d.joinEui().isPresent()) problems.report(at + ".join-eui", "only used by OTAA devices (app-key)");
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
            } else if (d.appKey().isPresent()) {
                problems.report(at + ".app-key", "only used in udp mode (the network server handles joins in mqtt mode)");
            }
            String eui = d.devEui().map(s -> s.toLowerCase(Locale.ROOT)).orElse(null);
            DeviceSession session = new DeviceSession(name, addr, eui, crypto, profile);
            if (udp && d.otaa()) {
                continue;
            }
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

    /** The ABP device or current OTAA session with this DevAddr, or null. */
    public DeviceSession byDevAddr(int devAddr) {
        DeviceSession s = byAddr.get(devAddr);
        return s != null ? s : joinedByAddr.get(devAddr);
    }

    /** The OTAA device with this DevEUI, or null. */
    public OtaaDevice otaaDevice(long devEui) {
        return otaaByEui.get(devEui);
    }

    public OtaaDevice otaaDevice(String name) {
        return otaaByName.get(name);
    }

    /** Names of the configured OTAA devices. */
    public java.util.Set<String> otaaNames() {
        return java.util.Collections.unmodifiableSet(otaaByName.keySet());
    }

    /** The current session of an OTAA device, or null before its first join. */
    public DeviceSession joined(String name) {
        return joinedByName.get(name);
    }

    /** True when an ABP device or another OTAA session uses this address. */
    public boolean addressTaken(int devAddr, String except) {
        if (byAddr.containsKey(devAddr)) return true;
        DeviceSession s = joinedByAddr.get(devAddr);
        return s != null && !s.name().equals(except);
    }

    /** Installs (or replaces) an OTAA device's session; the old one stops being found by its address. */
    public void install(DeviceSession session) {
        DeviceSession old = joinedByName.put(session.name(), session);
        if (old != null && old.devAddr() != session.devAddr()) {
            joinedByAddr.remove(old.devAddr(), old);
        }
        joinedByAddr.put(session.devAddr(), session);
    }

    /** Removes an OTAA device's session (it must join again). */
    public void uninstall(String name) {
        DeviceSession old = joinedByName.remove(name);
        if (old != null) {
            joinedByAddr.remove(old.devAddr(), old);
        }
    }

    /** Every configured device name. */
    public java.util.Set<String> names() {
        java.util.Set<String> names = new java.util.TreeSet<>(otaaByName.keySet());
        byAddr.values().forEach(s -> names.add(s.name()));
        byEui.values().forEach(s -> names.add(s.name()));
        return names;
    }

    /** By DevEUI, case-insensitive. */
    public DeviceSession byDevEui(String devEui) {
        return devEui == null ? null : byEui.get(devEui.toLowerCase(Locale.ROOT));
    }

    public DeviceProfile profile(String name) {
        return profiles.get(name);
    }

    public int size() {
        return Math.max(byAddr.size() + otaaByEui.size(), byEui.size());
    }
}
