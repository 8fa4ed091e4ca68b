package io.sluice.connector.simmem;

import io.sluice.testkit.PluginContract;
import org.junit.jupiter.api.Test;

/** The contract every connector keeps (see {@link PluginContract}), applied to this module's type. */
class SimMemContractTest {

    @Test
    void keepsThePluginContract() {
        PluginContract.verifyConnectorPlugin(new SimMemConnectorFactory());
    }
}
