package io.sluice.runtime.config;

import io.sluice.spi.AssetContext;
import io.sluice.spi.connector.ConnectorFactory;

/** One configured connector: its common keys, its type's typed options and the factory that builds it. */
public record ConnectorInstance(String name, String type, String stream, boolean enabled, AssetContext asset,
                                Record options, ConnectorFactory<?> factory) {

    /** True when running this instance under {@code other} would behave the same, so it need not restart. */
    public boolean sameAs(ConnectorInstance other) {
        return other != null && type.equals(other.type) && stream.equals(other.stream) && enabled == other.enabled
                && asset.equals(other.asset) && options.equals(other.options);
    }
}
