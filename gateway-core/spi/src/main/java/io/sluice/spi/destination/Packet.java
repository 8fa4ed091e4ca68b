package io.sluice.spi.destination;

import java.util.List;

/**
 * One unit the service accepts or refuses on its own: a Kinesis record, a SiteWise entry, an MQTT message.
 *
 * @param orderingKeys the keys order is kept by (partition key, property alias, topic lane); usually one. The
 *                     publisher never has two packets that share a key in flight at once, so retrying one failed
 *                     packet cannot overtake a later one. A packet with several keys (one MQTT message carrying
 *                     several topic lanes) waits for, and holds back, the packets of each of them
 * @param sizeBytes    the payload size counted against byte limits and byte rates
 * @param samples      the samples it carries, in stream order
 * @param body         the destination's own representation (encoded bytes, an SDK object), opaque to the publisher
 */
public record Packet(List<String> orderingKeys, long sizeBytes, List<OutboundSample> samples, Object body) {

    public Packet {
        if (orderingKeys.isEmpty()) throw new IllegalArgumentException("a packet needs an ordering key");
        orderingKeys = List.copyOf(orderingKeys);
        samples = List.copyOf(samples);
    }

    /** A packet with one ordering key. */
    public Packet(String orderingKey, long sizeBytes, List<OutboundSample> samples, Object body) {
        this(List.of(orderingKey), sizeBytes, samples, body);
    }

    /** The first of {@link #orderingKeys} (of a one-key packet, its key). */
    public String orderingKey() {
        return orderingKeys.get(0);
    }
}
