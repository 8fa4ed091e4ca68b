package io.sluice.destination.kinesis;

import io.sluice.testkit.PluginContract;
import org.junit.jupiter.api.Test;

/** The contract every destination keeps (see {@link PluginContract}), applied to this module's type. */
class KinesisContractTest {

    @Test
    void keepsThePluginContract() {
        PluginContract.verifyDestinationPlugin(new KinesisDestinationFactory(), true);
    }
}
