package io.sluice.connector.lorawan;

/**
 * One registered device: its name (first part of its tags), addresses, session crypto (UDP mode) and profile.
 * {@link #crypto} is used only by the pipeline thread.
 */
public final class DeviceSession {

    private final String name;
    private final int devAddr;
    private final String devEui;
    private final SessionCrypto crypto;
    private final DeviceProfile profile;
    private final UplinkSamples.TagCache tags;
    private final String devAddrHex;
    private final String counterKey;

    public DeviceSession(String name, int devAddr, String devEui, SessionCrypto crypto, DeviceProfile profile) {
        this(name, devAddr, devEui, crypto, profile, name);
    }

    /**
     * @param counterKey the key of this session's uplink counter in {@link FrameCounterStore}: the name for ABP, the
     *                   name and the join's AppNonce for an OTAA session (a new join starts a fresh counter)
     */
    public DeviceSession(String name, int devAddr, String devEui, SessionCrypto crypto, DeviceProfile profile, String counterKey) {
        this.counterKey = counterKey;
        this.name = name;
        this.devAddr = devAddr;
        this.devEui = devEui;
        this.crypto = crypto;
        this.profile = profile;
        this.tags = new UplinkSamples.TagCache(name);
        this.devAddrHex = PhyPayload.devAddrHex(devAddr);
    }

    /** DevAddr as printed, e.g. {@code 26011f2a}. */
    public String devAddrHex() { return devAddrHex; }

    /** This device's tag strings ({@code <name>.<field>}), built once. */
    UplinkSamples.TagCache tags() { return tags; }

    public String name() { return name; }

    /** The key of this session's uplink frame counter. */
    public String counterKey() { return counterKey; }

    public int devAddr() { return devAddr; }

    /** Lower-case hex, or null. */
    public String devEui() { return devEui; }

    public SessionCrypto crypto() { return crypto; }

    public DeviceProfile profile() { return profile; }

    @Override
    public String toString() {
        return "DeviceSession[" + name + " DevAddr=" + PhyPayload.devAddrHex(devAddr) + "]";
    }
}
