package io.sluice.spi;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where a tag lives in the plant: site / area / line / machine, plus any extra levels the operator defines.
 * Destinations template SiteWise aliases, IoT Core topics and Kinesis partition keys from it.
 */
public record AssetContext(Map<String, String> levels) {

    public static final AssetContext EMPTY = new AssetContext(Map.of());

    public AssetContext {
        levels = Map.copyOf(levels);
    }

    public String get(String level) {
        return levels.get(level);
    }

    /** This context with {@code more}'s levels laid over it. */
    public AssetContext overlay(AssetContext more) {
        if (more.levels.isEmpty()) {
            return this;
        }
        Map<String, String> merged = new TreeMap<>(levels);
        merged.putAll(more.levels);
        return new AssetContext(merged);
    }
}
