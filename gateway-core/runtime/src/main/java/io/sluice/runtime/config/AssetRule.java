package io.sluice.runtime.config;

import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import java.util.Map;

@Doc("Attaches asset context (site, area, line, machine, ...) to matching tags, over the connector's own `asset`.")
public record AssetRule(
        @Doc("Connector name glob.") @DefaultValue("*") String connector,
        @Doc("Tag glob.") @DefaultValue("*") String tags,
        @Doc("Levels to set, e.g. {machine: press-3}.") Map<String, String> set) {}
