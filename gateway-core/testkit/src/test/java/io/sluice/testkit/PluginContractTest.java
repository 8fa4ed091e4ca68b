package io.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.simulator.SimulatorConnector;
import io.sluice.runtime.destination.DiscardDestination;
import io.sluice.spi.config.Doc;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorContext;
import io.sluice.spi.connector.ConnectorFactory;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationLimits;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import io.sluice.spi.destination.PacketOutcome;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The contract catches what it claims to: each check fails for a plugin that breaks it. */
class PluginContractTest {

    record Options(@Doc("how often") int every) {}

    /** A connector type nobody lists in META-INF/services. */
    static final class Unregistered implements ConnectorFactory<Options> {
        public String type() { return "unregistered"; }
        public String description() { return "not on the service list"; }
        public Class<Options> configType() { return Options.class; }
        public Connector create(String name, Options config) { return null; }
    }

    /** Claims the simulator's type with another class. */
    static final class Impostor implements ConnectorFactory<Options> {
        public String type() { return "simulator"; }
        public String description() { return "claims a type it does not own"; }
        public Class<Options> configType() { return Options.class; }
        public Connector create(String name, Options config) { return null; }
    }

    @Test
    void aFactoryMissingFromTheServiceListFails() {
        AssertionError e = assertThrows(AssertionError.class, () -> PluginContract.verifyConnectorPlugin(new Unregistered()));
        assertTrue(e.getMessage().contains("META-INF/services/io.sluice.spi.connector.ConnectorFactory"), e.getMessage());
    }

    @Test
    void aFactoryClaimingAnotherClassesTypeFails() {
        AssertionError e = assertThrows(AssertionError.class, () -> PluginContract.verifyConnectorPlugin(new Impostor()));
        assertTrue(e.getMessage().contains("registered by another class"), e.getMessage());
    }

    @Test
    void aConnectorWhoseStopThrowsBeforeStartFails() {
        Connector broken = new Connector() {
            public void start(ConnectorContext context) {}
            public void stop() { throw new IllegalStateException("never started"); }
        };
        ConnectorFactory<?> simulator = new SimulatorConnector.Factory();
        ConnectorFactory<Record> wrapping = new ConnectorFactory<>() {
            public String type() { return simulator.type(); }
            public String description() { return simulator.description(); }
            @SuppressWarnings("unchecked") public Class<Record> configType() { return (Class<Record>) simulator.configType(); }
            public Connector create(String name, Record config) { return broken; }
        };
        assertThrows(IllegalStateException.class, () -> PluginContract.verifyStopWithoutStart(wrapping, "x", null));
    }

    @Test
    void packingThatLosesASampleFails() {
        Destination lossy = new Destination() {
            public DestinationLimits limits() { return new DiscardDestination.Factory().create("d", new DiscardDestination.Config(100)).limits(); }
            public PackResult pack(List<OutboundSample> samples) {
                List<OutboundSample> all = samples.subList(1, samples.size());
                return PackResult.of(List.of(new Packet("k", all.size(), all, null)));
            }
            public CompletableFuture<List<PacketOutcome>> sendAsync(List<Packet> packets) { return CompletableFuture.completedFuture(List.of()); }
        };
        AssertionError e = assertThrows(AssertionError.class, () -> PluginContract.verifyPacking(lossy, PluginContract.standardSamples().subList(0, 10)));
        assertTrue(e.getMessage().contains("every sample packed or rejected"), e.getMessage());
    }

    @Test
    void aTypeWithoutItsSampleOnTheClassPathFails() {
        AssertionError e = assertThrows(AssertionError.class, () -> PluginContract.verifySample("destination", "stdout"));
        assertTrue(e.getMessage().contains("sample.yaml"), e.getMessage());
    }
}
