package io.sluice.connector.lorawan;

import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.metrics.Metrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The security and de-duplication path of UDP mode, for one thread.
 *
 * <p>For each PHYPayload a gateway forwards: if an identical frame is already waiting in the de-duplication window,
 * only this gateway's reception is added. Otherwise the frame is parsed, the device found by DevAddr, the 32-bit
 * frame counter reconstructed from the 16 bits on air and the last accepted counter (rollover included), the MIC
 * checked with the NwkSKey, the counter checked against replays, the FRMPayload decrypted and decoded, and the
 * frame waits until its window closes. Then {@link #drainReady} turns it into samples carrying every gateway's
 * reception. Rejections are counted by reason ({@code lorawan.frames.<reason>}).
 *
 * <p>Counter reconstruction: with {@code last} the last accepted counter, the candidate is the next value above
 * {@code last} whose low 16 bits are the received ones. If its MIC fails but the highest value at or below
 * {@code last} with those low bits verifies, the frame is a replay. A candidate more than
 * {@code max-fcnt-gap} ahead is rejected.
 */
public final class UplinkPipeline {

    /** How often one confirmed uplink is acknowledged again when the device retransmits it. */
    static final int MAX_REACKS = 8;

    /** What happened to one reception. */
    public enum Outcome { ACCEPTED, DUPLICATE }

    private final DeviceRegistry registry;
    private final FrameCounterStore counters;
    private final int maxGap;
    private final long windowNanos;
    private final LoRaWanConnectorConfig.RadioMetadata radio;
    private final Map<FrameException.Reason, Metrics.Counter> rejected = new EnumMap<>(FrameException.Reason.class);
    private final Metrics.Counter accepted;
    private final Metrics.Counter duplicates;
    private final Metrics.Counter decodeErrors;
    private final LinkedHashMap<FrameKey, Pending> pending = new LinkedHashMap<>();
    private final JoinServer joins;
    private final boolean acknowledges;
    /**
     * Refused JoinRequests until their de-duplication window closes, so that the copies other gateways forward are
     * not refused and counted again; at most {@link #MAX_REFUSED_JOINS}, oldest dropped first.
     */
    private final LinkedHashMap<FrameKey, Long> refusedJoins = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<FrameKey, Long> eldest) {
            return size() > MAX_REFUSED_JOINS;
        }
    };
    static final int MAX_REFUSED_JOINS = 10_000;
    private final SessionStore sessions;
    private final Map<FrameException.Reason, Metrics.Counter> joinsRefused = new EnumMap<>(FrameException.Reason.class);
    private final Metrics.Counter joinsAccepted;

    public UplinkPipeline(DeviceRegistry registry, FrameCounterStore counters, int maxGap, long windowNanos,
                          LoRaWanConnectorConfig.RadioMetadata radio, Metrics metrics) {
        this(registry, counters, maxGap, windowNanos, radio, metrics, null, null, false);
    }

    /**
     * @param joins    answers JoinRequests, or null when Sluice is not the network server (joins are then not uplinks)
     * @param sessions where last-seen times and DevStatusAns go, or null
     * @param acknowledges whether downlinks are sent (a confirmed uplink sent again is then acknowledged again)
     */
    UplinkPipeline(DeviceRegistry registry, FrameCounterStore counters, int maxGap, long windowNanos,
                   LoRaWanConnectorConfig.RadioMetadata radio, Metrics metrics, JoinServer joins, SessionStore sessions,
                   boolean acknowledges) {
        this.acknowledges = acknowledges;
        this.joins = joins;
        this.sessions = sessions;
        for (FrameException.Reason r : List.of(FrameException.Reason.MALFORMED, FrameException.Reason.UNKNOWN_DEVICE,
                FrameException.Reason.MIC_FAILED, FrameException.Reason.DEV_NONCE_REUSED, FrameException.Reason.NO_DEV_ADDR)) {
            joinsRefused.put(r, metrics.counter("lorawan.joins." + r.metric()));
        }
        joinsAccepted = metrics.counter("lorawan.joins.accepted");
        this.registry = registry;
        this.counters = counters;
        this.maxGap = maxGap;
        this.windowNanos = windowNanos;
        this.radio = radio;
        for (FrameException.Reason r : FrameException.Reason.values()) {
            rejected.put(r, metrics.counter("lorawan.frames." + r.metric()));
        }
        accepted = metrics.counter("lorawan.frames.accepted");
        duplicates = metrics.counter("lorawan.frames.duplicates");
        decodeErrors = metrics.counter("lorawan.payload.decode-errors");
    }

    private static final class FrameKey {
        final byte[] bytes;
        final int hash;

        FrameKey(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FrameKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A frame in its de-duplication window: an accepted uplink, or an accepted join ({@link #joinAccept} set). */
    static final class Pending {
        final long deadline;
        final DeviceSession device;
        final PhyPayload frame;
        final long fcnt32;
        final byte[] payload;
        final List<DecodedField> fields;
        final String decodeError;
        final long receiveNanos;
        final List<RxMetadata> receptions = new ArrayList<>(3);
        /** The sealed JoinAccept of an accepted JoinRequest, else null. */
        byte[] joinAccept;
        /** The MAC commands of the uplink (FOpts, or the FPort 0 payload), or null. */
        byte[] macCommands;
        /** A confirmed uplink sent again: acknowledged, not stored again. */
        boolean retransmission;
        /** What the MAC commands ask for or report, filled in when the window closes. */
        MacCommands.Uplink mac = MacCommands.Uplink.NONE;

        Pending(long deadline, DeviceSession device, PhyPayload frame, long fcnt32, byte[] payload,
                List<DecodedField> fields, String decodeError, long receiveNanos) {
            this.deadline = deadline;
            this.device = device;
            this.frame = frame;
            this.fcnt32 = fcnt32;
            this.payload = payload;
            this.fields = fields;
            this.decodeError = decodeError;
            this.receiveNanos = receiveNanos;
        }
    }

    /**
     * Handles one reception.
     *
     * @param phy        the PHYPayload bytes (kept; do not reuse the array)
     * @param rx         the gateway's reception metadata
     * @param monoNanos  {@link System#nanoTime()} now
     * @param wallNanos  wall-clock time now, epoch nanoseconds
     * @throws FrameException when the frame is rejected; it is already counted
     */
    public Outcome offer(byte[] phy, RxMetadata rx, long monoNanos, long wallNanos) throws FrameException {
        FrameKey key = new FrameKey(phy);
        Pending p = pending.get(key);
        if (p != null) {
            duplicates.increment();
            for (RxMetadata seen : p.receptions) {
                if (seen.gateway().equals(rx.gateway())) {
                    return Outcome.DUPLICATE;
                }
            }
            p.receptions.add(rx);
            return Outcome.DUPLICATE;
        }
        if (joins != null && phy.length > 0 && MType.of(phy[0] & 0xFF) == MType.JOIN_REQUEST) {
            Long refusedUntil = refusedJoins.get(key);
            if (refusedUntil != null && refusedUntil - monoNanos > 0) {
                duplicates.increment(); // another gateway's copy of a JoinRequest refused a moment ago
                return Outcome.DUPLICATE;
            }
            try {
                p = join(phy, monoNanos, wallNanos);
            } catch (FrameException e) {
                joinsRefused.get(e.reason()).increment();
                refusedJoins.put(key, monoNanos + windowNanos);
                throw e;
            }
            joinsAccepted.increment();
            p.receptions.add(rx);
            pending.put(key, p);
            pendingCount = pending.size();
            return Outcome.ACCEPTED;
        }
        try {
            p = verify(phy, monoNanos, wallNanos);
        } catch (FrameException e) {
            rejected.get(e.reason()).increment();
            throw e;
        }
        p.receptions.add(rx);
        pending.put(key, p);
        pendingCount = pending.size();
        if (p.retransmission) {
            rejected.get(FrameException.Reason.CONFIRMED_RETRANSMISSION).increment();
            return Outcome.DUPLICATE;
        }
        accepted.increment();
        return Outcome.ACCEPTED;
    }

    private Pending join(byte[] phy, long monoNanos, long wallNanos) throws FrameException {
        JoinRequest r = JoinRequest.parse(phy);
        JoinServer.Joined joined = joins.join(r, wallNanos / 1_000_000);
        Pending p = new Pending(monoNanos + windowNanos, joined.session(), null, -1, null, null, null, wallNanos);
        p.joinAccept = joined.joinAccept();
        return p;
    }

    private Pending verify(byte[] phy, long monoNanos, long wallNanos) throws FrameException {
        PhyPayload frame = PhyPayload.parse(phy);
        if (!frame.mtype().isUplink()) {
            throw new FrameException(FrameException.Reason.NOT_UPLINK, frame.mtype().specName() + " is not an uplink");
        }
        DeviceSession device = registry.byDevAddr(frame.devAddr());
        if (device == null || device.crypto() == null) {
            throw new FrameException(FrameException.Reason.UNKNOWN_DEVICE, "no device with DevAddr " + frame.devAddrHex());
        }
        SessionCrypto crypto = device.crypto();
        long last = counters.last(device.counterKey(), device.devAddr());
        long fcnt32;
        try {
            fcnt32 = checkCounter(frame, crypto, last, device);
        } catch (FrameException e) {
            Pending again = retransmission(e, frame, crypto, last, device, monoNanos, wallNanos);
            if (again == null) {
                throw e;
            }
            return again;
        }
        counters.accept(device.counterKey(), device.devAddr(), fcnt32);
        if (sessions != null) {
            sessions.getOrCreate(device.name()).lastSeenMillis = wallNanos / 1_000_000;
            sessions.markSeen();
        }
        byte[] payload = crypto.decryptPayload(frame, fcnt32);
        List<DecodedField> fields = null;
        String decodeError = null;
        if (frame.fport() > 0) {
            try {
                fields = device.profile().decode(payload, frame.fport());
            } catch (PayloadCodec.CodecException e) {
                decodeError = e.getMessage();
                decodeErrors.increment();
            }
        }
        Pending p = new Pending(monoNanos + windowNanos, device, frame, fcnt32, payload, fields, decodeError, wallNanos);
        if (frame.foptsLength() > 0) {
            p.macCommands = frame.fopts();
        } else if (frame.fport() == 0) {
            p.macCommands = payload;
        }
        return p;
    }

    /**
     * A confirmed uplink whose counter is the last accepted one, sent again because its ACK did not arrive: with the
     * network-server side it is acknowledged again (at most {@link #MAX_REACKS} times per counter), its data not stored
     * again. Returns null when {@code e} stays a rejection.
     */
    private Pending retransmission(FrameException e, PhyPayload frame, SessionCrypto crypto, long last, DeviceSession device,
                                   long monoNanos, long wallNanos) {
        if (e.reason() != FrameException.Reason.REPLAYED || !acknowledges || sessions == null
                || frame.mtype() != MType.CONFIRMED_DATA_UP || last < 0 || (last & 0xFFFF) != frame.fcnt16()
                || !crypto.micMatches(frame, last)) {
            return null;
        }
        DeviceState s = sessions.getOrCreate(device.name());
        if (s.reAckedFcnt != last) {
            s.reAckedFcnt = last;
            s.reAcks = 0;
        }
        if (s.reAcks >= MAX_REACKS) {
            return null;
        }
        s.reAcks++;
        Pending p = new Pending(monoNanos + windowNanos, device, frame, last, null, null, null, wallNanos);
        p.retransmission = true;
        return p;
    }

    private long checkCounter(PhyPayload frame, SessionCrypto crypto, long last, DeviceSession device) throws FrameException {
        int fcnt16 = frame.fcnt16();
        if (last < 0) {
            if (!crypto.micMatches(frame, fcnt16)) {
                throw new FrameException(FrameException.Reason.MIC_FAILED, "MIC check failed for device " + device.name());
            }
            return fcnt16;
        }
        long sameBlock = (last & ~0xFFFFL) | fcnt16;
        long next = sameBlock > last ? sameBlock : sameBlock + 0x10000L;
        long prior = sameBlock <= last ? sameBlock : sameBlock - 0x10000L;
        boolean old = prior >= 0;
        if (next - last > maxGap || next > 0xFFFFFFFFL) {
            if (old && crypto.micMatches(frame, prior)) {
                throw new FrameException(FrameException.Reason.REPLAYED,
                        "frame counter " + prior + " of device " + device.name() + " is not above the last accepted " + last);
            }
            if (next <= 0xFFFFFFFFL && crypto.micMatches(frame, next)) {
                throw new FrameException(FrameException.Reason.COUNTER_GAP, "frame counter of device " + device.name()
                        + " jumped from " + last + " to " + next + ", more than max-fcnt-gap " + maxGap);
            }
            throw new FrameException(FrameException.Reason.MIC_FAILED, "MIC check failed for device " + device.name());
        }
        if (crypto.micMatches(frame, next)) {
            return next;
        }
        if (old && crypto.micMatches(frame, prior)) {
            throw new FrameException(FrameException.Reason.REPLAYED,
                    "frame counter " + prior + " of device " + device.name() + " is not above the last accepted " + last);
        }
        throw new FrameException(FrameException.Reason.MIC_FAILED, "MIC check failed for device " + device.name());
    }

    private volatile int pendingCount;

    /** Frames waiting in their de-duplication window. */
    public int pendingCount() {
        return pending.size();
    }

    /** {@link #pendingCount()} as of the last change, readable without the owner's lock. */
    public int pendingCountRacy() {
        return pendingCount;
    }

    /** When the oldest waiting frame's window closes ({@link System#nanoTime()} scale), or Long.MAX_VALUE. */
    public long nextDeadline() {
        Iterator<Pending> it = pending.values().iterator();
        return it.hasNext() ? it.next().deadline : Long.MAX_VALUE;
    }

    /**
     * Turns every frame whose window has closed (all of them when {@code all}) into samples, appended to
     * {@code out}; returns how many frames were emitted.
     */
    public int drainReady(long monoNanos, boolean all, List<Sample> out) {
        List<Pending> ready = new ArrayList<>();
        int n = takeReady(monoNanos, all, ready);
        toSamples(ready, out);
        return n;
    }

    /**
     * Removes every frame whose window has closed (all of them when {@code all}) and adds it to {@code ready}; the
     * cheap part of {@link #drainReady}, for callers that hold a lock while touching the pipeline and build the samples
     * after releasing it with {@link #toSamples}.
     */
    public int takeReady(long monoNanos, boolean all, List<Pending> ready) {
        Iterator<Long> refused = refusedJoins.values().iterator();
        while (refused.hasNext() && refused.next() - monoNanos <= 0) {
            refused.remove();
        }
        int n = 0;
        Iterator<Pending> it = pending.values().iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            if (!all && p.deadline > monoNanos) {
                break;
            }
            it.remove();
            if (p.macCommands != null) {
                p.mac = MacCommands.parse(p.macCommands);
                if (p.mac.hasStatus() && sessions != null) {
                    DeviceState s = sessions.getOrCreate(p.device.name());
                    s.battery = p.mac.battery();
                    s.margin = p.mac.margin();
                    s.statusMillis = p.receiveNanos / 1_000_000;
                    sessions.markDirty();
                }
            }
            ready.add(p);
            n++;
        }
        pendingCount = pending.size();
        return n;
    }

    /** Builds the samples of frames taken with {@link #takeReady}; touches no pipeline state. */
    public void toSamples(List<Pending> ready, List<Sample> out) {
        for (Pending p : ready) {
            if (p.joinAccept != null || p.retransmission) {
                continue; // a join carries no data; a retransmission's data is stored already
            }
            PhyPayload f = p.frame;
            UplinkSamples.build(new UplinkSamples.Uplink(p.device.name(), p.device.tags(), p.device.devAddrHex(), p.device.devEui(),
                    p.fcnt32, f.fport(), f.mtype() == MType.CONFIRMED_DATA_UP, f.adr(), p.fields, p.decodeError, p.payload,
                    p.receptions, p.receiveNanos), radio, out);
            if (p.mac.hasStatus()) {
                String name = p.device.name();
                out.add(new Sample(name + ".battery", Value.of(p.mac.battery()), Quality.GOOD, 0, p.receiveNanos, p.receiveNanos, null));
                out.add(new Sample(name + ".margin", Value.of(p.mac.margin()), Quality.GOOD, 0, p.receiveNanos, p.receiveNanos, "dB"));
            }
        }
    }
}
