package io.sluice.runtime.route;

import io.sluice.runtime.config.AssetRule;
import io.sluice.spi.AssetContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The asset context of a tag: its connector's {@code asset}, overlaid by every matching {@code assets} rule in order. */
public final class AssetResolver {

    private record CompiledRule(Glob connector, Glob tags, AssetContext context) {}

    private final Map<String, AssetContext> connectorContexts;
    private final List<CompiledRule> rules;
    private final Map<String, Map<String, AssetContext>> cache = new ConcurrentHashMap<>();

    public AssetResolver(Map<String, AssetContext> connectorContexts, List<AssetRule> rules) {
        this.connectorContexts = Map.copyOf(connectorContexts);
        this.rules = rules.stream().map(r -> new CompiledRule(Glob.compile(r.connector()), Glob.compile(r.tags()), new AssetContext(r.set()))).toList();
    }

    public AssetContext resolve(String connector, String tag) {
        String name = connector == null ? "" : connector; // an immutable map refuses a null key
        Map<String, AssetContext> byTag = cache.computeIfAbsent(name, c -> new ConcurrentHashMap<>());
        return byTag.computeIfAbsent(tag, t -> {
            AssetContext context = connectorContexts.getOrDefault(name, AssetContext.EMPTY);
            for (CompiledRule r : rules) {
                if (r.connector().matches(name) && r.tags().matches(t)) context = context.overlay(r.context());
            }
            return context;
        });
    }
}
