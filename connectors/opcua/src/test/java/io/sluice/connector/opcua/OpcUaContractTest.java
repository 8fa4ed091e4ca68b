package io.sluice.connector.opcua;

import io.sluice.testkit.PluginContract;
import org.junit.jupiter.api.Test;

/** The contract every connector keeps (see {@link PluginContract}), applied to this module's type. */
class OpcUaContractTest {

    @Test
    void keepsThePluginContract() {
        PluginContract.verifyConnectorPlugin(new OpcUaConnectorFactory());
    }
}
