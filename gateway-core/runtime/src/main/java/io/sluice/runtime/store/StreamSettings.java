package io.sluice.runtime.store;

import io.sluice.runtime.config.StreamConfig;
import java.time.Duration;
import java.util.Set;

/**
 * What the store needs to know about a stream: limits, persistence, and which destinations read it (data is kept
 * until every one of them has passed it).
 */
public record StreamSettings(String name, long maxBytes, Duration ttl, StreamConfig.WhenFull whenFull,
                             boolean persistent, Set<String> destinations) {

    public StreamSettings {
        destinations = Set.copyOf(destinations);
    }

    public static StreamSettings of(String name, StreamConfig config) {
        return new StreamSettings(name, config.maxSize().bytes(), config.ttl(), config.whenFull(),
                config.persistence() == StreamConfig.Persistence.FILE,
                config.export().stream().map(StreamConfig.ExportConfig::destination).collect(java.util.stream.Collectors.toSet()));
    }
}
