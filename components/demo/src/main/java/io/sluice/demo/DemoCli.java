package io.sluice.demo;

import io.sluice.spi.cli.CliCommand;
import io.sluice.spi.cli.CliExtension;

/**
 * Adds {@code sluice demo} to the command line when the demo jar is on the class path. The product jar
 * ({@code sluice.jar}) has no demo: its simulated sources (an OPC UA simulation server, the racing simulator's
 * shared-memory writer) are not for production; {@code ./sluice demo} runs {@code sluice-demo.jar}.
 */
public final class DemoCli implements CliExtension {

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public CliCommand command() {
        return new DemoCommand();
    }
}
