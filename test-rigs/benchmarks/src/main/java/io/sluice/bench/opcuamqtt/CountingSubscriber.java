package io.sluice.bench.opcuamqtt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.sluice.rigs.mqtt.MosquittoRig;
import io.sluice.rigs.pki.TestPki;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.BitSet;
import java.util.zip.GZIPInputStream;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The independent end of the benchmark: an MQTT client with its own certificate that subscribes to the gateway's
 * topics and decodes every message with the documented IoT Core payload format (docs/destinations.md, "Packed record
 * format": {@code {"v":1,"series":[...]}}, each series with {@code n} and the delta-encoded {@code seq} and {@code ts}
 * arrays; "IoT Core payloads: series and wide layouts": {@code {"v":2,...}} with {@code n}, {@code seq} and
 * {@code ts} at the top; either gzip'd when it starts with {@code 1f 8b}). It uses no Sluice class for decoding, so a bug in the
 * gateway's encoder shows here as a decode error or a wrong count. Counts values, distinct values ({@code seq} of
 * the one stream) and, while measuring, the latency from each value's source timestamp to its receipt.
 */
final class CountingSubscriber implements AutoCloseable {

    private static final JsonFactory JSON = new JsonFactory();

    private final MqttClient client;
    private final BitSet seen = new BitSet();
    private long values;
    private long distinct;
    private long messages;
    private long payloadBytes;
    private long decodeErrors;
    private String firstDecodeError;
    private boolean measuring;
    private double[] latencies = new double[1 << 16];
    private int latencyCount;
    private long[] seq = new long[64];
    private long[] ts = new long[64];
    private Path dumpDir;
    private int dumpsLeft;

    CountingSubscriber(MosquittoRig broker, String filter) throws Exception {
        TestPki.PemIdentity me = broker.issueClientCertificate("bench-subscriber");
        client = new MqttClient(broker.uri(), "bench-subscriber-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(broker.clientSslContext(me).getSocketFactory());
        o.setConnectionTimeout(10);
        o.setMaxInflight(1000);
        o.setCleanSession(true);
        client.connect(o);
        client.subscribe(filter, 1, (topic, message) -> onMessage(message.getPayload()));
    }

    /** What was counted so far. */
    record Counts(long values, long distinct, long messages, long payloadBytes, long decodeErrors) {}

    synchronized Counts counts() {
        return new Counts(values, distinct, messages, payloadBytes, decodeErrors);
    }

    synchronized String firstDecodeError() {
        return firstDecodeError;
    }

    /** Writes the next {@code count} payloads received, as they came, to {@code payload-NNN.bin} in {@code dir}. */
    synchronized void dumpPayloads(Path dir, int count) {
        dumpDir = dir;
        dumpsLeft = count;
    }

    /** Starts recording latencies (dropping those recorded before). */
    synchronized void startMeasuring() {
        latencyCount = 0;
        measuring = true;
    }

    /** Stops recording; returns the latencies (ms) recorded since {@link #startMeasuring()}, sorted. */
    synchronized double[] stopMeasuring() {
        measuring = false;
        double[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        return sorted;
    }

    private synchronized void onMessage(byte[] payload) {
        long receivedNanos = toNanos(Instant.now());
        messages++;
        payloadBytes += payload.length;
        if (dumpsLeft > 0) {
            try {
                Files.write(dumpDir.resolve(String.format("payload-%03d.bin", messages)), payload);
                dumpsLeft--;
            } catch (IOException e) {
                dumpsLeft = 0;
                System.out.println("cannot write a payload to " + dumpDir + ": " + e);
            }
        }
        try {
            decode(payload, receivedNanos);
        } catch (IOException | RuntimeException e) {
            decodeErrors++;
            if (firstDecodeError == null) firstDecodeError = e.toString();
        }
    }

    private void decode(byte[] payload, long receivedNanos) throws IOException {
        InputStream in = new ByteArrayInputStream(payload);
        if (payload.length >= 2 && (payload[0] & 0xff) == 0x1f && (payload[1] & 0xff) == 0x8b) in = new GZIPInputStream(in);
        try (JsonParser p = JSON.createParser(in)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            int version = 0, n = -1, seqs = -1, stamps = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "v" -> {
                        version = p.getIntValue();
                        if (version != 1 && version != 2) throw new IOException("payload version " + p.getText() + ", expected 1 or 2");
                    }
                    case "series" -> { // version 1: one object per series
                        expect(t, JsonToken.START_ARRAY);
                        while (p.nextToken() == JsonToken.START_OBJECT) series(p, receivedNanos);
                    }
                    case "n" -> n = p.getIntValue(); // version 2: one table of samples
                    case "seq" -> seqs = deltas(p, t, true);
                    case "ts" -> stamps = deltas(p, t, false);
                    default -> p.skipChildren(); // later versions may add keys
                }
            }
            if (version == 2) {
                if (n < 0 || seqs != n || stamps != n) throw new IOException("table with n=" + n + ", " + seqs + " seq, " + stamps + " ts");
                count(n, receivedNanos);
            }
        }
    }

    private void series(JsonParser p, long receivedNanos) throws IOException {
        int n = -1, seqs = 0, stamps = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "n" -> n = p.getIntValue();
                case "seq" -> seqs = deltas(p, t, true);
                case "ts" -> stamps = deltas(p, t, false);
                default -> p.skipChildren();
            }
        }
        if (n < 0 || seqs != n || stamps != n) throw new IOException("series with n=" + n + ", " + seqs + " seq, " + stamps + " ts");
        count(n, receivedNanos);
    }

    /** Counts the {@code n} samples just read into {@code seq} and {@code ts}. */
    private void count(int n, long receivedNanos) throws IOException {
        for (int i = 0; i < n; i++) {
            values++;
            if (seq[i] < 0 || seq[i] > Integer.MAX_VALUE) throw new IOException("seq " + seq[i] + " out of range");
            if (!seen.get((int) seq[i])) {
                seen.set((int) seq[i]);
                distinct++;
            }
            if (measuring) {
                if (latencyCount == latencies.length) latencies = Arrays.copyOf(latencies, latencyCount * 2);
                latencies[latencyCount++] = (receivedNanos - ts[i]) / 1e6;
            }
        }
    }

    /** Reads a delta-encoded integer array into {@code seq} or {@code ts}; returns its length. */
    private int deltas(JsonParser p, JsonToken t, boolean intoSeq) throws IOException {
        expect(t, JsonToken.START_ARRAY);
        int i = 0;
        long value = 0;
        while (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
            long v = p.getLongValue();
            value = i == 0 ? v : value + v;
            long[] into = intoSeq ? seq : ts;
            if (i == into.length) {
                into = Arrays.copyOf(into, i * 2);
                if (intoSeq) seq = into; else ts = into;
            }
            into[i++] = value;
        }
        return i;
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) throw new IOException("expected " + expected + ", found " + actual);
    }

    private static long toNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    @Override
    public void close() throws MqttException {
        try {
            client.disconnect(2000);
        } finally {
            client.close(true);
        }
    }
}
