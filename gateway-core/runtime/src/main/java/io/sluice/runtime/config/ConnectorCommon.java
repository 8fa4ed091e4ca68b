package io.sluice.runtime.config;

import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import java.util.Map;
import java.util.Optional;

/** The keys every connector section has, whatever its type. */
public record ConnectorCommon(
        @Doc("Connector type, e.g. simulator, opcua, lorawan, simmem, opcda.") String type,
        @Doc("Default stream for this connector's samples (routes may send some tags elsewhere); `default` when left out.")
        Optional<String> stream,
        @Doc("Set to false to keep the section without running it.") @DefaultValue("true") boolean enabled,
        @Doc("Asset context of every tag of this connector, e.g. {site: hamburg, area: press-shop, line: line-1, machine: press-3}.")
        Map<String, String> asset) {}
