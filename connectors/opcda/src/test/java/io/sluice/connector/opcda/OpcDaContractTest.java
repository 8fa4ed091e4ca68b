package io.sluice.connector.opcda;

import io.sluice.testkit.PluginContract;
import org.junit.jupiter.api.Test;

/** The contract every connector keeps (see {@link PluginContract}), applied to this module's type. */
class OpcDaContractTest {

    @Test
    void keepsThePluginContract() {
        PluginContract.verifyConnectorPlugin(new OpcDaConnectorFactory());
    }
}
