package io.sluice.connector.opcda;

import io.sluice.spi.config.ProblemReporter;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorFactory;

/**
 * Test-only connector type {@code opcda-in-memory}: the real {@link OpcDaConnector} and config, wired to the
 * {@link InMemoryOpcDaServer} instead of DCOM, so the runtime can run it end to end.
 */
public final class InMemoryOpcDaConnectorFactory implements ConnectorFactory<OpcDaConnectorConfig> {

    static volatile InMemoryOpcDaServer server = new InMemoryOpcDaServer();

    @Override public String type() { return "opcda-in-memory"; }

    @Override public String description() { return "OPC DA connector against an in-memory server (tests)"; }

    @Override public Class<OpcDaConnectorConfig> configType() { return OpcDaConnectorConfig.class; }

    @Override
    public void validate(OpcDaConnectorConfig config, ProblemReporter problems) {
        new OpcDaConnectorFactory().validate(config, problems);
    }

    @Override
    public Connector create(String name, OpcDaConnectorConfig config) {
        return new OpcDaConnector(name, config, server);
    }
}
