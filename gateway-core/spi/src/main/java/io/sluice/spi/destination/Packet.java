package io.sluice.spi.destination;

import java.util.List;

/**
 * One unit the service accepts or refuses on its own: a Kinesis record, a SiteWise entry, an MQTT message.
 *
 * @param orderingKey the key order is kept by (partition key, property alias, topic). The publisher never has two
 *                    packets with one ordering key in flight at once, so retrying one failed packet cannot overtake
 *                    a later one
 * @param sizeBytes   the payload size counted against byte limits and byte rates
 * @param samples     the samples it carries, in stream order
 * @param body        the destination's own representation (encoded bytes, an SDK object), opaque to the publisher
 */
public record Packet(String orderingKey, long sizeBytes, List<OutboundSample> samples, Object body) {

    public Packet {
        samples = List.copyOf(samples);
    }
}
