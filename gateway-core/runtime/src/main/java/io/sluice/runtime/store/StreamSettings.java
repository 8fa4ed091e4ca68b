package io.sluice.runtime.store;

import io.sluice.runtime.config.StreamConfig;
import java.time.Duration;
import java.util.Set;

/**
 * What the store needs to know about a stream: limits, persistence, which destinations read it (data is kept until
 * every one of them has passed it), and its priority (1 highest … 10 lowest): under the store-wide budget the
 * lowest-priority streams give up their data first. What every destination has passed is kept for
 * {@code keepDelivered} (zero: deleted at once), so it can be replayed.
 */
public record StreamSettings(String name, long maxBytes, Duration ttl, StreamConfig.WhenFull whenFull,
                             boolean persistent, Set<String> destinations, int priority, Duration keepDelivered) {

    public static final int HIGHEST_PRIORITY = 1;
    public static final int LOWEST_PRIORITY = 10;
    public static final int DEFAULT_PRIORITY = 5;

    public StreamSettings {
        destinations = Set.copyOf(destinations);
        if (priority < HIGHEST_PRIORITY || priority > LOWEST_PRIORITY) {
            throw new IllegalArgumentException("priority must be 1 to 10, got " + priority);
        }
        if (keepDelivered.isNegative()) throw new IllegalArgumentException("keepDelivered must not be negative");
    }

    /** A stream that deletes what every destination has passed at once. */
    public StreamSettings(String name, long maxBytes, Duration ttl, StreamConfig.WhenFull whenFull,
                          boolean persistent, Set<String> destinations, int priority) {
        this(name, maxBytes, ttl, whenFull, persistent, destinations, priority, Duration.ZERO);
    }

    /** A stream of the default priority. */
    public StreamSettings(String name, long maxBytes, Duration ttl, StreamConfig.WhenFull whenFull,
                          boolean persistent, Set<String> destinations) {
        this(name, maxBytes, ttl, whenFull, persistent, destinations, DEFAULT_PRIORITY);
    }

    public static StreamSettings of(String name, StreamConfig config) {
        return new StreamSettings(name, config.maxSize().bytes(), config.ttl(), config.whenFull(),
                config.persistence() == StreamConfig.Persistence.FILE,
                config.export().stream().map(StreamConfig.ExportConfig::destination).collect(java.util.stream.Collectors.toSet()),
                config.priority(), config.keepDelivered());
    }

    StreamSettings withPersistent(boolean p) {
        return new StreamSettings(name, maxBytes, ttl, whenFull, p, destinations, priority, keepDelivered);
    }
}
