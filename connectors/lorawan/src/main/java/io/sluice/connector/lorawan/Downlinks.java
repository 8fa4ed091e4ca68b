package io.sluice.connector.lorawan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.connector.lorawan.PacketForwarderServer.GatewayInfo;
import io.sluice.spi.EpisodeLog;
import io.sluice.spi.metrics.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Plans and sends the downlinks of the network-server side as PULL_RESP datagrams (Semtech PROTOCOL.TXT §6).
 *
 * <p>When a frame's de-duplication window closes, {@link #plan} decides (under the UDP server's lock) what it needs:
 * <ul>
 *   <li>an accepted JoinRequest: its JoinAccept, RX1 at uplink {@code tmst} + 5 s (uplink frequency and data rate as
 *       the region maps them, offset 0), else RX2 at + 6 s with the region's default RX2;</li>
 *   <li>an uplink that is confirmed, asks LinkCheckReq / DeviceTimeReq, or whose device is due a DevStatusReq
 *       ({@code status-interval}): an UnconfirmedDataDown with ACK and the MAC commands in FOpts, the next downlink
 *       counter and the MIC with the session's NwkSKey; RX1 at {@code tmst} + {@code rx1-delay} with the region's RX1
 *       frequency and data rate (offset {@code rx1-dr-offset}), else RX2 one second later.</li>
 * </ul>
 * The gateways that heard the frame are tried best first (SNR, then RSSI), only those whose PULL_DATA came within
 * {@code gateway-pull-timeout} (they have a downstream address and are alive): attempt 1 is the best gateway's RX1,
 * then its RX2, then the next gateway's RX1 and RX2. A TX_ACK with an error (protocol version 2) moves the downlink to
 * its next attempt ({@code lorawan.downlinks.retried}); when none is left it is counted in
 * {@code lorawan.downlinks.failed}. Timing is always relative to the gateway's own concentrator counter, never the
 * server's clock.
 */
final class Downlinks {

    /** Sends a datagram to a gateway's downstream address. */
    interface Sender {
        void send(byte[] datagram, SocketAddress to);
    }

    /** One way to send a downlink: a gateway and a receive window. */
    record Option(String gateway, boolean rx1, long tmst, double frequency, String dataRate, String codingRate) {}

    /** A downlink with the attempts left. */
    static final class Planned {
        final String device;
        final byte[] phy;
        final boolean joinAccept;
        final List<Option> options;
        int next;

        Planned(String device, byte[] phy, boolean joinAccept, List<Option> options) {
            this.device = device;
            this.phy = phy;
            this.joinAccept = joinAccept;
            this.options = options;
        }
    }

    private static final int MAX_OPTIONS = 4;
    private static final int MAX_IN_FLIGHT = 4096;

    private final RegionalParameters region;
    private final int rx1Delay;
    private final int rx1DrOffset;
    private final double rx2Frequency;
    private final int rx2DataRate;
    private final int txPower;
    private final long statusIntervalMillis;
    private final long pullTimeoutNanos;
    private final SessionStore sessions;
    private final KnownGateways gateways;
    private final ObjectMapper json = new ObjectMapper();
    private final EpisodeLog log;
    private final Map<String, Planned> inFlight = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Planned> eldest) {
            return size() > MAX_IN_FLIGHT;
        }
    };
    private int token;

    private final Metrics.Counter sent;
    private final Metrics.Counter joinAccepts;
    private final Metrics.Counter acks;
    private final Metrics.Counter noGateway;
    private final Metrics.Counter retried;
    private final Metrics.Counter failed;
    private final Metrics.Counter linkChecks;
    private final Metrics.Counter deviceTimes;
    private final Metrics.Counter statusRequests;

    Downlinks(RegionalParameters region, LoRaWanConnectorConfig.NetworkServer ns, SessionStore sessions,
              KnownGateways gateways, Metrics metrics, Logger logger) {
        this.region = region;
        this.rx1Delay = (int) Math.max(1, Math.min(15, ns.rx1Delay().toSeconds()));
        this.rx1DrOffset = ns.rx1DrOffset();
        this.rx2Frequency = ns.rx2Frequency().orElse(region.rx2Frequency());
        this.rx2DataRate = ns.rx2DataRate().orElse(region.rx2DataRate());
        this.txPower = ns.txPower().orElse(region.txPower());
        this.statusIntervalMillis = ns.statusInterval().toMillis();
        this.pullTimeoutNanos = ns.gatewayPullTimeout().toNanos();
        this.sessions = sessions;
        this.gateways = gateways;
        this.log = new EpisodeLog(logger, Duration.ofSeconds(10));
        sent = metrics.counter("lorawan.downlinks.sent");
        joinAccepts = metrics.counter("lorawan.downlinks.join-accepts");
        acks = metrics.counter("lorawan.downlinks.acks");
        noGateway = metrics.counter("lorawan.downlinks.no-gateway");
        retried = metrics.counter("lorawan.downlinks.retried");
        failed = metrics.counter("lorawan.downlinks.failed");
        linkChecks = metrics.counter("lorawan.mac.link-check-answers");
        deviceTimes = metrics.counter("lorawan.mac.device-time-answers");
        statusRequests = metrics.counter("lorawan.mac.dev-status-requests");
    }

    /** The downlinks the frames taken from the pipeline need; call under the server's lock (counters advance). */
    List<Planned> plan(List<UplinkPipeline.Pending> ready, long nowNanos, long wallMillis) {
        List<Planned> out = new ArrayList<>();
        for (UplinkPipeline.Pending p : ready) {
            if (p.joinAccept != null) {
                List<Option> options = options(p.receptions, nowNanos, RegionalParameters.JOIN_ACCEPT_DELAY1, 0,
                        region.rx2Frequency(), region.rx2DataRate());
                if (options.isEmpty()) {
                    noGateway.increment();
                    log.warn("no gateway that heard the JoinRequest of device " + p.device.name()
                            + " has sent PULL_DATA recently; the JoinAccept cannot be sent");
                    continue;
                }
                out.add(new Planned(p.device.name(), p.joinAccept, true, options));
                continue;
            }
            boolean confirmed = p.frame.mtype() == MType.CONFIRMED_DATA_UP;
            DeviceState state = sessions.getOrCreate(p.device.name());
            boolean statusDue = statusIntervalMillis > 0 && wallMillis - state.statusRequestedMillis >= statusIntervalMillis;
            if (!confirmed && !p.mac.linkCheck() && !p.mac.deviceTime() && !statusDue) {
                continue;
            }
            List<Option> options = options(p.receptions, nowNanos, rx1Delay, rx1DrOffset, rx2Frequency, rx2DataRate);
            if (options.isEmpty()) {
                noGateway.increment();
                log.warn("no gateway that heard device " + p.device.name() + " has sent PULL_DATA recently; its "
                        + (confirmed ? "ACK" : "MAC answer") + " cannot be sent");
                continue;
            }
            ByteArrayOutputStream fopts = new ByteArrayOutputStream();
            if (p.mac.linkCheck()) {
                RxMetadata best = best(p.receptions);
                MacCommands.linkCheckAns(fopts, best.snr(), best.dataRate(), p.receptions.size());
                linkChecks.increment();
            }
            if (p.mac.deviceTime()) {
                long t = p.receiveNanos;
                for (RxMetadata rx : p.receptions) {
                    if (rx.hasTime()) {
                        t = rx.timeNanos();
                        break;
                    }
                }
                MacCommands.deviceTimeAns(fopts, t);
                deviceTimes.increment();
            }
            if (statusDue) {
                fopts.write(MacCommands.DEV_STATUS);
                state.statusRequestedMillis = wallMillis;
                statusRequests.increment();
            }
            long fcnt = state.fcntDown;
            state.fcntDown = fcnt + 1;
            sessions.markDirty();
            out.add(new Planned(p.device.name(), dataDown(p.device, fcnt, confirmed, fopts.toByteArray()), false, options));
            if (confirmed) {
                acks.increment();
            }
        }
        return out;
    }

    /** An UnconfirmedDataDown without FPort: FCtrl (ACK, FOptsLen), FCnt, FOpts, MIC with the NwkSKey. */
    static byte[] dataDown(DeviceSession device, long fcnt, boolean ack, byte[] fopts) {
        byte[] raw = new byte[8 + fopts.length + 4];
        raw[0] = 0x60;
        int a = device.devAddr();
        raw[1] = (byte) a;
        raw[2] = (byte) (a >>> 8);
        raw[3] = (byte) (a >>> 16);
        raw[4] = (byte) (a >>> 24);
        raw[5] = (byte) ((ack ? 0x20 : 0) | fopts.length);
        raw[6] = (byte) fcnt;
        raw[7] = (byte) (fcnt >>> 8);
        System.arraycopy(fopts, 0, raw, 8, fopts.length);
        try {
            int mic = device.crypto().dataMic(PhyPayload.parse(raw), fcnt);
            int m = raw.length - 4;
            raw[m] = (byte) (mic >>> 24);
            raw[m + 1] = (byte) (mic >>> 16);
            raw[m + 2] = (byte) (mic >>> 8);
            raw[m + 3] = (byte) mic;
        } catch (FrameException e) {
            throw new IllegalStateException("a downlink Sluice built does not parse: " + e.getMessage(), e);
        }
        return raw;
    }

    private static RxMetadata best(List<RxMetadata> receptions) {
        return receptions.stream().max(BEST_FIRST.reversed()).orElseThrow();
    }

    private static final Comparator<RxMetadata> BEST_FIRST =
            Comparator.comparingDouble(RxMetadata::snr).reversed().thenComparing(Comparator.comparingDouble(RxMetadata::rssi).reversed());

    private List<Option> options(List<RxMetadata> receptions, long nowNanos, int delay, int drOffset, double rx2Freq, int rx2Dr) {
        List<RxMetadata> sorted = new ArrayList<>(receptions);
        sorted.sort(BEST_FIRST);
        List<Option> out = new ArrayList<>(MAX_OPTIONS);
        for (RxMetadata rx : sorted) {
            GatewayInfo g = gateways.get(rx.gateway());
            if (g == null || g.downstream() == null || rx.tmst() < 0 || nowNanos - g.lastPullNanos() > pullTimeoutNanos) {
                continue;
            }
            String codr = rx.codingRate() == null ? "4/5" : rx.codingRate();
            int upDr = region.dataRateIndex(rx.dataRate());
            String rx1Datr = upDr < 0 ? rx.dataRate() : region.dataRate(region.rx1DataRate(upDr, drOffset));
            out.add(new Option(rx.gateway(), true, (rx.tmst() + delay * 1_000_000L) & 0xFFFF_FFFFL,
                    region.rx1Frequency(rx.frequency()), rx1Datr, codr));
            out.add(new Option(rx.gateway(), false, (rx.tmst() + (delay + 1) * 1_000_000L) & 0xFFFF_FFFFL,
                    rx2Freq, region.dataRate(rx2Dr), codr));
            if (out.size() >= MAX_OPTIONS) {
                break;
            }
        }
        return out;
    }

    /** Sends each planned downlink's next attempt (outside the server's lock). */
    void send(List<Planned> planned, Sender sender) {
        for (Planned p : planned) {
            if (p.joinAccept) {
                joinAccepts.increment();
            }
            sendNext(p, sender);
        }
    }

    private void sendNext(Planned p, Sender sender) {
        while (p.next < p.options.size()) {
            Option o = p.options.get(p.next++);
            GatewayInfo g = gateways.get(o.gateway());
            if (g == null || g.downstream() == null) {
                continue;
            }
            int t;
            synchronized (inFlight) {
                t = token = (token + 1) & 0xFFFF;
                inFlight.put(o.gateway() + "/" + t, p);
            }
            sender.send(pullResp(g.protocolVersion(), t, o, p.phy), g.downstream());
            sent.increment();
            return;
        }
        failed.increment();
        log.warn("downlink to device " + p.device + " could not be sent by any gateway");
    }

    /** A TX_ACK of gateway {@code eui}: on an error, the downlink moves to its next attempt. */
    void txAck(String eui, int token, String error, Sender sender) {
        Planned p;
        synchronized (inFlight) {
            p = inFlight.remove(eui + "/" + token);
        }
        if (p == null || error == null || error.isEmpty() || "NONE".equals(error)) {
            return;
        }
        if (p.next < p.options.size()) {
            retried.increment();
        }
        sendNext(p, sender);
    }

    byte[] pullResp(int version, int token, Option o, byte[] phy) {
        ObjectNode root = json.createObjectNode();
        ObjectNode tx = root.putObject("txpk");
        tx.put("imme", false);
        tx.put("tmst", o.tmst());
        tx.put("freq", o.frequency());
        tx.put("rfch", 0);
        tx.put("powe", txPower);
        tx.put("modu", "LORA");
        tx.put("datr", o.dataRate());
        tx.put("codr", o.codingRate());
        tx.put("ipol", true);
        tx.put("size", phy.length);
        tx.put("data", Base64.getEncoder().encodeToString(phy));
        byte[] body;
        try {
            body = json.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] d = new byte[4 + body.length];
        d[0] = (byte) version;
        d[1] = (byte) (token >>> 8);
        d[2] = (byte) token;
        d[3] = SemtechProtocol.PULL_RESP;
        System.arraycopy(body, 0, d, 4, body.length);
        return d;
    }
}
