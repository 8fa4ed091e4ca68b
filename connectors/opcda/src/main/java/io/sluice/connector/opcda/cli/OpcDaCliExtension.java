package io.sluice.connector.opcda.cli;

import io.sluice.spi.cli.CliCommand;
import io.sluice.spi.cli.CliExtension;

/** {@code sluice opcda ...}. */
public final class OpcDaCliExtension implements CliExtension {

    @Override
    public String name() {
        return "opcda";
    }

    @Override
    public CliCommand command() {
        return new OpcDaCommand();
    }
}
