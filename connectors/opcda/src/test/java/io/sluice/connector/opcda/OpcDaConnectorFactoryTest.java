package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcda.OpcDaConnectorConfig.Acquisition;
import io.sluice.connector.opcda.OpcDaConnectorConfig.BrowseMode;
import io.sluice.connector.opcda.OpcDaConnectorConfig.Group;
import io.sluice.connector.opcda.OpcDaConnectorConfig.RequestedType;
import io.sluice.spi.config.Secret;
import io.sluice.spi.connector.ConnectorFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class OpcDaConnectorFactoryTest {

    final OpcDaConnectorFactory factory = new OpcDaConnectorFactory();

    Map<String, String> problems(OpcDaConnectorConfig c) {
        Map<String, String> out = new LinkedHashMap<>();
        factory.validate(c, (path, message) -> out.merge(path, message, (a, b) -> a + " | " + b));
        return out;
    }

    OpcDaConnectorConfig valid() {
        return Configs.config(Acquisition.AUTO, List.of(Configs.group("fast", List.of(Configs.item("Random.Real8")), List.of())));
    }

    @Test
    void aValidConfigHasNoProblems() {
        assertEquals(Map.of(), problems(valid()));
    }

    @Test
    void registeredUnderTypeOpcda() {
        boolean found = false;
        for (ConnectorFactory<?> f : ServiceLoader.load(ConnectorFactory.class)) {
            found |= f.type().equals("opcda") && f.configType() == OpcDaConnectorConfig.class;
        }
        assertTrue(found);
    }

    @Test
    void satisfiesThePluginContract() {
        io.sluice.testkit.PluginContract.verifyConnectorFactory(factory);
    }

    @Test
    void exactlyOneOfProgIdAndClsid() {
        var neither = Configs.withServer(valid(), Optional.empty(), Optional.empty());
        assertEquals("set exactly one of prog-id and clsid (neither is set)", problems(neither).get("prog-id"));
        var both = Configs.withServer(valid(), Optional.of("Matrikon.OPC.Simulation.1"), Optional.of("{F8582CF2-88FB-11D0-B850-00C0F0104305}"));
        assertEquals("set exactly one of prog-id and clsid (both are set)", problems(both).get("clsid"));
    }

    @Test
    void malformedProgIdAndClsidNameTheirKeys() {
        var badProg = Configs.withServer(valid(), Optional.of("1Bad..ProgId"), Optional.empty());
        assertTrue(problems(badProg).get("prog-id").startsWith("expected a ProgID"));
        var badClsid = Configs.withServer(valid(), Optional.empty(), Optional.of("{F8582CF2-88FB}"));
        assertTrue(problems(badClsid).get("clsid").startsWith("expected a CLSID"));
    }

    @Test
    void connectionKeys() {
        var c = valid();
        var bad = new OpcDaConnectorConfig(" ", "", "", new Secret(""), c.progId(), c.clsid(), c.progIdResolution(),
                Duration.ZERO, false, Acquisition.AUTO, Duration.ZERO, c.pollSource(), Duration.ofSeconds(-1), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofSeconds(-5), true, 0, Optional.of("Mars/Olympus"), c.groups());
        Map<String, String> p = problems(bad);
        assertTrue(p.get("host").startsWith("expected the host name"), p.toString());
        assertTrue(p.get("user").startsWith("expected a Windows user"), p.toString());
        assertTrue(p.get("password").contains("${env:NAME}"), p.toString());
        assertEquals("expected a positive duration such as 10s, got 0s", p.get("socket-timeout"));
        assertTrue(p.get("status-interval").startsWith("expected a positive duration"), p.toString());
        assertTrue(p.get("callback-timeout").startsWith("expected a positive duration"), p.toString());
        assertEquals("must not be shorter than reconnect-min-delay (5s), got 1s", p.get("reconnect-max-delay"));
        assertEquals("must not be negative (0s disables retries), got -5s", p.get("item-retry-interval"));
        assertEquals("expected a time zone such as Europe/Berlin or UTC, got 'Mars/Olympus'", p.get("date-zone"));
    }

    @Test
    void groupAndItemProblemsCarryTheirIndexes() {
        var c = Configs.config(Acquisition.AUTO, List.of(
                Configs.group("fast", List.of(Configs.item("A.B", "t1"), Configs.item(" ")), List.of()),
                new Group("fast", Duration.ofMillis(5), 0, true, List.of(Configs.item("C.D", "t1")), List.of()),
                Configs.group("empty", List.of(), List.of()),
                Configs.group("browse", List.of(), List.of(
                        new OpcDaConnectorConfig.Browse(List.of("Random", ""), BrowseMode.AUTO, "", "(", Optional.of("[z-a]"), 8, 10, "",
                                Optional.empty(), RequestedType.CANONICAL),
                        Configs.browse(List.of("Random"), BrowseMode.FLAT, ".*", null)))));
        Map<String, String> p = problems(c);
        assertEquals("expected an ItemID, got an empty string", p.get("groups[0].items[1].item-id"));
        assertEquals("group name 'fast' is already used by groups[0]", p.get("groups[1].name"));
        assertEquals("expected at least 10ms, got 5ms", p.get("groups[1].update-rate"));
        assertEquals("tag 't1' is already produced by groups[0].items[0]; give one of them a distinct tag", p.get("groups[1].items[0].tag"));
        assertEquals("a group needs items or browse rules", p.get("groups[2]"));
        assertTrue(p.get("groups[3].browse[0].include").startsWith("expected a regular expression"), p.toString());
        assertTrue(p.get("groups[3].browse[0].exclude").startsWith("expected a regular expression"), p.toString());
        assertEquals("expected a branch name, got an empty string", p.get("groups[3].browse[0].path[1]"));
        assertTrue(p.get("groups[3].browse[1].path").startsWith("a flat browse has no branches"), p.toString());
        assertEquals(9, p.size(), p.toString());
    }

    @Test
    void duplicateDefaultTagsPointAtTheItemId() {
        var c = Configs.config(Acquisition.AUTO, List.of(
                Configs.group("a", List.of(Configs.item("Random.Real8")), List.of()),
                Configs.group("b", List.of(Configs.item("Random.Real8")), List.of())));
        assertEquals("tag 'Random.Real8' is already produced by groups[0].items[0]; give one of them a distinct tag",
                problems(c).get("groups[1].items[0].item-id"));
    }

    @Test
    void noGroupsIsAnError() {
        assertEquals("expected at least one group with items or browse rules",
                problems(Configs.config(Acquisition.AUTO, List.of())).get("groups"));
    }

    @Test
    void passwordNeverShowsInTheRecord() {
        assertTrue(!valid().toString().contains("s3cret"));
    }
}
