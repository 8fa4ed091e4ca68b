package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcda.OpcDaConnectorConfig.BrowseMode;
import io.sluice.connector.opcda.OpcDaConnectorConfig.RequestedType;
import io.sluice.spi.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AddressSpaceWalkerTest {

    InMemoryOpcDaServer server;
    OpcDaServerSession.Browser browser;

    @BeforeEach
    void setUp() {
        server = new InMemoryOpcDaServer();
        for (String id : List.of("Random.Real8", "Random.Int4", "Random.Sub.Deep", "Triangle Waves.Real4", "Top")) {
            server.define(id, Value.of(1L), 0xC0, Instant.EPOCH);
        }
        browser = server.open(null).browser();
    }

    @Test
    void hierarchicalWalkVisitsBranchesAndTurnsLeavesIntoItemIds() {
        List<String> lines = new ArrayList<>();
        AddressSpaceWalker.walk(browser, List.of(), BrowseMode.AUTO, "", 8, new AddressSpaceWalker.Visitor() {
            @Override public boolean branch(List<String> path, String name) { lines.add(String.join("/", path) + ">" + name + "/"); return true; }
            @Override public boolean leaf(List<String> path, String name, String itemId) { lines.add(String.join("/", path) + ">" + name + "=" + itemId); return true; }
        });
        assertEquals(List.of(">Top=Top", ">Random/", "Random>Int4=Random.Int4", "Random>Real8=Random.Real8", "Random>Sub/",
                "Random/Sub>Deep=Random.Sub.Deep", ">Triangle Waves/", "Triangle Waves>Real4=Triangle Waves.Real4"), lines);
    }

    @Test
    void pathStartsBelowTheRootAndDepthIsBounded() {
        assertEquals(List.of("Random.Int4", "Random.Real8"), AddressSpaceWalker.select(browser, rule(List.of("Random"), BrowseMode.HIERARCHICAL, ".*", null, 0, 100)).itemIds());
        assertEquals(List.of("Random.Int4", "Random.Real8", "Random.Sub.Deep"), AddressSpaceWalker.select(browser, rule(List.of("Random"), BrowseMode.HIERARCHICAL, ".*", null, 1, 100)).itemIds());
    }

    @Test
    void da10ServerWithoutBrowseToIsWalkedFromTheRoot() {
        browser.changePosition(OpcDaServerSession.BrowseDirection.DOWN, "Random");
        server.da10Browse = true;
        assertEquals(List.of("Top", "Random.Int4", "Random.Real8", "Random.Sub.Deep", "Triangle Waves.Real4"),
                AddressSpaceWalker.select(browser, rule(List.of(), BrowseMode.HIERARCHICAL, ".*", null, 8, 100)).itemIds());
    }

    @Test
    void flatModeListsEveryItemId() {
        server.namespace = OpcDaServerSession.Namespace.FLAT;
        var sel = AddressSpaceWalker.select(browser, rule(List.of(), BrowseMode.AUTO, ".*Real.*", null, 8, 100));
        assertEquals(List.of("Random.Real8", "Triangle Waves.Real4"), sel.itemIds());
        assertEquals(3, sel.skippedByFilter());
    }

    @Test
    void includeExcludeAndMaxItems() {
        var sel = AddressSpaceWalker.select(browser, rule(List.of(), BrowseMode.HIERARCHICAL, "Random\\..*", ".*Deep", 8, 100));
        assertEquals(List.of("Random.Int4", "Random.Real8"), sel.itemIds());
        assertFalse(sel.truncated());
        var capped = AddressSpaceWalker.select(browser, rule(List.of(), BrowseMode.HIERARCHICAL, ".*", null, 8, 2));
        assertEquals(2, capped.itemIds().size());
        assertTrue(capped.truncated());
    }

    @Test
    void serverSideFilterAppliesToLeaves() {
        var r = new OpcDaConnectorConfig.Browse(List.of("Random"), BrowseMode.HIERARCHICAL, "Re*", ".*", Optional.empty(), 0, 100, "",
                Optional.empty(), RequestedType.CANONICAL);
        assertEquals(List.of("Random.Real8"), AddressSpaceWalker.select(browser, r).itemIds());
    }

    private static OpcDaConnectorConfig.Browse rule(List<String> path, BrowseMode mode, String include, String exclude, int depth, int max) {
        return new OpcDaConnectorConfig.Browse(path, mode, "", include, Optional.ofNullable(exclude), depth, max, "", Optional.empty(),
                RequestedType.CANONICAL);
    }
}
