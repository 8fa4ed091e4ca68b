package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.GatewayStatus;
import io.sluice.runtime.publish.DestinationState;
import io.sluice.runtime.publish.DestinationStatus;
import io.sluice.runtime.store.StoreHealth;
import io.sluice.spi.connector.HealthState;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Liveness and readiness, each with a verdict per component.
 * <ul>
 *   <li>live: the gateway answers for its status within {@value #LIVE_TIMEOUT_SECONDS} s (not stuck) and is not
 *       closed;</li>
 *   <li>ready: the store accepts writes (OK, LOW_SPACE or RECOVERING), and every enabled destination has started
 *       and has not been failing (unable to start, or its calls failing) for longer than
 *       {@code admin.ready-failing-after}. A destination that has never started yet (STARTING) is not ready; one
 *       that just began failing stays ready until the grace period has passed.</li>
 * </ul>
 */
final class HealthChecks {

    static final int LIVE_TIMEOUT_SECONDS = 5;

    /** A verdict with one entry per component. */
    record Result(boolean up, Map<String, Component> components) {
        ObjectNode toJson(ObjectMapper json) {
            ObjectNode node = json.createObjectNode();
            node.put("status", up ? "UP" : "DOWN");
            ObjectNode cs = node.putObject("components");
            components.forEach((name, c) -> {
                ObjectNode n = cs.putObject(name);
                n.put("status", c.up ? "UP" : "DOWN");
                n.put("state", c.state);
                if (!c.detail.isEmpty()) n.put("detail", c.detail);
            });
            return node;
        }
    }

    record Component(boolean up, String state, String detail) {}

    private final Gateway gateway;
    private final Duration failingAfter;
    private final ExecutorService probe;

    HealthChecks(Gateway gateway, Duration failingAfter, ExecutorService probe) {
        this.gateway = gateway;
        this.failingAfter = failingAfter;
        this.probe = probe;
    }

    Result live() {
        Map<String, Component> cs = new LinkedHashMap<>();
        try {
            GatewayStatus s = CompletableFuture.supplyAsync(() -> gateway.status(false), probe).get(LIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            boolean running = s.state().equals("running");
            cs.put("gateway", new Component(running, s.state(), running ? "" : "the gateway is stopping"));
        } catch (TimeoutException e) {
            cs.put("gateway", new Component(false, "unresponsive", "no status within " + LIVE_TIMEOUT_SECONDS + " s"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cs.put("gateway", new Component(false, "unknown", "interrupted"));
        } catch (Exception e) {
            cs.put("gateway", new Component(false, "error", String.valueOf(e.getCause() == null ? e : e.getCause().getMessage())));
        }
        return new Result(cs.values().stream().allMatch(Component::up), cs);
    }

    Result ready() {
        return ready(gateway.status(false), System.currentTimeMillis());
    }

    Result ready(GatewayStatus s, long now) {
        Map<String, Component> cs = new LinkedHashMap<>();
        StoreHealth store = s.store();
        cs.put("store", new Component(store.state().writable(), store.state().name(), store.detail()));
        for (DestinationStatus d : s.destinations()) {
            if (d.state() == DestinationState.DISABLED) continue;
            cs.put("destination:" + d.name(), destination(d, now));
        }
        return new Result(cs.values().stream().allMatch(Component::up), cs);
    }

    private Component destination(DestinationStatus d, long now) {
        String state = d.state().name();
        long since = d.failingSinceMillis();
        if (since > 0) {
            long failingFor = now - since;
            String detail = "failing since " + Instant.ofEpochMilli(since) + ": " + d.lastError();
            return new Component(failingFor <= failingAfter.toMillis(), state, detail);
        }
        return switch (d.state()) {
            case STARTING -> new Component(false, state, "not started yet");
            case STOPPING, STOPPED -> new Component(false, state, "stopped");
            default -> new Component(true, state, "");
        };
    }

    /** Degraded although ready: a connector not connected, or a destination failing within its grace period. */
    boolean degradedBeyondReadiness(GatewayStatus s) {
        for (GatewayStatus.ConnectorStatus c : s.connectors()) {
            if (!c.state().equals(HealthState.CONNECTED.name())) return true;
        }
        for (DestinationStatus d : s.destinations()) {
            if (d.state() != DestinationState.DISABLED && d.failingSinceMillis() > 0) return true;
        }
        return false;
    }
}
