package io.sluice.rigs.lorawan;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Virtual LoRa gateways running the Semtech UDP packet forwarder (protocol version 2) against a server, for many
 * simulated ABP devices. Each gateway has its own UDP socket on 127.0.0.1 (or the given local address) and a thread
 * that reads the server's acknowledgements and checks their tokens against the PUSH_DATA / PULL_DATA it sent.
 *
 * <p>One uplink can be heard by several gateways (each with its own RSSI, SNR and GPS time), replayed later, or sent
 * with a broken MIC. Everything is deterministic for a given seed.
 */
public final class PacketForwarderSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PacketForwarderSimulator.class);

    private final InetSocketAddress server;
    private final List<Gateway> gateways = new ArrayList<>();
    private final List<VirtualDevice> devices = new ArrayList<>();
    private final SplittableRandom random;
    private final AtomicLong pushSent = new AtomicLong();
    private final AtomicLong pullSent = new AtomicLong();
    private final AtomicLong pushAcked = new AtomicLong();
    private final AtomicLong pullAcked = new AtomicLong();
    private final AtomicLong unexpectedAcks = new AtomicLong();
    private volatile boolean closed;
    private final Object strangerLock = new Object();
    private DatagramSocket stranger;
    private Thread strangerReader;
    private final AtomicLong strangerSent = new AtomicLong();
    private final AtomicLong strangerAnswers = new AtomicLong();

    /** One virtual gateway. */
    final class Gateway {
        final int index;
        final String eui;
        final byte[] euiBytes = new byte[8];
        final DatagramSocket socket;
        final Thread reader;
        /** tokens in flight: token -> number of requests with it; separate for PUSH and PULL. */
        final Map<Integer, AtomicInteger> pushTokens = new ConcurrentHashMap<>();
        final Map<Integer, AtomicInteger> pullTokens = new ConcurrentHashMap<>();
        final AtomicLong pushAckedHere = new AtomicLong();
        final AtomicLong pullAckedHere = new AtomicLong();
        int nextToken;

        Gateway(int index, InetAddress local) throws SocketException {
            this.index = index;
            long e = 0xB827EBFFFE000000L | index;
            for (int i = 0; i < 8; i++) {
                euiBytes[i] = (byte) (e >>> (56 - 8 * i));
            }
            this.eui = String.format("%016x", e);
            this.socket = new DatagramSocket(new InetSocketAddress(local, 0));
            socket.setSendBufferSize(4 << 20);
            socket.setReceiveBufferSize(4 << 20);
            this.nextToken = random.nextInt(65536);
            this.reader = new Thread(this::readAcks, "lorawan-sim-gw-" + index);
            reader.setDaemon(true);
            reader.start();
        }

        synchronized int token() {
            nextToken = (nextToken + 1) & 0xFFFF;
            return nextToken;
        }

        private void readAcks() {
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            while (!closed) {
                try {
                    p.setLength(buf.length);
                    socket.receive(p);
                    if (p.getLength() < 4 || buf[0] != 2) {
                        unexpectedAcks.incrementAndGet();
                        continue;
                    }
                    int token = (buf[1] & 0xFF) << 8 | (buf[2] & 0xFF);
                    int id = buf[3] & 0xFF;
                    if (id == 3) {
                        pullResp(this, token, new String(buf, 4, p.getLength() - 4, StandardCharsets.UTF_8));
                        continue;
                    }
                    Map<Integer, AtomicInteger> tokens = id == 1 ? pushTokens : id == 4 ? pullTokens : null;
                    AtomicInteger n = tokens == null ? null : tokens.get(token);
                    if (n == null || n.getAndDecrement() <= 0) {
                        unexpectedAcks.incrementAndGet();
                        continue;
                    }
                    (id == 1 ? pushAcked : pullAcked).incrementAndGet();
                    (id == 1 ? pushAckedHere : pullAckedHere).incrementAndGet();
                } catch (SocketTimeoutException e) {
                    // loop
                } catch (IOException e) {
                    if (!closed) {
                        LOG.warn("gateway {} cannot read acknowledgements: {}", eui, e.toString());
                    }
                    return;
                }
            }
        }

        void send(byte[] datagram) throws IOException {
            socket.send(new DatagramPacket(datagram, datagram.length, server));
        }

        byte[] header(int identifier, int token) {
            byte[] h = new byte[12];
            h[0] = 2;
            h[1] = (byte) (token >> 8);
            h[2] = (byte) token;
            h[3] = (byte) identifier;
            System.arraycopy(euiBytes, 0, h, 4, 8);
            return h;
        }
    }

    /**
     * @param server      where the packet-forwarder server listens
     * @param local       local address of the gateways' sockets (e.g. 127.0.0.1)
     * @param gatewayCount number of virtual gateways
     * @param deviceCount number of simulated devices
     * @param startFcnt   frame counter of every device's first uplink (e.g. 65,500 to cross the 16-bit rollover)
     * @param seed        makes keys, values and radio figures reproducible
     */
    public PacketForwarderSimulator(InetSocketAddress server, InetAddress local, int gatewayCount, int deviceCount,
                                    long startFcnt, long seed) throws IOException {
        this.server = server;
        this.random = new SplittableRandom(seed);
        for (int i = 0; i < deviceCount; i++) {
            devices.add(new VirtualDevice(i, seed, startFcnt));
        }
        try {
            for (int i = 0; i < gatewayCount; i++) {
                gateways.add(new Gateway(i, local));
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    public List<VirtualDevice> devices() {
        return List.copyOf(devices);
    }

    public int gatewayCount() {
        return gateways.size();
    }

    /** The EUI any simulator gives its gateway number {@code i}, 16 lower-case hex digits. */
    public static String gatewayEuiOf(int i) {
        return String.format("%016x", 0xB827EBFFFE000000L | i);
    }

    /** The EUI of gateway {@code i}, 16 lower-case hex digits. */
    public String gatewayEui(int i) {
        return gateways.get(i).eui;
    }

    /** Sends PULL_DATA from every gateway (what a forwarder does on start and every few seconds). */
    public void pullData() throws IOException {
        for (Gateway g : gateways) {
            int token = g.token();
            g.pullTokens.computeIfAbsent(token, k -> new AtomicInteger()).incrementAndGet();
            pullSent.incrementAndGet();
            g.send(g.header(2, token));
        }
    }

    /**
     * Sends a TX_ACK from gateway {@code i} (what a gateway answers to a PULL_RESP); {@code error} null sends one
     * without JSON, otherwise {@code {"txpk_ack":{"error":"<error>"}}}.
     */
    public void txAck(int i, int token, String error) throws IOException {
        Gateway g = gateways.get(i);
        byte[] h = g.header(5, token);
        if (error == null) {
            g.send(h);
            return;
        }
        byte[] body = ("{\"txpk_ack\":{\"error\":\"" + error + "\"}}").getBytes(StandardCharsets.UTF_8);
        byte[] d = new byte[h.length + body.length];
        System.arraycopy(h, 0, d, 0, h.length);
        System.arraycopy(body, 0, d, h.length, body.length);
        g.send(d);
    }

    /** Sends a {@code stat} report from gateway {@code i}. */
    public void stat(int i, int rxnb, int rxok, int rxfw) throws IOException {
        push(gateways.get(i), statJson("2026-11-22 06:00:00 GMT", rxnb, rxok, rxfw));
    }

    /** Sends a {@code stat} report from gateway {@code i} whose {@code time} is {@code time} (the gateway's clock). */
    public void stat(int i, Instant time, int rxnb, int rxok, int rxfw) throws IOException {
        push(gateways.get(i), statJson(STAT_TIME.format(time), rxnb, rxok, rxfw));
    }

    private static final java.time.format.DateTimeFormatter STAT_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'GMT'").withZone(java.time.ZoneOffset.UTC);

    /** The JSON of a PUSH_DATA carrying only a {@code stat} report. */
    public static String statJson(String time, int rxnb, int rxok, int rxfw) {
        return "{\"stat\":{\"time\":\"" + time + "\",\"lati\":53.5511,\"long\":9.9937,\"alti\":12,"
                + "\"rxnb\":" + rxnb + ",\"rxok\":" + rxok + ",\"rxfw\":" + rxfw + ",\"ackr\":100.0,\"dwnb\":0,\"txnb\":0}}";
    }

    /** The JSON of a PUSH_DATA carrying one reception of {@code uplink} with the gateway time {@code time}. */
    public String uplinkJson(VirtualDevice.Uplink uplink, Instant time) {
        return "{\"rxpk\":[" + rxpk(uplink.phy(), time, -70, 5.0, 0) + "]}";
    }

    /**
     * Sends a datagram as a gateway the simulator does not otherwise know ({@code eui}), from one extra socket shared
     * by all such strangers: PUSH_DATA ({@code identifier} 0) with {@code json}, PULL_DATA (2) or TX_ACK (5) with
     * {@code json} or none. Whatever the server answers to strangers is counted in {@link #strangerAnswers()}.
     */
    public void sendAsStranger(long eui, int identifier, String json) throws IOException {
        DatagramSocket s = strangerSocket();
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        byte[] d = new byte[12 + body.length];
        d[0] = 2;
        d[1] = (byte) (eui >>> 3);
        d[2] = (byte) eui;
        d[3] = (byte) identifier;
        for (int i = 0; i < 8; i++) {
            d[4 + i] = (byte) (eui >>> (56 - 8 * i));
        }
        System.arraycopy(body, 0, d, 12, body.length);
        s.send(new DatagramPacket(d, d.length, server));
        strangerSent.incrementAndGet();
    }

    private DatagramSocket strangerSocket() throws IOException {
        synchronized (strangerLock) {
            if (stranger == null) {
                DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                s.setSendBufferSize(4 << 20);
                stranger = s;
                strangerReader = new Thread(() -> {
                    byte[] buf = new byte[4096];
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    while (!closed) {
                        try {
                            p.setLength(buf.length);
                            s.receive(p);
                            strangerAnswers.incrementAndGet();
                        } catch (IOException e) {
                            return;
                        }
                    }
                }, "lorawan-sim-strangers");
                strangerReader.setDaemon(true);
                strangerReader.start();
            }
            return stranger;
        }
    }

    /** Datagrams sent with {@link #sendAsStranger}. */
    public long strangerSent() { return strangerSent.get(); }

    /** Datagrams the server sent back to the strangers' socket (acknowledgements). */
    public long strangerAnswers() { return strangerAnswers.get(); }

    /** PUSH_ACKs gateway {@code i} received with a matching token. */
    public long pushAcked(int i) { return gateways.get(i).pushAckedHere.get(); }

    /** PULL_ACKs gateway {@code i} received with a matching token. */
    public long pullAcked(int i) { return gateways.get(i).pullAckedHere.get(); }

    /** Sends PULL_DATA from gateway {@code i} only. */
    public void pullData(int i) throws IOException {
        Gateway g = gateways.get(i);
        int token = g.token();
        g.pullTokens.computeIfAbsent(token, k -> new AtomicInteger()).incrementAndGet();
        pullSent.incrementAndGet();
        g.send(g.header(2, token));
    }

    /**
     * Sends {@code uplink} as heard by gateways {@code 0 .. times.size()-1}, gateway {@code k} reporting the receive
     * time {@code times.get(k)} (null: no time, as a gateway without GPS); returns the gateways' EUIs in order.
     */
    public List<String> send(VirtualDevice.Uplink uplink, List<Instant> times) throws IOException {
        List<String> euis = new ArrayList<>(times.size());
        for (int i = 0; i < times.size(); i++) {
            Gateway g = gateways.get(i);
            String json = "{\"rxpk\":[" + rxpk(uplink.phy(), times.get(i), -40 - 15 * i, 9.5 - 4 * i, 0) + "]}";
            push(g, json);
            euis.add(g.eui);
        }
        return euis;
    }

    /**
     * Sends {@code uplink} as heard by the first {@code heardBy} gateways, each with its own RSSI/SNR and the same GPS
     * time; returns the gateways' EUIs in order.
     */
    public List<String> send(VirtualDevice.Uplink uplink, int heardBy) throws IOException {
        List<String> euis = new ArrayList<>(heardBy);
        Instant time = Instant.now();
        for (int i = 0; i < heardBy; i++) {
            Gateway g = gateways.get(i);
            push(g, "{\"rxpk\":[" + rxpk(uplink.phy(), time, -40 - 15 * i - random.nextInt(5), 9.5 - 4 * i, 0) + "]}");
            euis.add(g.eui);
        }
        return euis;
    }

    /** Sends several uplinks in one PUSH_DATA from gateway {@code i} (a busy gateway batches its receptions). */
    public void sendBatch(int i, List<VirtualDevice.Uplink> uplinks) throws IOException {
        push(gateways.get(i), batchJson(uplinks));
    }

    /** The JSON of one PUSH_DATA carrying {@code uplinks}; for benchmarks that prepare datagrams ahead. */
    public String batchJson(List<VirtualDevice.Uplink> uplinks) {
        StringBuilder sb = new StringBuilder(64 + uplinks.size() * 300).append("{\"rxpk\":[");
        Instant time = Instant.now();
        for (int k = 0; k < uplinks.size(); k++) {
            if (k > 0) sb.append(',');
            sb.append(rxpk(uplinks.get(k).phy(), time, -60 - random.nextInt(40), 5.0, k % 8));
        }
        return sb.append("]}").toString();
    }

    /** A complete PUSH_DATA datagram from gateway {@code i} with a fresh token registered for its ACK. */
    public byte[] pushDatagram(int i, String json) {
        Gateway g = gateways.get(i);
        int token = g.token();
        g.pushTokens.computeIfAbsent(token, k -> new AtomicInteger()).incrementAndGet();
        pushSent.incrementAndGet();
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] h = g.header(0, token);
        byte[] d = new byte[h.length + body.length];
        System.arraycopy(h, 0, d, 0, h.length);
        System.arraycopy(body, 0, d, h.length, body.length);
        return d;
    }

    /** Sends a prepared datagram from gateway {@code i}. */
    public void sendDatagram(int i, byte[] datagram) throws IOException {
        gateways.get(i).send(datagram);
    }

    private void push(Gateway g, String json) throws IOException {
        g.send(pushDatagram(g.index, json));
    }

    private static String rxpk(byte[] phy, Instant time, int rssi, double snr, int chan) {
        String timeField = time == null ? "" : "\"time\":\"" + time + "\",";
        long tmst = (time == null ? System.currentTimeMillis() : time.toEpochMilli()) * 1000 & 0xFFFFFFFFL;
        return "{" + timeField + "\"tmst\":" + tmst
                + ",\"chan\":" + chan + ",\"rfch\":0,\"freq\":868.1,\"stat\":1,\"modu\":\"LORA\",\"datr\":\"SF7BW125\","
                + "\"codr\":\"4/5\",\"rssi\":" + rssi + ",\"lsnr\":" + snr + ",\"size\":" + phy.length
                + ",\"data\":\"" + Base64.getEncoder().encodeToString(phy) + "\"}";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // OTAA and downlinks

    private final com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    /** JoinRequests waiting for their JoinAccept, by the concentrator time of the window it must use (RX1 and RX2). */
    private final Map<Long, OtaaDevice> awaitingAccept = new ConcurrentHashMap<>();
    /** Concentrator times of recent uplinks, to check a data downlink's window. */
    private final java.util.Set<Long> uplinkTmsts = ConcurrentHashMap.newKeySet();
    private final AtomicLong joinAccepts = new AtomicLong();
    private final AtomicLong joinAcceptsBad = new AtomicLong();
    private final AtomicLong dataDownlinks = new AtomicLong();
    private final AtomicLong downlinksMistimed = new AtomicLong();
    private final AtomicLong nextTmst = new AtomicLong(1_000_000);

    private void pullResp(Gateway g, int token, String body) {
        try {
            com.fasterxml.jackson.databind.JsonNode tx = json.readTree(body).path("txpk");
            long tmst = tx.path("tmst").asLong(-1);
            byte[] phy = Base64.getDecoder().decode(tx.path("data").asText(""));
            boolean timed = !tx.path("imme").asBoolean(false) && tmst >= 0;
            if (phy.length > 0 && (phy[0] & 0xE0) == 0x20) {
                OtaaDevice d = timed ? awaitingAccept.remove(tmst) : null;
                if (d == null) {
                    downlinksMistimed.incrementAndGet(); // not at JoinRequest tmst + 5 s / 6 s of any join
                } else if (d.accept(phy)) {
                    joinAccepts.incrementAndGet();
                } else {
                    joinAcceptsBad.incrementAndGet();
                }
            } else {
                dataDownlinks.incrementAndGet();
                long up1 = (tmst - 1_000_000L) & 0xFFFFFFFFL;
                long up2 = (tmst - 2_000_000L) & 0xFFFFFFFFL;
                if (!timed || !uplinkTmsts.contains(up1) && !uplinkTmsts.contains(up2)) {
                    downlinksMistimed.incrementAndGet();
                }
            }
            txAck(g.index, token, "NONE");
        } catch (IOException | RuntimeException e) {
            unexpectedAcks.incrementAndGet();
        }
    }

    /**
     * Sends a JoinRequest of each device (its next DevNonce), heard by the first {@code heardBy} gateways with
     * distinct concentrator times, {@code perPush} receptions per PUSH_DATA. The JoinAccepts are checked as they come
     * ({@link #joinAccepts()}): the one for a request must be timed at its tmst + 5 s (RX1) or + 6 s (RX2).
     */
    public void sendJoins(List<OtaaDevice> devices, int heardBy, int perPush) throws IOException {
        for (int from = 0; from < devices.size(); from += perPush) {
            List<OtaaDevice> chunk = devices.subList(from, Math.min(devices.size(), from + perPush));
            StringBuilder[] bodies = new StringBuilder[heardBy];
            for (int k = 0; k < chunk.size(); k++) {
                OtaaDevice d = chunk.get(k);
                byte[] phy = d.joinRequest();
                long tmst = nextTmst.getAndAdd(1_000) & 0xFFFFFFFFL;
                awaitingAccept.put((tmst + 5_000_000L) & 0xFFFFFFFFL, d);
                for (int g = 0; g < heardBy; g++) {
                    if (bodies[g] == null) bodies[g] = new StringBuilder("{\"rxpk\":[");
                    else bodies[g].append(',');
                    bodies[g].append(rxpk(phy, null, tmst, -60 - 10 * g, 8.0 - 3 * g, k % 8));
                }
            }
            for (int g = 0; g < heardBy; g++) {
                push(gateways.get(g), bodies[g].append("]}").toString());
            }
        }
    }

    /** JoinAccepts received at the right time whose MIC verified and whose session the device took. */
    public long joinAccepts() { return joinAccepts.get(); }

    /** JoinAccepts at a join's time that did not verify with the device's AppKey. */
    public long joinAcceptsBad() { return joinAcceptsBad.get(); }

    /** PULL_RESPs that were not JoinAccepts (ACKs, MAC answers). */
    public long dataDownlinks() { return dataDownlinks.get(); }

    /** PULL_RESPs not timed at an uplink's tmst + RX1 / RX2 delay (or sent immediately). */
    public long downlinksMistimed() { return downlinksMistimed.get(); }

    /** The JSON of one PUSH_DATA carrying {@code uplinks} with distinct concentrator times, remembered for the downlink check. */
    public String timedBatchJson(List<VirtualDevice.Uplink> uplinks) {
        StringBuilder sb = new StringBuilder(64 + uplinks.size() * 300).append("{\"rxpk\":[");
        if (uplinkTmsts.size() > 1_000_000) uplinkTmsts.clear();
        for (int k = 0; k < uplinks.size(); k++) {
            if (k > 0) sb.append(',');
            long tmst = nextTmst.getAndAdd(1_000) & 0xFFFFFFFFL;
            uplinkTmsts.add(tmst);
            sb.append(rxpk(uplinks.get(k).phy(), null, tmst, -60 - random.nextInt(40), 5.0, k % 8));
        }
        return sb.append("]}").toString();
    }

    private static String rxpk(byte[] phy, Instant time, long tmst, int rssi, double snr, int chan) {
        String timeField = time == null ? "" : "\"time\":\"" + time + "\",";
        return "{" + timeField + "\"tmst\":" + tmst
                + ",\"chan\":" + chan + ",\"rfch\":0,\"freq\":868.1,\"stat\":1,\"modu\":\"LORA\",\"datr\":\"SF7BW125\","
                + "\"codr\":\"4/5\",\"rssi\":" + rssi + ",\"lsnr\":" + snr + ",\"size\":" + phy.length
                + ",\"data\":\"" + Base64.getEncoder().encodeToString(phy) + "\"}";
    }

    /** PUSH_DATA datagrams sent (each expects one PUSH_ACK). */
    public long pushSent() { return pushSent.get(); }

    public long pullSent() { return pullSent.get(); }

    /** PUSH_ACKs whose token matched a PUSH_DATA of the same gateway. */
    public long pushAcked() { return pushAcked.get(); }

    public long pullAcked() { return pullAcked.get(); }

    /** Acknowledgements with an unknown token, a wrong identifier or a wrong version. */
    public long unexpectedAcks() { return unexpectedAcks.get(); }

    /** Waits until every PUSH_DATA and PULL_DATA is acknowledged, or the timeout passes; returns whether all were. */
    public boolean awaitAcks(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - end < 0) {
            if (pushAcked.get() >= pushSent.get() && pullAcked.get() >= pullSent.get()) {
                return true;
            }
            Thread.sleep(5);
        }
        return pushAcked.get() >= pushSent.get() && pullAcked.get() >= pullSent.get();
    }

    /** The {@code profiles:} and {@code devices:} YAML for a lorawan connector that knows every simulated device. */
    public String registryYaml(String indent) {
        StringBuilder sb = new StringBuilder(indent + "profiles:\n").append(VirtualDevice.profilesYaml(indent + "  "));
        sb.append(indent).append("devices:\n");
        for (VirtualDevice d : devices) {
            sb.append(d.yaml(indent + "  "));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        closed = true;
        synchronized (strangerLock) {
            if (stranger != null) {
                stranger.close();
            }
        }
        for (Gateway g : gateways) {
            g.socket.close();
        }
        for (Gateway g : gateways) {
            try {
                g.reader.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
