package io.sluice.admin;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Map;

/**
 * The {@code # HELP} text of Sluice's meters in {@code /metrics}: the runtime registers most of them without a
 * description, and a strict parser rejects an empty HELP line. Meters of connectors and destinations (registered
 * through the SPI's {@code Metrics}) get a generic line naming their owner. docs/operations.md lists the same.
 */
final class MeterDescriptions {

    static final Map<String, String> KNOWN = Map.ofEntries(
            Map.entry("sluice.store.commits", "Transactions the store committed (each a sync of its write-ahead log under synchronous FULL)"),
            Map.entry("sluice.store.healthy", "1 when the store is in state OK, else 0"),
            Map.entry("sluice.store.state", "1 for the store's current state (OK, LOW_SPACE, FULL, RECOVERING, IO_ERROR, CLOSED)"),
            Map.entry("sluice.store.transitions", "Times the store entered each state since start"),
            Map.entry("sluice.stream.stored.samples", "Samples held by the stream"),
            Map.entry("sluice.stream.stored.bytes", "Encoded bytes held by the stream"),
            Map.entry("sluice.stream.backlog", "Samples of the stream not yet passed by every destination exporting it"),
            Map.entry("sluice.stream.oldest.age", "Seconds since the oldest sample not yet passed by every destination was received"),
            Map.entry("sluice.stream.appended", "Samples appended to the stream (its next sequence number)"),
            Map.entry("sluice.stream.dropped", "Samples dropped by reason: ttl, full (drop-oldest), rejected (reject-new), corrupt"),
            Map.entry("sluice.connector.samples.committed", "Samples of the connector committed to the store"),
            Map.entry("sluice.connector.samples.refused", "Samples of the connector the store refused"),
            Map.entry("sluice.destination.samples.sent", "Samples the destination confirmed delivered"),
            Map.entry("sluice.destination.packets.sent", "Packets (records, messages, entries) the destination confirmed"),
            Map.entry("sluice.destination.bytes.sent", "Bytes the destination confirmed"),
            Map.entry("sluice.destination.calls", "Service calls the destination made"),
            Map.entry("sluice.destination.retries", "Packets or calls retried after a retryable failure"),
            Map.entry("sluice.destination.throttles", "Calls the service throttled"),
            Map.entry("sluice.destination.dead.lettered", "Samples moved to the dead-letter stream"),
            Map.entry("sluice.destination.start.failures", "Failed start attempts of the destination"),
            Map.entry("sluice.destination.state", "1 for the destination's current state"),
            Map.entry("sluice.destination.backlog", "Samples of the stream the destination has not had"),
            Map.entry("sluice.destination.cursor", "The next sequence of the stream the destination will be given"));

    private MeterDescriptions() {}

    /** Gives every meter without a description one. */
    static MeterFilter filter() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getDescription() != null && !id.getDescription().isBlank() || id.syntheticAssociation() != null) return id;
                String text = KNOWN.get(id.getName());
                if (text == null) {
                    String owner = id.getTag("connector") != null ? "connector " + id.getTag("connector")
                            : id.getTag("destination") != null ? "destination " + id.getTag("destination") : null;
                    text = id.getName() + (owner == null ? "" : " (reported by the " + owner.substring(0, owner.indexOf(' ')) + ")");
                }
                return new Meter.Id(id.getName(), io.micrometer.core.instrument.Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), text, id.getType());
            }
        };
    }
}
