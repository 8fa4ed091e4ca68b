package io.sluice.runtime.route;

import io.sluice.runtime.config.RouteConfig;
import io.sluice.spi.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which stream each sample of a connector goes to: the first route whose connector and tag globs match,
 * else the connector's default stream. Decisions are cached per connector and tag, so the hot path is a map lookup.
 */
public final class Router {

    private record CompiledRoute(Glob connector, Glob tags, String stream) {}

    private final List<CompiledRoute> routes;
    private final Map<String, Map<String, String>> cache = new ConcurrentHashMap<>();

    public Router(List<RouteConfig> routes) {
        this.routes = routes.stream().map(r -> new CompiledRoute(Glob.compile(r.connector()), Glob.compile(r.tags()), r.stream())).toList();
    }

    /** Splits a connector's batch by target stream, keeping each stream's samples in their original order. */
    public Map<String, List<Sample>> split(String connector, String defaultStream, List<Sample> samples) {
        List<CompiledRoute> candidates = routes.stream().filter(r -> r.connector().matches(connector)).toList();
        if (candidates.isEmpty()) return Map.of(defaultStream, samples);
        Map<String, String> decisions = cache.computeIfAbsent(connector, c -> new ConcurrentHashMap<>());
        Map<String, List<Sample>> out = new LinkedHashMap<>();
        for (Sample s : samples) {
            String stream = decisions.computeIfAbsent(s.tag(), tag -> {
                for (CompiledRoute r : candidates) {
                    if (r.tags().matches(tag)) return r.stream();
                }
                return defaultStream;
            });
            out.computeIfAbsent(stream, k -> new ArrayList<>()).add(s);
        }
        return out;
    }
}
