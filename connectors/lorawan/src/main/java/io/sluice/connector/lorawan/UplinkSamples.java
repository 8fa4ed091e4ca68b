package io.sluice.connector.lorawan;

import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the samples of one uplink: one per decoded field ({@code <device>.<field>}), a BAD
 * {@code <device>.payload} bytes sample when the payload does not decode, {@code <device>.mac-commands} for FPort 0,
 * and (optionally) one {@code <device>.radio} structure with the frame's counters and every gateway's reception.
 */
final class UplinkSamples {

    private UplinkSamples() {}

    /** Everything known about one accepted uplink. */
    record Uplink(String device, TagCache tags, String devAddr, String devEui, long fcnt, int fport, boolean confirmed, boolean adr,
                  List<DecodedField> fields, String decodeError, byte[] payload, List<RxMetadata> receptions,
                  long receiveNanos) {}

    static void build(Uplink u, LoRaWanConnectorConfig.RadioMetadata radio, List<Sample> out) {
        long earliest = Long.MAX_VALUE;
        for (RxMetadata rx : u.receptions) {
            if (rx.hasTime()) {
                earliest = Math.min(earliest, rx.timeNanos());
            }
        }
        long sourceNanos = earliest == Long.MAX_VALUE ? u.receiveNanos : earliest;
        TagCache tags = u.tags != null ? u.tags : TagCache.of(u.device);
        if (u.fport == 0) {
            out.add(new Sample(tags.tag("mac-commands"), Value.of(u.payload), Quality.GOOD, 0, sourceNanos, u.receiveNanos, null));
        } else if (u.decodeError != null) {
            out.add(new Sample(tags.tag("payload"), Value.of(u.payload), Quality.BAD, 0, sourceNanos, u.receiveNanos, null));
        } else if (u.fields != null) {
            for (DecodedField f : u.fields) {
                out.add(new Sample(tags.tag(f.name()), f.value(), Quality.GOOD, 0, sourceNanos, u.receiveNanos, f.unit()));
            }
        }
        if (radio == LoRaWanConnectorConfig.RadioMetadata.COMPACT) {
            out.add(new Sample(tags.tag("radio"), compactRadioValue(u), Quality.GOOD, 0, sourceNanos, u.receiveNanos, null));
        } else if (radio == LoRaWanConnectorConfig.RadioMetadata.FULL) {
            out.add(new Sample(tags.tag("radio"), radioValue(u), Quality.GOOD, 0, sourceNanos, u.receiveNanos, null));
        }
    }

    /** Tag strings per device and field, built once instead of concatenated for every sample. */
    static final class TagCache {
        private static final java.util.concurrent.ConcurrentHashMap<String, TagCache> BY_DEVICE = new java.util.concurrent.ConcurrentHashMap<>();
        private static final int MAX_DEVICES = 100_000;
        private final String prefix;
        private final java.util.concurrent.ConcurrentHashMap<String, String> tags = new java.util.concurrent.ConcurrentHashMap<>();

        TagCache(String device) {
            this.prefix = device + ".";
        }

        static TagCache of(String device) {
            TagCache c = BY_DEVICE.get(device);
            if (c == null) {
                if (BY_DEVICE.size() > MAX_DEVICES) {
                    BY_DEVICE.clear();
                }
                c = BY_DEVICE.computeIfAbsent(device, TagCache::new);
            }
            return c;
        }

        String tag(String field) {
            String t = tags.get(field);
            if (t == null) {
                t = prefix + field;
                if (tags.size() < 1024) {
                    tags.put(field, t);
                }
            }
            return t;
        }
    }

    /** fcnt, fport, frequency, data-rate, [confirmed], [decode-error], gateways[{gateway, rssi, snr, [time-ns]}]. */
    static Value compactRadioValue(Uplink u) {
        Map<String, Value> m = new LinkedHashMap<>(8);
        m.put("fcnt", Value.of(u.fcnt));
        if (u.fport >= 0) m.put("fport", Value.of(u.fport));
        RxMetadata first = u.receptions.isEmpty() ? null : u.receptions.get(0);
        if (first != null) {
            if (first.frequency() > 0) m.put("frequency", Value.of(first.frequency()));
            if (first.dataRate() != null) m.put("data-rate", Value.of(first.dataRate()));
        }
        if (u.confirmed) m.put("confirmed", Value.of(true));
        if (u.decodeError != null) m.put("decode-error", Value.of(u.decodeError));
        Value[] gws = new Value[u.receptions.size()];
        for (int i = 0; i < gws.length; i++) {
            RxMetadata rx = u.receptions.get(i);
            Map<String, Value> g = new LinkedHashMap<>(6);
            g.put("gateway", Value.of(rx.gateway()));
            g.put("rssi", Value.of(rx.rssi()));
            g.put("snr", Value.of(rx.snr()));
            if (rx.hasTime()) g.put("time-ns", Value.of(rx.timeNanos()));
            gws[i] = new Value.StructValue(g);
        }
        m.put("gateways", new Value.ArrayValue(java.util.Arrays.asList(gws)));
        return new Value.StructValue(m);
    }

    static Value radioValue(Uplink u) {
        Map<String, Value> m = new LinkedHashMap<>();
        if (u.devAddr != null) m.put("dev-addr", Value.of(u.devAddr));
        if (u.devEui != null) m.put("dev-eui", Value.of(u.devEui));
        m.put("fcnt", Value.of(u.fcnt));
        if (u.fport >= 0) m.put("fport", Value.of(u.fport));
        m.put("confirmed", Value.of(u.confirmed));
        m.put("adr", Value.of(u.adr));
        RxMetadata first = u.receptions.isEmpty() ? null : u.receptions.get(0);
        if (first != null) {
            if (first.frequency() > 0) m.put("frequency", Value.of(first.frequency()));
            if (first.dataRate() != null) m.put("data-rate", Value.of(first.dataRate()));
            if (first.codingRate() != null) m.put("coding-rate", Value.of(first.codingRate()));
        }
        if (u.decodeError != null) m.put("decode-error", Value.of(u.decodeError));
        List<Value> gws = new ArrayList<>(u.receptions.size());
        for (RxMetadata rx : u.receptions) {
            Map<String, Value> g = new LinkedHashMap<>();
            g.put("gateway", Value.of(rx.gateway()));
            g.put("rssi", Value.of(rx.rssi()));
            g.put("snr", Value.of(rx.snr()));
            if (rx.hasTime()) g.put("time", Value.of(Sample.toInstant(rx.timeNanos()).toString()));
            if (rx.tmst() >= 0) g.put("tmst", Value.of(rx.tmst()));
            if (rx.channel() >= 0) g.put("channel", Value.of(rx.channel()));
            if (rx.rfChain() >= 0) g.put("rf-chain", Value.of(rx.rfChain()));
            gws.add(new Value.StructValue(g));
        }
        m.put("gateways", new Value.ArrayValue(gws));
        return new Value.StructValue(m);
    }
}
