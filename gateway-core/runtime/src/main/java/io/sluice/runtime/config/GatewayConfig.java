package io.sluice.runtime.config;

import java.util.List;
import java.util.Map;

/**
 * A whole, validated gateway configuration. Built by {@link ConfigLoader}; every reference (route to stream,
 * export to destination, dead-letter stream) has been checked.
 *
 * @param source the file (or other origin) it was read from, for messages
 */
public record GatewayConfig(String source, StoreConfig store, Map<String, ConnectorInstance> connectors,
                            Map<String, StreamConfig> streams, List<RouteConfig> routes,
                            Map<String, DestinationInstance> destinations, List<AssetRule> assets,
                            AdminConfig admin, LoggingConfig logging) {

    public GatewayConfig {
        connectors = Map.copyOf(connectors);
        streams = Map.copyOf(streams);
        routes = List.copyOf(routes);
        destinations = Map.copyOf(destinations);
        assets = List.copyOf(assets);
        if (admin == null) admin = AdminConfig.defaults();
        if (logging == null) logging = LoggingConfig.defaults();
    }

    public GatewayConfig withStore(StoreConfig newStore) {
        return new GatewayConfig(source, newStore, connectors, streams, routes, destinations, assets, admin, logging);
    }
}
