package io.sluice.connector.opcua;

import io.sluice.connector.opcua.OpcUaConnectorConfig.AcquisitionMode;
import io.sluice.connector.opcua.OpcUaConnectorConfig.DeadbandType;
import io.sluice.connector.opcua.OpcUaConnectorConfig.EuRange;
import io.sluice.connector.opcua.OpcUaConnectorConfig.FolderSpec;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeSpec;
import io.sluice.connector.opcua.OpcUaConnectorConfig.SecurityMode;
import io.sluice.connector.opcua.OpcUaConnectorConfig.Trigger;
import io.sluice.spi.config.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Builds config records the way the runtime's binder would, with the documented defaults. */
final class ConfigFixtures {

    private ConfigFixtures() {}

    static OpcUaConnectorConfig config(String endpoint, List<NodeGroup> groups) {
        return new OpcUaConnectorConfig(endpoint, "none", Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), false, Optional.empty(),
                Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(2), Duration.ofSeconds(2),
                Duration.ofMillis(500), Duration.ofSeconds(5), 1000, groups);
    }

    static OpcUaConnectorConfig secured(String endpoint, String policy, SecurityMode mode, String user, String password,
                                        String pki, boolean trustAll, Duration maxDelay, List<NodeGroup> groups) {
        return new OpcUaConnectorConfig(endpoint, policy, Optional.ofNullable(mode), Optional.ofNullable(user),
                Optional.ofNullable(password).map(Secret::new), Optional.empty(), Optional.empty(),
                Optional.ofNullable(pki), trustAll, Optional.empty(),
                Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(2), Duration.ofSeconds(2),
                Duration.ofMillis(200), maxDelay, 1000, groups);
    }

    static NodeGroup group(String name, List<NodeSpec> nodes, List<FolderSpec> folders) {
        return new NodeGroup(name, AcquisitionMode.SUBSCRIPTION, Duration.ofMillis(100), Duration.ofSeconds(1),
                Optional.empty(), 1, true, Trigger.STATUS_VALUE, DeadbandType.NONE, 0, Optional.empty(), "", nodes, folders);
    }

    static NodeGroup group(String name, AcquisitionMode mode, Duration interval, int queueSize, DeadbandType deadbandType,
                           double deadband, Optional<EuRange> range, List<NodeSpec> nodes, List<FolderSpec> folders) {
        return new NodeGroup(name, mode, interval, interval, Optional.of(Duration.ZERO), queueSize, true,
                Trigger.STATUS_VALUE, deadbandType, deadband, range, "", nodes, folders);
    }

    static NodeSpec nodeId(String id) {
        return new NodeSpec(Optional.of(id), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    static NodeSpec nodeId(String id, String tag) {
        return new NodeSpec(Optional.of(id), Optional.empty(), Optional.of(tag), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    static NodeSpec path(String path) {
        return new NodeSpec(Optional.empty(), Optional.of(path), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    static NodeSpec pathWithDeadband(String path, String tag, DeadbandType type, double value) {
        return new NodeSpec(Optional.empty(), Optional.of(path), Optional.of(tag), Optional.empty(), Optional.empty(),
                Optional.of(type), Optional.of(value), Optional.empty(), Optional.empty());
    }

    static FolderSpec folder(String root) {
        return new FolderSpec(root, List.of(), List.of(), 5, 50_000);
    }

    static FolderSpec folder(String root, List<String> include, List<String> exclude) {
        return new FolderSpec(root, include, exclude, 5, 50_000);
    }
}
