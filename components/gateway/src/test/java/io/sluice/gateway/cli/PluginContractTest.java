package io.sluice.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.Plugins;
import io.sluice.spi.connector.ConnectorFactory;
import io.sluice.spi.destination.DestinationFactory;
import io.sluice.testkit.PluginContract;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Runs the plugin contract over every connector and destination type packaged in the application. */
class PluginContractTest {

    private static final Plugins PLUGINS = Plugins.discover();

    @Test
    void everyShippedTypeIsOnTheClassPath() {
        for (String type : new String[] {"simulator", "opcua", "opcda", "lorawan", "simmem"}) {
            assertTrue(PLUGINS.connectors().containsKey(type), "connector type " + type);
        }
        for (String type : new String[] {"file", "stdout", "discard", "kinesis", "sitewise", "iotcore", "greengrass-pubsub"}) {
            assertTrue(PLUGINS.destinations().containsKey(type), "destination type " + type);
        }
    }

    @TestFactory
    Stream<DynamicTest> connectorFactoriesKeepTheContract() {
        return PLUGINS.connectors().values().stream().map((ConnectorFactory<?> f) ->
                DynamicTest.dynamicTest("connector " + f.type(), () -> PluginContract.verifyConnectorPlugin(f)));
    }

    @Test
    void builtInDestinationsPackEverySampleOnceInOrder() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("contract");
        io.sluice.runtime.config.GatewayConfig config = io.sluice.runtime.config.ConfigLoader.parse("""
                destinations:
                  f: {type: file, directory: "%s"}
                  s: {type: stdout}
                  d: {type: discard}
                """.formatted(dir), "contract.yaml");
        java.util.List<io.sluice.spi.destination.OutboundSample> samples = new java.util.ArrayList<>();
        for (String stream : new String[] {"a", "b", "c"}) {
            for (int i = 0; i < 5000; i++) {
                samples.add(new io.sluice.spi.destination.OutboundSample(stream, i, "conn",
                        io.sluice.spi.Sample.good("tag" + (i % 7), io.sluice.spi.Value.of((long) i), 1000L + i), io.sluice.spi.AssetContext.EMPTY));
            }
        }
        for (io.sluice.runtime.config.DestinationInstance d : config.destinations().values()) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            io.sluice.spi.destination.Destination destination = ((DestinationFactory) d.factory()).create(d.name(), d.options());
            PluginContract.verifyPacking(destination, samples);
        }
    }

    @TestFactory
    Stream<DynamicTest> destinationFactoriesKeepTheContract() {
        return PLUGINS.destinations().values().stream().map((DestinationFactory<?> f) ->
                DynamicTest.dynamicTest("destination " + f.type(),
                        () -> PluginContract.verifyDestinationPlugin(f, !InitCommandTest.NO_SAMPLE.contains(f.type()))));
    }
}
