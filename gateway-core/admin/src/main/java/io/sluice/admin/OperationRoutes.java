package io.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.runtime.ConfigReloads;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.operations.OperationResult;
import io.sluice.runtime.operations.Position;
import io.sluice.runtime.operations.StreamOperations;
import io.sluice.spi.SluiceException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.server.Request;

/**
 * The operator's write operations on a running gateway, for {@code sluice streams|destinations|reload} and scripts.
 * Each is a POST whose JSON body may name the {@code actor} (the CLI sends {@code cli user=<name>}); the log line of
 * the operation names it with the client's address. The answer is the {@link OperationResult} (200); an operation that
 * cannot be done is 400 (or 503 when trying again may help) with {@code {"error": "..."}}.
 *
 * <pre>
 * POST /api/v1/streams/{name}/purge              {"before": "2026-12-07T00:00:00Z" | "2h"}   (absent: everything)
 * POST /api/v1/streams/{name}/replay             {"destination": "kinesis", "from": "1200" | "2026-12-07T00:10:00Z" | "15m"}
 * POST /api/v1/dead-letters/{stream}/redrive
 * POST /api/v1/destinations/{name}/test | pause | resume
 * POST /api/v1/reload                            answers {"outcome": "APPLIED|UNCHANGED|REJECTED", "detail": "..."}
 * </pre>
 * An operation holds one of the endpoint's few threads while it runs (at most {@link StreamOperations#TIMEOUT}).
 */
public final class OperationRoutes implements AdminRoutes {

    @Override
    public void register(AdminRouter router, AdminContext context) {
        Gateway gateway = context.gateway();
        StreamOperations ops = gateway.operations();
        router.post("/api/v1/streams/{name}/purge", x -> answer(x, (body, actor) -> {
            String before = text(body, "before");
            Instant time = null;
            if (before != null) {
                Position p = Position.parse(before, Clock.systemUTC());
                if (p.isSequence()) throw new SluiceException("before is a time (2026-12-07T00:00:00Z, or 2h back from now), not a sequence", false);
                time = Instant.ofEpochSecond(0, p.epochNanos());
            }
            return ops.purge(x.pathParam("name"), time, actor);
        }));
        router.post("/api/v1/streams/{name}/replay", x -> answer(x, (body, actor) -> {
            String destination = required(body, "destination");
            Position from = Position.parse(required(body, "from"), Clock.systemUTC());
            return ops.replay(x.pathParam("name"), destination, from, actor);
        }));
        router.post("/api/v1/dead-letters/{stream}/redrive", x -> answer(x, (body, actor) -> ops.redrive(x.pathParam("stream"), actor)));
        router.post("/api/v1/destinations/{name}/test", x -> answer(x, (body, actor) -> ops.test(x.pathParam("name"), actor)));
        router.post("/api/v1/destinations/{name}/pause", x -> answer(x, (body, actor) -> ops.pause(x.pathParam("name"), actor)));
        router.post("/api/v1/destinations/{name}/resume", x -> answer(x, (body, actor) -> ops.resume(x.pathParam("name"), actor)));
        router.post("/api/v1/reload", x -> {
            try {
                ConfigReloads.Result r = gateway.reload("admin request by " + actor(x, x.bodyJson()));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("outcome", r.outcome().name());
                out.put("detail", r.detail());
                x.json(200, out);
            } catch (SluiceException e) {
                throw new AdminException(e.retryable() ? 503 : 400, e.getMessage());
            }
        });
    }

    private interface Operation {
        OperationResult run(JsonNode body, String actor) throws Exception;
    }

    private static void answer(AdminExchange x, Operation operation) throws Exception {
        OperationResult result;
        try {
            JsonNode body = x.bodyJson();
            result = operation.run(body, actor(x, body));
        } catch (SluiceException e) {
            throw new AdminException(e.retryable() ? 503 : 400, e.getMessage());
        }
        x.json(200, result);
    }

    private static String actor(AdminExchange x, JsonNode body) {
        String named = text(body, "actor");
        String from = "admin client " + Request.getRemoteAddr(x.request());
        return named == null ? from : named.replaceAll("[\\r\\n]", " ") + " (" + from + ")";
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String required(JsonNode body, String field) {
        String v = text(body, field);
        if (v == null || v.isBlank()) throw new AdminException(400, "the body names no " + field);
        return v;
    }
}
