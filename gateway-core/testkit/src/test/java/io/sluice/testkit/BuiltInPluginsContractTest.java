package io.sluice.testkit;

import io.sluice.connector.simulator.SimulatorConnector;
import io.sluice.runtime.destination.DiscardDestination;
import io.sluice.runtime.destination.FileDestination;
import io.sluice.runtime.destination.StdoutDestination;
import org.junit.jupiter.api.Test;

/**
 * The plugin contract applied to the types whose modules cannot depend on the testkit (it depends on them): the
 * runtime's file, stdout and discard destinations, and the simulator connector the runtime's own tests use.
 */
class BuiltInPluginsContractTest {

    @Test
    void fileDestination() {
        PluginContract.verifyDestinationPlugin(new FileDestination.Factory(), true);
    }

    @Test
    void stdoutAndDiscardDestinationsShipNoSampleButKeepTheRest() {
        PluginContract.verifyDestinationPlugin(new StdoutDestination.Factory(), false);
        PluginContract.verifyDestinationPlugin(new DiscardDestination.Factory(), false);
    }

    @Test
    void simulatorConnector() {
        PluginContract.verifyConnectorPlugin(new SimulatorConnector.Factory());
    }
}
