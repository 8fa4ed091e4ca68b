package io.sluice.runtime.publish;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Counters and state of one destination name. They outlive a worker (a config change or a failed start restarts the
 * worker, not the figures), and their Micrometer gauges are registered once:
 * {@code sluice.destination.*{destination}} and {@code sluice.destination.state{destination,state}}, 1 for the
 * current state and 0 for the others.
 */
final class DestinationCounters {

    final AtomicLong samplesSent = new AtomicLong();
    final AtomicLong packetsSent = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong calls = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong throttles = new AtomicLong();
    final AtomicLong deadLettered = new AtomicLong();
    final AtomicLong startFailures = new AtomicLong();
    final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    /** Samples moved to the dead-letter stream, by reason (numbers and ids replaced by N and *). */
    final Map<String, AtomicLong> deadLetteredByReason = new ConcurrentHashMap<>();
    /** Samples rerouted to the fallback destination's stream for their age. */
    final AtomicLong rerouted = new AtomicLong();
    /** Samples rerouted to the fallback, by reason (numbers and ids replaced by N and *). */
    final Map<String, AtomicLong> reroutedByReason = new ConcurrentHashMap<>();
    final AtomicReference<DestinationState> state = new AtomicReference<>(DestinationState.STARTING);

    private final MeterRegistry registry;
    private final Tags tags;

    DestinationCounters(String name, MeterRegistry registry) {
        this.registry = registry;
        Tags tags = Tags.of("destination", name);
        this.tags = tags;
        // monotonic counts are counters (Prometheus: *_total), so rate() and increase() apply
        counter(registry, "sluice.destination.samples.sent", tags, samplesSent, null);
        counter(registry, "sluice.destination.packets.sent", tags, packetsSent, null);
        counter(registry, "sluice.destination.bytes.sent", tags, bytesSent, null); // the name says bytes already
        counter(registry, "sluice.destination.calls", tags, calls, null);
        counter(registry, "sluice.destination.retries", tags, retries, null);
        counter(registry, "sluice.destination.throttles", tags, throttles, null);
        counter(registry, "sluice.destination.dead.lettered", tags, deadLettered, null);
        counter(registry, "sluice.destination.start.failures", tags, startFailures, null);
        for (DestinationState s : DestinationState.values()) {
            Gauge.builder("sluice.destination.state", state, r -> r.get() == s ? 1 : 0)
                    .tags(tags.and("state", s.name())).register(registry);
        }
    }

    /** A packet the destination confirmed. */
    void delivered(io.sluice.spi.destination.Packet packet) {
        samplesSent.addAndGet(packet.samples().size());
        packetsSent.incrementAndGet();
        bytesSent.addAndGet(packet.sizeBytes());
    }

    /** A call answered, or failed as a whole. */
    void called() {
        calls.incrementAndGet();
    }

    /** Packets to be sent again. */
    void retried(int packetCount) {
        retries.addAndGet(packetCount);
    }

    /** A packet the service throttled (it is retried too). */
    void throttled() {
        throttles.incrementAndGet();
    }

    /**
     * Samples rerouted to the fallback for their age: {@code sluice.destination.samples.rerouted{destination,reason}},
     * one counter per reason key, registered when the reason first occurs.
     */
    void rerouted(String reasonKey, int count) {
        rerouted.addAndGet(count);
        reroutedByReason.computeIfAbsent(reasonKey, k -> {
            AtomicLong value = new AtomicLong();
            counter(registry, "sluice.destination.samples.rerouted", tags.and("reason", k), value, null);
            return value;
        }).addAndGet(count);
    }

    /** A failed call or packet, by reason (see {@link DeliveryHealth#reasonKey}). */
    void failed(String reasonKey) {
        failures.computeIfAbsent(reasonKey, k -> new AtomicLong()).incrementAndGet();
    }

    private static void counter(MeterRegistry registry, String name, Tags tags, AtomicLong value, String unit) {
        io.micrometer.core.instrument.FunctionCounter.builder(name, value, AtomicLong::get).tags(tags).baseUnit(unit).register(registry);
    }
}
