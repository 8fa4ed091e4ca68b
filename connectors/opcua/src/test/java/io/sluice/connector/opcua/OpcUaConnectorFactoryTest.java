package io.sluice.connector.opcua;

import static io.sluice.connector.opcua.ConfigFixtures.config;
import static io.sluice.connector.opcua.ConfigFixtures.folder;
import static io.sluice.connector.opcua.ConfigFixtures.group;
import static io.sluice.connector.opcua.ConfigFixtures.nodeId;
import static io.sluice.connector.opcua.ConfigFixtures.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcua.OpcUaConnectorConfig.AcquisitionMode;
import io.sluice.connector.opcua.OpcUaConnectorConfig.DeadbandType;
import io.sluice.connector.opcua.OpcUaConnectorConfig.EuRange;
import io.sluice.connector.opcua.OpcUaConnectorConfig.NodeGroup;
import io.sluice.connector.opcua.OpcUaConnectorConfig.SecurityMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OpcUaConnectorFactoryTest {

    private static final List<NodeGroup> GROUPS = List.of(group("g", List.of(nodeId("nsu=urn:sluice:rig;s=Rig/Dynamic/Ramp")), List.of()));

    private static Map<String, String> problems(OpcUaConnectorConfig c) {
        Map<String, String> found = new LinkedHashMap<>();
        new OpcUaConnectorFactory().validate(c, (path, message) -> found.merge(path, message, (a, b) -> a + " | " + b));
        return found;
    }

    @Test
    void aValidConfigHasNoProblems() {
        assertEquals(Map.of(), problems(config("opc.tcp://10.0.0.5:4840", GROUPS)));
        assertEquals(Map.of(), problems(config("opc.tcp://plc-3.local/UA/Server", GROUPS)));
    }

    @Test
    void anEndpointWithoutSchemeIsRefused() {
        Map<String, String> p = problems(config("10.0.0.5:4840", GROUPS));
        assertTrue(p.get("endpoint").contains("opc.tcp://"), p.toString());
        assertTrue(p.get("endpoint").contains("scheme"), p.toString());
        assertTrue(problems(config("http://10.0.0.5:4840", GROUPS)).get("endpoint").contains("only the opc.tcp://"));
        assertTrue(problems(config("opc.tcp://host:99999", GROUPS)).get("endpoint").contains("port"));
    }

    @Test
    void anUnknownSecurityPolicyIsRefusedListingTheKnownOnes() {
        OpcUaConnectorConfig c = ConfigFixtures.secured("opc.tcp://h:4840", "basic128rsa15", null, null, null, null, false,
                Duration.ofSeconds(5), GROUPS);
        String message = problems(c).get("security-policy");
        assertTrue(message.contains("unknown security policy 'basic128rsa15'"), message);
        assertTrue(message.contains("aes256-sha256-rsapss"), message);
    }

    @Test
    void policiesAreAcceptedInEitherSpelling() {
        for (String p : List.of("Basic256Sha256", "aes128-sha256-rsaoaep", "Aes256_Sha256_RsaPss", "NONE")) {
            OpcUaConnectorConfig c = ConfigFixtures.secured("opc.tcp://h:4840", p, null, null, null, null, false,
                    Duration.ofSeconds(5), GROUPS);
            assertEquals(Map.of(), problems(c), p);
        }
    }

    @Test
    void modeMustFitThePolicy() {
        OpcUaConnectorConfig signWithNone = ConfigFixtures.secured("opc.tcp://h:4840", "none", SecurityMode.SIGN, null, null,
                null, false, Duration.ofSeconds(5), GROUPS);
        assertTrue(problems(signWithNone).get("security-mode").contains("needs a security-policy"));
        OpcUaConnectorConfig noneWithPolicy = ConfigFixtures.secured("opc.tcp://h:4840", "basic256sha256", SecurityMode.NONE,
                null, null, null, false, Duration.ofSeconds(5), GROUPS);
        assertTrue(problems(noneWithPolicy).get("security-mode").contains("sign or sign-and-encrypt"));
    }

    @Test
    void usernameNeedsPassword() {
        OpcUaConnectorConfig c = ConfigFixtures.secured("opc.tcp://h:4840", "none", null, "operator", null, null, false,
                Duration.ofSeconds(5), GROUPS);
        assertTrue(problems(c).get("password").contains("password is missing"));
    }

    @Test
    void percentDeadbandWithoutEuRangeIsRefusedForPolling() {
        NodeGroup polling = ConfigFixtures.group("p", AcquisitionMode.POLLING, Duration.ofSeconds(1), 1, DeadbandType.PERCENT,
                2.0, Optional.empty(), List.of(path("/Rig/Dynamic/Ramp")), List.of());
        Map<String, String> p = problems(config("opc.tcp://h:4840", List.of(polling)));
        assertTrue(p.get("groups[0].deadband-type").contains("needs the node's EURange"), p.toString());

        NodeGroup withRange = ConfigFixtures.group("p", AcquisitionMode.POLLING, Duration.ofSeconds(1), 1, DeadbandType.PERCENT,
                2.0, Optional.of(new EuRange(0, 100)), List.of(path("/Rig/Dynamic/Ramp")), List.of());
        assertEquals(Map.of(), problems(config("opc.tcp://h:4840", List.of(withRange))));
    }

    @Test
    void percentDeadbandAbove100AndDeadbandWithoutTypeAreRefused() {
        NodeGroup percent = ConfigFixtures.group("s", AcquisitionMode.SUBSCRIPTION, Duration.ofSeconds(1), 1,
                DeadbandType.PERCENT, 150, Optional.empty(), List.of(path("/A")), List.of());
        assertTrue(problems(config("opc.tcp://h:4840", List.of(percent))).get("groups[0].deadband").contains("0..100"));
        NodeGroup noType = ConfigFixtures.group("s", AcquisitionMode.SUBSCRIPTION, Duration.ofSeconds(1), 1,
                DeadbandType.NONE, 1.5, Optional.empty(), List.of(path("/A")), List.of());
        assertTrue(problems(config("opc.tcp://h:4840", List.of(noType))).get("groups[0].deadband").contains("deadband-type is none"));
    }

    @Test
    void namespaceIndexesAreRefusedInFavourOfUris() {
        NodeGroup g = group("g", List.of(nodeId("ns=2;s=Speed"), nodeId("Speed")), List.of(folder("Plant/Line1")));
        Map<String, String> p = problems(config("opc.tcp://h:4840", List.of(g)));
        assertTrue(p.get("groups[0].nodes[0].node-id").contains("nsu=<namespace URI>"), p.toString());
        assertTrue(p.get("groups[0].nodes[1].node-id").contains("expected a node id"), p.toString());
        assertTrue(p.get("groups[0].folders[0].root").contains("starting with '/'"), p.toString());
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() {
        NodeGroup empty = group("g", List.of(), List.of());
        NodeGroup dup = group("g", List.of(nodeId("i=2258", "t"), nodeId("i=2259", "t")), List.of());
        OpcUaConnectorConfig c = ConfigFixtures.secured("localhost:4840", "rot13", null, null, "pw", null, false,
                Duration.ofSeconds(5), new ArrayList<>(List.of(empty, dup)));
        Map<String, String> p = problems(c);
        assertTrue(p.keySet().containsAll(List.of("endpoint", "security-policy", "username", "groups[0]",
                "groups[1].name", "groups[1].nodes[1].tag")), p.toString());
    }

    @Test
    void theSameNodeTwiceInAGroupIsRefusedWithFileLineAndKeyPath() {
        String yaml = """
                connectors:
                  press3:
                    type: opcua
                    stream: telemetry
                    endpoint: opc.tcp://10.0.0.5:4840
                    groups:
                      - nodes:
                          - node-id: nsu=urn:vendor:plc;s=Press.Force
                          - browse-path: /Plant/Press3/Speed
                          - node-id: nsu=urn:vendor:plc;s=Press.Force
                            tag: force-again
                          - browse-path: /Objects/Plant/Press3/Speed
                            tag: speed-again
                      - name: other
                        nodes:
                          - node-id: nsu=urn:vendor:plc;s=Press.Force
                streams:
                  telemetry:
                    priority: 5
                """;
        io.sluice.runtime.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.sluice.runtime.config.ConfigException.class, () -> io.sluice.runtime.config.ConfigLoader.parse(yaml, "gw.yaml"));
        List<String> problems = e.problems().stream().map(Object::toString).toList();
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("gw.yaml:10:"), problems.toString());
        assertTrue(problems.get(0).contains("connectors.press3.groups[0].nodes[2].node-id: node nsu=urn:vendor:plc;s=Press.Force "
                + "is already in this group as groups[0].nodes[0]"), problems.toString());
        assertTrue(problems.get(1).startsWith("gw.yaml:12:"), problems.toString());
        assertTrue(problems.get(1).contains("connectors.press3.groups[0].nodes[3].browse-path: browse path /Objects/Plant/Press3/Speed "
                + "is already in this group as groups[0].nodes[1]"), problems.toString());
    }

    @Test
    void publishLimitsBindWithTheirDefaultsAndOutOfRangeValuesNameFileLineAndKey() throws Exception {
        String template = """
                connectors:
                  press3:
                    type: opcua
                    stream: telemetry
                    endpoint: opc.tcp://10.0.0.5:4840
                %s    groups:
                      - nodes:
                          - node-id: nsu=urn:vendor:plc;s=Press.Force
                streams:
                  telemetry:
                    priority: 5
                """;
        var defaults = io.sluice.runtime.config.ConfigLoader.parse(template.formatted(""), "gw.yaml");
        OpcUaConnectorConfig d = (OpcUaConnectorConfig) defaults.connectors().get("press3").options();
        assertEquals(10_000, d.maxNotificationsPerPublish());
        assertEquals(10, d.maxOutstandingPublishRequests());

        var set = io.sluice.runtime.config.ConfigLoader.parse(template.formatted(
                "    max-notifications-per-publish: 0\n    max-outstanding-publish-requests: 3\n"), "gw.yaml");
        OpcUaConnectorConfig c = (OpcUaConnectorConfig) set.connectors().get("press3").options();
        assertEquals(0, c.maxNotificationsPerPublish());
        assertEquals(3, c.maxOutstandingPublishRequests());

        io.sluice.runtime.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.sluice.runtime.config.ConfigException.class, () -> io.sluice.runtime.config.ConfigLoader.parse(
                        template.formatted("    max-notifications-per-publish: -1\n    max-outstanding-publish-requests: 0\n"),
                        "gw.yaml"));
        List<String> problems = e.problems().stream().map(Object::toString).toList();
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("gw.yaml:6:") && problems.get(0).contains(
                "connectors.press3.max-notifications-per-publish"), problems.toString());
        assertTrue(problems.get(1).startsWith("gw.yaml:7:") && problems.get(1).contains(
                "connectors.press3.max-outstanding-publish-requests"), problems.toString());
    }
}
