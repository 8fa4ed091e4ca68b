package io.sluice.destination.iotcore;

import io.sluice.testkit.PluginContract;
import org.junit.jupiter.api.Test;

/** The contract every destination keeps (see {@link PluginContract}), applied to this module's type. */
class IotCoreContractTest {

    @Test
    void keepsThePluginContract() {
        PluginContract.verifyDestinationPlugin(new IotCoreDestinationFactory(), true);
    }
}
