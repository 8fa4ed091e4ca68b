package io.sluice.runtime.config;

import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;

@Doc("Sends the samples of matching tags to a stream instead of their connector's default stream. First match wins.")
public record RouteConfig(
        @Doc("Connector name glob (`*` and `?`).") @DefaultValue("*") String connector,
        @Doc("Tag glob (`*` and `?`), e.g. `alarms.*`.") @DefaultValue("*") String tags,
        @Doc("Target stream.") String stream) {}
