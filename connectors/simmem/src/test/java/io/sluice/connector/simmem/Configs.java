package io.sluice.connector.simmem;

import io.sluice.connector.simmem.SimMemConfig.PageConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Config records as the runtime would bind them, with the documented defaults. */
final class Configs {

    private Configs() {}

    static PageConfig page(String layout, String path) {
        return new PageConfig(layout, Optional.ofNullable(path), Optional.empty(), List.of(), 0, Duration.ofMillis(100),
                Optional.empty(), SimMemConfig.Shape.TAGS);
    }

    static PageConfig page(String layout, String path, SimMemConfig.Shape shape) {
        return new PageConfig(layout, Optional.ofNullable(path), Optional.empty(), List.of(), 0, Duration.ofMillis(100),
                Optional.empty(), shape);
    }

    static SimMemConfig config(List<PageConfig> pages) {
        return config(pages, false);
    }

    static SimMemConfig config(List<PageConfig> pages, boolean adaptivePolling) {
        return new SimMemConfig(pages, true, "lap", Duration.ofNanos(200_000), Duration.ofMillis(200),
                Duration.ofMillis(50), true, true, adaptivePolling, 2, 8192);
    }
}
