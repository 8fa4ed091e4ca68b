package io.sluice.connector.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sluice.connector.opcua.NodeResolver.ResolvedNode;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.junit.jupiter.api.Test;

class ClientHandlesTest {

    private static ResolvedNode node(String tag) {
        return new ResolvedNode(NodeId.parse("ns=2;s=" + tag), tag, 100, 1, null, 0, null, null, "nodes." + tag);
    }

    @Test
    void findsEachItemsNodeByItsHandleAndNoneForOtherHandles() {
        Map<UInteger, ResolvedNode> nodes = new HashMap<>();
        for (int h = 1; h <= 1000; h++) nodes.put(uint(h), node("t" + h));
        nodes.remove(uint(500)); // an item the server refused
        ClientHandles handles = new ClientHandles(nodes);

        for (int h = 1; h <= 1000; h++) {
            if (h == 500) assertNull(handles.node(uint(h)));
            else assertSame(nodes.get(uint(h)), handles.node(uint(h)));
        }
        assertNull(handles.node(uint(0)));
        assertNull(handles.node(uint(1001)));
        assertNull(handles.node(UInteger.MAX));
    }

    @Test
    void handlesSpreadFarApartAreFoundToo() {
        Map<UInteger, ResolvedNode> nodes = new HashMap<>();
        nodes.put(uint(3), node("a"));
        nodes.put(uint(70_000), node("b"));
        nodes.put(UInteger.MAX, node("c"));
        ClientHandles handles = new ClientHandles(nodes);

        assertSame(nodes.get(uint(3)), handles.node(uint(3)));
        assertSame(nodes.get(uint(70_000)), handles.node(uint(70_000)));
        assertSame(nodes.get(UInteger.MAX), handles.node(UInteger.MAX));
        assertNull(handles.node(uint(4)));
    }

    @Test
    void noItemsFindNothing() {
        assertNull(ClientHandles.NONE.node(uint(1)));
        assertNull(new ClientHandles(Map.of()).node(uint(0)));
    }
}
