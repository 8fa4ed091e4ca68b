package io.sluice.connector.lorawan;

import java.time.Duration;
import io.sluice.spi.EpisodeLog;
import io.sluice.connector.lorawan.PacketForwarderServer.GatewayInfo;
import io.sluice.spi.metrics.Metrics;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;

/**
 * The gateways the UDP server serves, bounded: anyone on the network can send a datagram with a made-up EUI, so the
 * table never holds more than {@code gateways.max-known} entries and, with {@code gateways.allow}, only listed EUIs.
 *
 * <p>{@link #admit} decides per datagram. A known gateway is served. A new one is admitted when the allow-list (if
 * any) names it and the table has room; when the table is full, the gateway silent longest gives up its place if it
 * has been silent for {@code forget-after}. Otherwise the datagram is refused: counted in
 * {@code lorawan.gateways.refused.not-allowed} or {@code lorawan.gateways.refused.table-full} and logged at most
 * once per 10 s per reason. A refused gateway gets no acknowledgement and produces no samples.
 *
 * <p>Mutated by the receive thread only; {@link #snapshot} and the size may be read from any thread.
 */
final class KnownGateways {

    /** Why a datagram was refused, or that it was not. */
    enum Verdict { SERVED, NOT_ALLOWED, TABLE_FULL }

    private final Set<String> allow;
    private final int maxKnown;
    private final long forgetAfterNanos;
    private final Map<String, GatewayInfo> table = new ConcurrentHashMap<>();
    private final Metrics.Counter refusedNotAllowed;
    private final Metrics.Counter refusedTableFull;
    private final EpisodeLog notAllowedLog;
    private final EpisodeLog tableFullLog;
    /** No entry can be stale before this ({@link System#nanoTime()} scale); saves scanning a full table per datagram. */
    private long noneStaleBefore = Long.MIN_VALUE;
    private boolean noneStaleKnown;

    KnownGateways(List<String> allow, int maxKnown, long forgetAfterNanos, Metrics metrics, Logger log) {
        Set<String> a = new HashSet<>();
        for (String eui : allow) {
            a.add(eui.toLowerCase(Locale.ROOT));
        }
        this.allow = Set.copyOf(a);
        this.maxKnown = maxKnown;
        this.forgetAfterNanos = forgetAfterNanos;
        refusedNotAllowed = metrics.counter("lorawan.gateways.refused.not-allowed");
        refusedTableFull = metrics.counter("lorawan.gateways.refused.table-full");
        metrics.gauge("lorawan.gateways", table::size);
        notAllowedLog = new EpisodeLog(log, Duration.ofSeconds(10));
        tableFullLog = new EpisodeLog(log, Duration.ofSeconds(10));
    }

    static KnownGateways of(LoRaWanConnectorConfig.Gateways config, Metrics metrics, Logger log) {
        return new KnownGateways(config.allow(), config.maxKnown(), config.forgetAfter().toNanos(), metrics, log);
    }

    /**
     * Whether the datagram of gateway {@code eui} (16 lower-case hex digits) is served; a refusal is counted and
     * logged. Does not add the gateway: {@link #update} does, once the datagram proved well-formed.
     */
    Verdict admit(String eui, long nowNanos) {
        if (table.containsKey(eui)) {
            return Verdict.SERVED;
        }
        if (!allow.isEmpty() && !allow.contains(eui)) {
            refusedNotAllowed.increment();
            notAllowedLog.warn("datagram of gateway " + eui + " refused: not in gateways.allow");
            return Verdict.NOT_ALLOWED;
        }
        if (table.size() < maxKnown || forgetOneStale(nowNanos)) {
            return Verdict.SERVED;
        }
        refusedTableFull.increment();
        tableFullLog.warn("datagram of new gateway " + eui + " refused: " + maxKnown + " gateways known (gateways.max-known), "
                + "none silent for gateways.forget-after");
        return Verdict.TABLE_FULL;
    }

    /** Records what a served datagram told about gateway {@code eui}; {@code change} gets null for a new one. */
    void update(String eui, UnaryOperator<GatewayInfo> change) {
        table.compute(eui, (k, old) -> change.apply(old));
    }

    /** Removes the gateway silent longest when it has been silent for forget-after; returns whether one was. */
    private boolean forgetOneStale(long nowNanos) {
        if (noneStaleKnown && nowNanos - noneStaleBefore < 0) {
            return false;
        }
        GatewayInfo oldest = null;
        for (GatewayInfo g : table.values()) {
            if (oldest == null || g.lastSeenNanos() - oldest.lastSeenNanos() < 0) {
                oldest = g;
            }
        }
        if (oldest != null && nowNanos - oldest.lastSeenNanos() >= forgetAfterNanos) {
            table.remove(oldest.eui());
            noneStaleKnown = false;
            return true;
        }
        // every entry is younger than the oldest one, which turns stale at this point at the earliest
        noneStaleBefore = oldest == null ? nowNanos : oldest.lastSeenNanos() + forgetAfterNanos;
        noneStaleKnown = true;
        return false;
    }

    /** The gateway's entry, or null. */
    GatewayInfo get(String eui) {
        return table.get(eui);
    }

    int size() {
        return table.size();
    }

    Map<String, GatewayInfo> snapshot() {
        return Map.copyOf(table);
    }
}
