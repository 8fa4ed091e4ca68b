package io.sluice.admin;

import java.nio.charset.StandardCharsets;

/** The endpoints every gateway has: metrics, health, status, live tails, dead letters, sample traces. */
final class CoreRoutes implements AdminRoutes {

    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final AdminMetrics metrics;
    private final StatusDocument status;
    private final HealthChecks health;
    private final StreamTails tails;
    private final DeadLetters deadLetters;

    CoreRoutes(AdminMetrics metrics, StatusDocument status, HealthChecks health, StreamTails tails, DeadLetters deadLetters) {
        this.metrics = metrics;
        this.status = status;
        this.health = health;
        this.tails = tails;
        this.deadLetters = deadLetters;
    }

    @Override
    public void register(AdminRouter router, AdminContext context) {
        router.get("/metrics", x -> {
            String accept = x.header("Accept");
            boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
            String type = openMetrics ? OPENMETRICS : PROMETHEUS_TEXT;
            x.bytes(200, type, metrics.prometheus().scrape(type).getBytes(StandardCharsets.UTF_8));
        });
        router.get("/health/live", x -> {
            HealthChecks.Result r = health.live();
            x.json(r.up() ? 200 : 503, r.toJson(x.mapper()));
        });
        router.get("/health/ready", x -> {
            HealthChecks.Result r = health.ready();
            x.json(r.up() ? 200 : 503, r.toJson(x.mapper()));
        });
        router.get("/api/v1/status", x -> x.json(200, status.build("true".equals(x.query("metrics")))));
        router.get("/api/v1/streams/{name}/tail", tails::handle);
        router.get("/api/v1/dead-letters", deadLetters::handle);
        router.get("/api/v1/streams/{name}/trace/{seq}", new SampleTraces(context.gateway())::handle);
    }
}
