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

    public DeviceSession(String name, int devAddr, String devEui, SessionCrypto crypto, DeviceProfile profile) {
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
