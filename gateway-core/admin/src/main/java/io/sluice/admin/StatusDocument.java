package io.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.GatewayStatus;
import io.sluice.runtime.store.StreamStats;
import java.io.File;
import java.time.Instant;

/**
 * The document of {@code GET /api/v1/status} and {@code sluice status --json}: the gateway's status (as in
 * status.json) with what only a running gateway can say added:
 * <ul>
 *   <li>per stream: {@code backlog} (samples not yet passed by every destination), {@code oldestAgeMillis} (age of
 *       the oldest of them, 0 without backlog), {@code drainRatePerSecond} and {@code appendRatePerSecond} (over
 *       the last 10 s), {@code etaSeconds} (backlog over the net drain rate; null when the backlog is not shrinking);</li>
 *   <li>per destination: {@code failingSince} (ISO time or null), {@code nextRetryInMillis} (null when not waiting),
 *       {@code lastError} (null when it works);</li>
 *   <li>{@code store}: {@code diskFreeBytes}, {@code diskTotalBytes} of the data directory's file system and the
 *       store file's {@code fileBytes};</li>
 *   <li>{@code health}: {@code healthy} or {@code degraded} with the readiness checks behind it.</li>
 * </ul>
 * Meters are left out unless asked for ({@code /metrics} has them).
 */
final class StatusDocument {

    private final Gateway gateway;
    private final DrainRates rates;
    private final HealthChecks health;
    private final ObjectMapper json;

    StatusDocument(Gateway gateway, DrainRates rates, HealthChecks health, ObjectMapper json) {
        this.gateway = gateway;
        this.rates = rates;
        this.health = health;
        this.json = json;
    }

    ObjectNode build(boolean withMetrics) {
        GatewayStatus status = gateway.status(withMetrics);
        long now = System.currentTimeMillis();
        ObjectNode doc = json.valueToTree(status);
        if (!withMetrics) doc.remove("metrics");

        ArrayNode streams = (ArrayNode) doc.path("streams");
        for (int i = 0; i < status.streams().size(); i++) {
            StreamStats s = status.streams().get(i);
            ObjectNode node = (ObjectNode) streams.get(i);
            long backlog = DrainRates.backlog(s);
            node.put("storedSamples", s.storedSamples());
            node.put("backlog", backlog);
            long oldestAge = 0;
            if (backlog > 0) {
                long rxNanos = gateway.store().receiveTimeAt(s.name(), DrainRates.drained(s));
                if (rxNanos > 0) oldestAge = Math.max(0, now - rxNanos / 1_000_000);
            }
            node.put("oldestAgeMillis", oldestAge);
            DrainRates.Rate rate = rates.rate(s.name());
            node.put("drainRatePerSecond", round(rate.drainPerSecond()));
            node.put("appendRatePerSecond", round(rate.appendPerSecond()));
            double net = rate.drainPerSecond() - rate.appendPerSecond();
            if (backlog == 0) node.put("etaSeconds", 0);
            else if (net > 0) node.put("etaSeconds", Math.round(backlog / net));
            else node.putNull("etaSeconds");
        }

        for (JsonNode d : doc.path("destinations")) {
            ObjectNode node = (ObjectNode) d;
            long since = node.path("failingSinceMillis").asLong();
            if (since > 0) node.put("failingSince", Instant.ofEpochMilli(since).toString());
            else node.putNull("failingSince");
            long retry = node.path("nextRetryInMillis").asLong(-1);
            if (retry < 0) node.putNull("nextRetryInMillis");
            if (node.path("lastError").asText("").isEmpty()) node.putNull("lastError");
        }

        ObjectNode store = (ObjectNode) doc.path("store");
        File dir = gateway.dataDirectory().toFile();
        store.put("diskFreeBytes", dir.getUsableSpace());
        store.put("diskTotalBytes", dir.getTotalSpace());
        store.put("fileBytes", gateway.store().file().toFile().length());

        HealthChecks.Result ready = health.ready(status, now);
        ObjectNode h = doc.putObject("health");
        h.put("status", ready.up() && !health.degradedBeyondReadiness(status) ? "healthy" : "degraded");
        h.set("ready", ready.toJson(json));
        return doc;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
