package io.sluice.connector.lorawan;

/**
 * What the network-server side keeps about one configured device: its OTAA session (DevAddr, session keys, the
 * AppNonce and DevNonces of its joins), the downlink frame counter, when it was last heard and its last DevStatusAns.
 *
 * <p>Mutated under the UDP server's lock; {@link #lastSeenMillis} is also read by gauges from other threads. The
 * keys never appear in {@link #toString()}.
 */
final class DeviceState {

    static final int NO_MARGIN = Integer.MIN_VALUE;

    final String name;
    String devEui;
    /** True when this is an OTAA session (keys below are set). */
    boolean joined;
    int devAddr;
    byte[] nwkSKey;
    byte[] appSKey;
    int appNonce;
    long joinedAtMillis;
    long joins;
    /** The next downlink FCnt. */
    long fcntDown;
    /** Last DevNonces, oldest first, at most the configured history. */
    final java.util.ArrayDeque<Integer> devNonces = new java.util.ArrayDeque<>();
    int lastDevNonce = -1;
    volatile long lastSeenMillis;
    long statusRequestedMillis;
    int battery = -1;
    int margin = NO_MARGIN;
    long statusMillis;
    /** The counter of the confirmed uplink acknowledged again, and how often (memory only). */
    long reAckedFcnt = -1;
    int reAcks;

    DeviceState(String name) {
        this.name = name;
    }

    /** True when {@code nonce} was used by this device before (within the remembered history). */
    boolean usedNonce(int nonce) {
        return devNonces.contains(nonce);
    }

    void rememberNonce(int nonce, int history) {
        devNonces.addLast(nonce);
        while (devNonces.size() > history) {
            devNonces.removeFirst();
        }
        lastDevNonce = nonce;
    }

    @Override
    public String toString() {
        return "DeviceState[" + name + (joined ? " DevAddr=" + PhyPayload.devAddrHex(devAddr) : "") + ", keys hidden]";
    }
}
