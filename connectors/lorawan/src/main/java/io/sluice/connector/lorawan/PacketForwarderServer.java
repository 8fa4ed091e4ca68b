package io.sluice.connector.lorawan;

import java.time.Duration;
import io.sluice.spi.EpisodeLog;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.connector.HealthState;
import io.sluice.spi.metrics.Metrics;
import io.sluice.support.SampleIntake;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;

/**
 * The Semtech UDP packet-forwarder server: one socket for upstream and downstream traffic, a receive thread that
 * acknowledges, parses and feeds {@link UplinkPipeline}, and a flush thread that saves the frame counters and emits
 * the samples of frames whose de-duplication window has closed.
 *
 * <ul>
 *   <li>PUSH_DATA: answered with PUSH_ACK (same version and token) once the JSON is well-formed; every {@code rxpk}
 *       goes through the pipeline, {@code stat} becomes gateway samples.</li>
 *   <li>PULL_DATA: answered with PULL_ACK; the sender's address is remembered as the gateway's downstream
 *       address.</li>
 *   <li>TX_ACK: counted; a {@code txpk_ack.error} other than NONE is counted and logged.</li>
 *   <li>A datagram of a gateway {@link KnownGateways} refuses (not in {@code gateways.allow}, or new while
 *       {@code gateways.max-known} are known): counted, not acknowledged, no samples.</li>
 *   <li>Anything else (too short, unknown version or identifier, broken JSON): counted as
 *       {@code lorawan.datagrams.malformed}, not acknowledged.</li>
 * </ul>
 *
 * <p>The forwarder does not retransmit, so acknowledging before the samples are committed loses nothing that waiting
 * would save; the ACK only tells the gateway that the server is alive.
 */
public final class PacketForwarderServer implements AutoCloseable {

    /** What the server knows about one gateway. */
    public record GatewayInfo(String eui, SocketAddress upstream, SocketAddress downstream, long lastSeenNanos,
                              int protocolVersion, long lastPullNanos) {
        public GatewayInfo(String eui, SocketAddress upstream, SocketAddress downstream, long lastSeenNanos, int protocolVersion) {
            this(eui, upstream, downstream, lastSeenNanos, protocolVersion, lastSeenNanos);
        }
    }

    /** Frames waiting for their window (or for the sink) before reception pauses. */
    static final int MAX_PENDING_FRAMES = 50_000;

    private static final DateTimeFormatter STAT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'GMT'").withZone(ZoneOffset.UTC);
    private static final String[] STAT_NUMBERS = {"lati", "long", "alti", "rxnb", "rxok", "rxfw", "ackr", "dwnb", "txnb", "temp"};

    private final String bindAddress;
    private final int port;
    private final int receiveBuffer;
    private final UplinkPipeline pipeline;
    private final FrameCounterStore counters;
    private final boolean gatewayStats;
    private final SampleIntake intake;
    private final Clock clock;
    private final Logger log;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final PushDataParser pushParser = new PushDataParser(new ObjectMapper()); // sub-trees: no trailing-token check
    private final KnownGateways gateways;
    private final GatewayClock gatewayClock;
    private final Downlinks downlinks;
    private final SessionStore sessions;
    private final Metrics.Counter sessionSaveFailures;
    private final long flushIntervalNanos;

    private final Metrics.Counter datagrams;
    private final Metrics.Counter malformed;
    private final Metrics.Counter pushData;
    private final Metrics.Counter pullData;
    private final Metrics.Counter txAck;
    private final Metrics.Counter txAckErrors;
    private final Metrics.Counter rxpkReceived;
    private final Metrics.Counter rxpkCrcFailed;
    private final Metrics.Counter rxpkMalformed;
    private final Metrics.Counter statReports;
    private final Metrics.Counter counterSaveFailures;
    private final Metrics.Counter ackFailures;
    private final Metrics.Counter receivePauses;
    private final EpisodeLog malformedLog;
    private final EpisodeLog rejectedLog;
    private final EpisodeLog publishLog;

    private volatile DatagramSocket socket;
    private volatile Thread thread;
    private volatile Thread flusher;
    private final Object lock = new Object();
    private volatile boolean running;
    private final List<Sample> statSamples = new ArrayList<>();
    private final List<UplinkPipeline.Pending> ready = new ArrayList<>(); // flush thread only

    public PacketForwarderServer(String bindAddress, int port, int receiveBuffer, UplinkPipeline pipeline,
                                 FrameCounterStore counters, boolean gatewayStats, long dedupWindowNanos,
                                 KnownGateways gateways, GatewayClock gatewayClock, SampleIntake intake, Clock clock,
                                 Metrics metrics, Logger log) {
        this(bindAddress, port, receiveBuffer, pipeline, counters, gatewayStats, dedupWindowNanos, gateways, gatewayClock,
                intake, clock, metrics, log, null, null);
    }

    /**
     * @param downlinks the network-server downlinks, or null when Sluice sends none
     * @param sessions  the devices' network-server state (saved before any downlink leaves), or null
     */
    PacketForwarderServer(String bindAddress, int port, int receiveBuffer, UplinkPipeline pipeline,
                          FrameCounterStore counters, boolean gatewayStats, long dedupWindowNanos,
                          KnownGateways gateways, GatewayClock gatewayClock, SampleIntake intake, Clock clock,
                          Metrics metrics, Logger log, Downlinks downlinks, SessionStore sessions) {
        this.downlinks = downlinks;
        this.sessions = sessions;
        this.gateways = gateways;
        this.gatewayClock = gatewayClock;
        this.bindAddress = bindAddress;
        this.port = port;
        this.receiveBuffer = receiveBuffer;
        this.pipeline = pipeline;
        this.counters = counters;
        this.gatewayStats = gatewayStats;
        this.intake = intake;
        this.clock = clock;
        this.log = log;
        this.flushIntervalNanos = Math.max(1_000_000L, Math.min(20_000_000L, dedupWindowNanos / 4));
        datagrams = metrics.counter("lorawan.datagrams.received");
        malformed = metrics.counter("lorawan.datagrams.malformed");
        pushData = metrics.counter("lorawan.push-data");
        pullData = metrics.counter("lorawan.pull-data");
        txAck = metrics.counter("lorawan.tx-ack");
        txAckErrors = metrics.counter("lorawan.tx-ack.errors");
        rxpkReceived = metrics.counter("lorawan.rxpk.received");
        rxpkCrcFailed = metrics.counter("lorawan.rxpk.crc-failed");
        rxpkMalformed = metrics.counter("lorawan.rxpk.malformed");
        statReports = metrics.counter("lorawan.stat.received");
        counterSaveFailures = metrics.counter("lorawan.frame-counters.save-failures");
        ackFailures = metrics.counter("lorawan.acks.failed");
        receivePauses = metrics.counter("lorawan.receive.paused");
        sessionSaveFailures = metrics.counter("lorawan.sessions.save-failures");
        metrics.gauge("lorawan.frames.pending", () -> {
            synchronized (lock) {
                return pipeline.pendingCount();
            }
        });
        malformedLog = new EpisodeLog(log, Duration.ofSeconds(10));
        rejectedLog = new EpisodeLog(log, Duration.ofSeconds(10));
        publishLog = new EpisodeLog(log, Duration.ofSeconds(10));
    }

    /** Binds the socket; throws when the address is in use or not local. */
    public void bind() throws IOException {
        DatagramSocket s = new DatagramSocket(null);
        try {
            s.setReceiveBufferSize(receiveBuffer);
            s.bind(new InetSocketAddress(bindAddress, port));
        } catch (IOException e) {
            s.close();
            if (e instanceof java.net.BindException) {
                throw new java.net.BindException("cannot listen on UDP " + bindAddress + ":" + port + ": " + e.getMessage());
            }
            throw e;
        }
        socket = s;
    }

    /** Starts the receive and flush threads (after {@link #bind}). */
    public void start(String threadName, io.sluice.spi.connector.Health health) {
        running = true;
        Thread t = new Thread(() -> receiveLoop(health), threadName);
        t.setDaemon(true);
        Thread f = new Thread(this::flushLoop, threadName + "-flush");
        f.setDaemon(true);
        thread = t;
        flusher = f;
        t.start();
        f.start();
    }

    /** The bound UDP port. */
    public int localPort() {
        DatagramSocket s = socket;
        return s == null ? -1 : s.getLocalPort();
    }

    /** Gateways seen so far, by EUI. */
    public Map<String, GatewayInfo> gateways() {
        return gateways.snapshot();
    }

    private void receiveLoop(io.sluice.spi.connector.Health health) {
        DatagramSocket s = socket;
        byte[] buf = new byte[65_536];
        DatagramPacket dp = new DatagramPacket(buf, buf.length);
        health.report(HealthState.CONNECTED, "listening on UDP " + s.getLocalSocketAddress());
        try {
            s.setSoTimeout(100);
        } catch (SocketException e) {
            health.report(HealthState.DISCONNECTED, "UDP socket failed: " + e.getMessage());
            return;
        }
        while (running) {
            try {
                if (pipeline.pendingCountRacy() >= MAX_PENDING_FRAMES) {
                    // the sink is slower than the gateways: stop reading so the back-pressure reaches the socket
                    // buffer instead of the heap
                    receivePauses.increment();
                    while (running && pipeline.pendingCountRacy() >= MAX_PENDING_FRAMES) {
                        LockSupport.parkNanos(1_000_000L);
                    }
                }
                dp.setLength(buf.length);
                try {
                    s.receive(dp);
                } catch (SocketTimeoutException timeout) {
                    continue;
                }
                handle(dp);
            } catch (SocketException e) {
                if (running && !s.isClosed()) {
                    malformedLog.warn("UDP receive failed: " + e);
                    continue;
                }
                if (running) {
                    log.warn("UDP socket failed: {}", e.toString());
                    health.report(HealthState.DISCONNECTED, "UDP socket failed: " + e.getMessage());
                }
                break;
            } catch (RuntimeException | IOException e) {
                // never let one datagram kill the server
                malformedLog.warn("unexpected failure handling a datagram: " + e);
            }
        }
    }

    /**
     * Emits the frames whose window closed: drains them and snapshots the frame counters under the lock, then (outside
     * it, so reception goes on) saves the counters and hands the samples to the sink. Counters are on disk before
     * their samples are published, so a restart never accepts again a frame whose data was delivered.
     */
    private void flushLoop() {
        List<Sample> out = new ArrayList<>();
        while (true) {
            boolean last = !running;
            long now = System.nanoTime();
            long wait;
            synchronized (lock) {
                wait = statSamples.isEmpty() ? pipeline.nextDeadline() - now : 0;
            }
            if (!last && wait > 0) {
                LockSupport.parkNanos(Math.min(wait, flushIntervalNanos));
                continue;
            }
            try {
                flush(System.nanoTime(), last, out);
            } catch (RuntimeException e) {
                publishLog.warn("unexpected failure emitting LoRaWAN samples: " + e);
            }
            if (last) {
                return;
            }
            LockSupport.parkNanos(flushIntervalNanos); // lets a batch gather: at most one counter save per interval
        }
    }

    private void flush(long now, boolean all, List<Sample> out) {
        out.clear();
        byte[] countersFile;
        byte[] sessionsFile = null;
        List<Downlinks.Planned> planned = List.of();
        ready.clear();
        synchronized (lock) {
            if (!statSamples.isEmpty()) {
                out.addAll(statSamples);
                statSamples.clear();
            }
            pipeline.takeReady(now, all, ready);
            if (downlinks != null && !all && !ready.isEmpty()) {
                planned = downlinks.plan(ready, now, clock.millis());
            }
            countersFile = counters.snapshotIfDirty();
            if (sessions != null) {
                sessionsFile = sessions.snapshotIfDirty(clock.millis());
            }
        }
        pipeline.toSamples(ready, out);
        ready.clear();
        if (countersFile != null) {
            try {
                counters.write(countersFile);
            } catch (IOException e) {
                counterSaveFailures.increment();
                publishLog.warn("could not save frame counters: " + e);
            }
        }
        boolean sessionsSaved = true;
        if (sessionsFile != null) {
            try {
                sessions.write(sessionsFile);
            } catch (IOException e) {
                sessionsSaved = false;
                sessionSaveFailures.increment();
                publishLog.warn("could not save LoRaWAN sessions: " + e);
                synchronized (lock) {
                    sessions.markDirty();
                }
            }
        }
        if (!planned.isEmpty()) {
            // a JoinAccept leaves only once its session (and DevNonce) is on disk: a restart then refuses a replay
            List<Downlinks.Planned> go = sessionsSaved ? planned : planned.stream().filter(p -> !p.joinAccept).toList();
            downlinks.send(go, this::send);
        }
        if (out.isEmpty()) {
            return;
        }
        List<Sample> batch = List.copyOf(out);
        out.clear();
        intake.publish(batch);
    }

    /** Handles one datagram; package-private for tests. */
    void handle(DatagramPacket dp) throws IOException {
        datagrams.increment();
        byte[] d = dp.getData();
        int len = dp.getLength();
        if (len < 4) {
            malformed("datagram of " + len + " bytes from " + dp.getSocketAddress() + " is shorter than a header");
            return;
        }
        int version = d[0] & 0xFF;
        if (version != 1 && version != 2) {
            malformed("unsupported packet-forwarder protocol version " + version + " from " + dp.getSocketAddress());
            return;
        }
        int id = d[3] & 0xFF;
        if (id != SemtechProtocol.PUSH_DATA && id != SemtechProtocol.PULL_DATA && id != SemtechProtocol.TX_ACK) {
            malformed("unexpected identifier 0x" + Integer.toHexString(id) + " from " + dp.getSocketAddress());
            return;
        }
        if (len < SemtechProtocol.GATEWAY_HEADER) {
            malformed("datagram 0x" + Integer.toHexString(id) + " of " + len + " bytes from " + dp.getSocketAddress()
                    + " has no complete gateway EUI");
            return;
        }
        String eui = SemtechProtocol.gatewayEui(d);
        if (gateways.admit(eui, System.nanoTime()) != KnownGateways.Verdict.SERVED) {
            return; // counted and logged; no acknowledgement, no samples
        }
        SocketAddress from = dp.getSocketAddress();
        switch (id) {
            case SemtechProtocol.PUSH_DATA -> pushData(d, len, eui, from, version);
            case SemtechProtocol.PULL_DATA -> {
                pullData.increment();
                long now = System.nanoTime();
                gateways.update(eui, g -> new GatewayInfo(eui, g == null ? null : g.upstream(), from, now, version, now));
                send(SemtechProtocol.ack(d, SemtechProtocol.PULL_ACK), from);
            }
            default -> txAck(d, len, eui, (d[1] & 0xFF) << 8 | (d[2] & 0xFF));
        }
    }

    private void pushData(byte[] d, int len, String eui, SocketAddress from, int version) throws IOException {
        int end = len;
        while (end > SemtechProtocol.GATEWAY_HEADER && isPadding(d[end - 1])) {
            end--;
        }
        PushDataParser.PushData push;
        try {
            push = pushParser.parse(d, SemtechProtocol.GATEWAY_HEADER, end - SemtechProtocol.GATEWAY_HEADER);
        } catch (PushDataParser.MalformedException e) {
            malformed("PUSH_DATA from gateway " + eui + ": " + e.getMessage());
            return;
        }
        pushData.increment();
        byte[] copy = new byte[] {d[0], d[1], d[2]};
        send(SemtechProtocol.ack(copy, SemtechProtocol.PUSH_ACK), from);
        long now = System.nanoTime();
        gateways.update(eui, g -> new GatewayInfo(eui, from, g == null ? null : g.downstream(), now, version,
                g == null ? now : g.lastPullNanos()));
        long mono = System.nanoTime();
        long wall = Sample.toNanos(clock.instant());
        for (PushDataParser.Rxpk p : push.rxpk()) {
            rxpk(p, eui, mono, wall);
        }
        if (push.stat() != null) {
            statReports.increment();
            if (gatewayStats) {
                stat(push.stat(), eui, wall);
            }
        }
    }

    private static boolean isPadding(byte b) {
        return b == 0 || b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private void rxpk(PushDataParser.Rxpk p, String eui, long mono, long wall) {
        rxpkReceived.increment();
        if (p.notAnObject || p.data == null) {
            rxpkMalformed.increment();
            malformedLog.warn("rxpk from gateway " + eui + " without a 'data' string");
            return;
        }
        if (p.crc == -1) {
            rxpkCrcFailed.increment();
            return;
        }
        byte[] phy;
        try {
            phy = Base64.getDecoder().decode(p.data);
        } catch (IllegalArgumentException e) {
            rxpkMalformed.increment();
            malformedLog.warn("rxpk from gateway " + eui + ": 'data' is not base64");
            return;
        }
        long time = RxMetadata.NO_TIME;
        if (p.time != null) {
            try {
                time = gatewayClock.check(eui, IsoTime.parseNanos(p.time), wall);
            } catch (RuntimeException ignored) {
                // a gateway without GPS sends no or a broken time; the receive time is used
            }
        }
        // SX1302 forwarders may put the per-antenna figures in "rsig" (and "rssis") instead of "rssi" / "lsnr"
        RxMetadata rx = new RxMetadata(eui, p.rssiValue(), p.snrValue(), time, p.tmst, p.freq, p.datr, p.codr, p.chan, p.rfch);
        try {
            synchronized (lock) {
                pipeline.offer(phy, rx, mono, wall);
            }
        } catch (FrameException e) {
            rejectedLog.warn("frame from gateway " + eui + " rejected (" + e.reason().metric() + "): " + e.getMessage());
        }
    }

    private void stat(JsonNode stat, String eui, long wall) {
        long time = wall;
        JsonNode t = stat.get("time");
        if (t != null && t.isTextual()) {
            try {
                long reported = gatewayClock.check(eui, Sample.toNanos(Instant.from(STAT_TIME.parse(t.textValue()))), wall);
                if (reported != RxMetadata.NO_TIME) {
                    time = reported;
                }
            } catch (RuntimeException ignored) {
                // keep the receive time
            }
        }
        String prefix = "gateway." + eui + ".";
        for (String field : STAT_NUMBERS) {
            JsonNode v = stat.get(field);
            if (v == null || !v.isNumber()) {
                continue;
            }
            Value value = v.isIntegralNumber() ? Value.of(v.longValue()) : Value.of(v.doubleValue());
            String unit = switch (field) {
                case "lati", "long" -> "°";
                case "alti" -> "m";
                case "ackr" -> "%";
                case "temp" -> "°C";
                default -> null;
            };
            synchronized (lock) {
                statSamples.add(new Sample(prefix + field, value, Quality.GOOD, 0, time, wall, unit));
            }
        }
    }

    private void txAck(byte[] d, int len, String eui, int token) {
        String error = "NONE";
        if (len > SemtechProtocol.GATEWAY_HEADER) {
            JsonNode root = parseJson(d, SemtechProtocol.GATEWAY_HEADER, len);
            if (root == null || !root.isObject()) {
                malformed("TX_ACK from gateway " + eui + " carries malformed JSON");
                return;
            }
            error = root.path("txpk_ack").path("error").asText("NONE");
        }
        txAck.increment();
        if (!error.isEmpty() && !"NONE".equals(error)) {
            txAckErrors.increment();
            rejectedLog.warn("gateway " + eui + " could not send a downlink: " + error);
        }
        if (downlinks != null) {
            downlinks.txAck(eui, token, error, this::send);
        }
    }

    private JsonNode parseJson(byte[] d, int from, int to) {
        int end = to;
        while (end > from && (d[end - 1] == 0 || d[end - 1] == ' ' || d[end - 1] == '\n' || d[end - 1] == '\r')) {
            end--;
        }
        if (end <= from) {
            return null;
        }
        try {
            return json.readTree(d, from, end - from);
        } catch (JsonProcessingException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private void malformed(String message) {
        malformed.increment();
        malformedLog.warn(message);
    }

    private void send(byte[] packet, SocketAddress to) {
        try {
            socket.send(new DatagramPacket(packet, packet.length, to));
        } catch (IOException e) {
            ackFailures.increment();
            publishLog.warn("could not acknowledge to " + to + ": " + e);
        }
    }

    @Override
    public void close() {
        running = false;
        DatagramSocket s = socket;
        join(thread);
        if (s != null) {
            s.close();
        }
        join(thread);
        Thread f = flusher;
        if (f != null) {
            LockSupport.unpark(f);
        }
        join(f);
    }

    private static void join(Thread t) {
        if (t == null || !t.isAlive()) {
            return;
        }
        try {
            t.join(3_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
