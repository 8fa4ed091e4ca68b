package io.sluice.connector.lorawan;

import io.sluice.connector.lorawan.DeviceRegistry.OtaaDevice;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.DevNonceRule;

/**
 * Answers LoRaWAN 1.0.x JoinRequests of configured OTAA devices (runs under the UDP server's lock).
 *
 * <p>A JoinRequest is accepted when its DevEUI is a configured OTAA device (and its AppEUI the configured
 * {@code join-eui}, if any), its MIC verifies with the device's AppKey and its DevNonce is new: not among the device's
 * last {@code dev-nonce-history} nonces ({@code dev-nonce: random}, 1.0.2/1.0.3) or above the last one
 * ({@code counter}, 1.0.4). Then the device gets a DevAddr (its previous one when still free, else the next free one
 * of the configured range), a new AppNonce (one above its last), session keys derived as the spec says, a fresh
 * uplink counter and downlink counter 0; the new session replaces the old one at once, and the JoinAccept is returned
 * for the caller to send once the state is saved. Nothing is stored for a refused request.
 */
final class JoinServer {

    /** A join that was accepted: the new session and the JoinAccept as sent on air. */
    record Joined(DeviceSession session, byte[] joinAccept) {}

    private final DeviceRegistry registry;
    private final SessionStore sessions;
    private final FrameCounterStore counters;
    private final int netId;
    private final long addrFirst;
    private final long addrLast;
    private final int rx1DrOffset;
    private final int rx2DataRate;
    private final int rxDelay;
    private final int history;
    private long nextAddr;

    JoinServer(DeviceRegistry registry, SessionStore sessions, FrameCounterStore counters, LoRaWanConnectorConfig.NetworkServer ns,
               RegionalParameters region) {
        this.registry = registry;
        this.sessions = sessions;
        this.counters = counters;
        this.netId = Integer.parseInt(ns.netId(), 16);
        long[] range = addressRange(ns);
        this.addrFirst = range[0];
        this.addrLast = range[1];
        this.nextAddr = addrFirst;
        this.rx1DrOffset = ns.rx1DrOffset();
        this.rx2DataRate = ns.rx2DataRate().orElse(region.rx2DataRate());
        this.rxDelay = (int) Math.max(1, Math.min(15, ns.rx1Delay().toSeconds()));
        this.history = ns.devNonceHistory();
    }

    /** {first, last} of the DevAddr range: configured, or the NetID's type-0 block (NwkID = NetID's low 7 bits). */
    static long[] addressRange(LoRaWanConnectorConfig.NetworkServer ns) {
        long nwkId = Integer.parseInt(ns.netId(), 16) & 0x7F;
        long first = ns.devAddrFirst().map(s -> Long.parseLong(s, 16)).orElse(nwkId << 25);
        long last = ns.devAddrLast().map(s -> Long.parseLong(s, 16)).orElse(nwkId << 25 | 0x1FF_FFFFL);
        return new long[] {first, last};
    }

    /** Installs the saved sessions of configured OTAA devices (after a restart). Returns how many. */
    int restore() {
        int n = 0;
        for (DeviceState s : sessions.all()) {
            OtaaDevice d = registry.otaaDevice(s.name);
            if (d == null || !s.joined || !d.devEuiHex().equals(s.devEui) || registry.addressTaken(s.devAddr, s.name)) {
                continue;
            }
            registry.install(session(d, s));
            n++;
        }
        return n;
    }

    private static DeviceSession session(OtaaDevice d, DeviceState s) {
        return new DeviceSession(d.name(), s.devAddr, d.devEuiHex(), new SessionCrypto(s.nwkSKey, s.appSKey), d.profile(),
                d.name() + "~" + s.appNonce);
    }

    Joined join(JoinRequest r, long nowMillis) throws FrameException {
        OtaaDevice d = registry.otaaDevice(r.devEui());
        if (d == null) {
            throw new FrameException(FrameException.Reason.UNKNOWN_DEVICE, "JoinRequest of DevEUI " + r.devEuiHex()
                    + ", which is not a configured OTAA device");
        }
        if (d.joinEui() != null && d.joinEui() != r.appEui()) {
            throw new FrameException(FrameException.Reason.UNKNOWN_DEVICE, "JoinRequest of device " + d.name()
                    + " with AppEUI " + r.appEuiHex() + ", not its join-eui");
        }
        if (JoinCrypto.joinRequestMic(d.appKey(), r.raw()) != r.mic()) {
            throw new FrameException(FrameException.Reason.MIC_FAILED, "JoinRequest MIC check failed for device " + d.name());
        }
        DeviceState s = sessions.get(d.name());
        if (s != null) {
            boolean reused = d.rule() == DevNonceRule.COUNTER
                    ? s.lastDevNonce >= 0 && r.devNonce() <= s.lastDevNonce
                    : s.usedNonce(r.devNonce());
            if (reused) {
                throw new FrameException(FrameException.Reason.DEV_NONCE_REUSED, "JoinRequest of device " + d.name()
                        + " with DevNonce " + r.devNonce() + (d.rule() == DevNonceRule.COUNTER
                        ? ", not above the last " + s.lastDevNonce : ", used before") + " (a replayed join)");
            }
        }
        int addr = allocate(d.name(), s);
        s = sessions.getOrCreate(d.name());
        int appNonce = (s.appNonce + 1) & 0xFF_FFFF;
        JoinCrypto.SessionKeys keys = JoinCrypto.deriveKeys(d.appKey(), appNonce, netId, r.devNonce());
        byte[] accept = JoinCrypto.sealJoinAccept(d.appKey(),
                new JoinAccept(appNonce, netId, addr, rx1DrOffset, rx2DataRate, rxDelay, new byte[0]).plain());
        if (s.joined) {
            counters.forget(d.name() + "~" + s.appNonce);
        }
        s.devEui = d.devEuiHex();
        s.joined = true;
        s.devAddr = addr;
        s.nwkSKey = keys.nwkSKey();
        s.appSKey = keys.appSKey();
        s.appNonce = appNonce;
        s.joinedAtMillis = nowMillis;
        s.joins++;
        s.fcntDown = 0;
        s.rememberNonce(r.devNonce(), history);
        s.lastSeenMillis = nowMillis;
        sessions.markDirty();
        DeviceSession session = session(d, s);
        registry.install(session);
        return new Joined(session, accept);
    }

    private int allocate(String name, DeviceState s) throws FrameException {
        if (s != null && s.joined && inRange(s.devAddr) && !registry.addressTaken(s.devAddr, name)) {
            return s.devAddr;
        }
        long span = addrLast - addrFirst + 1;
        long a = nextAddr;
        int checked = 0;
        // every taken address belongs to a configured device, so this loop ends after at most devices + 1 steps
        while (checked <= registry.size() + 1 && checked < span) {
            if (a > addrLast || a < addrFirst) {
                a = addrFirst;
            }
            if (!registry.addressTaken((int) a, name)) {
                nextAddr = a + 1;
                return (int) a;
            }
            a++;
            checked++;
        }
        throw new FrameException(FrameException.Reason.NO_DEV_ADDR, "no free DevAddr left in "
                + PhyPayload.devAddrHex((int) addrFirst) + ".." + PhyPayload.devAddrHex((int) addrLast) + " for device " + name);
    }

    private boolean inRange(int addr) {
        long a = addr & 0xFFFF_FFFFL;
        return a >= addrFirst && a <= addrLast;
    }
}
