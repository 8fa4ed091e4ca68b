package io.sluice.connector.opcua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExpandedNodeId;
import org.junit.jupiter.api.Test;

class NodeAddressTest {

    @Test
    void browsePathsWithAndWithoutNamespaces() {
        assertEquals(List.of(new NodeAddress.Segment(null, "Plant"), new NodeAddress.Segment(null, "Speed")),
                NodeAddress.parseBrowsePath("/Objects/Plant/Speed"));
        assertEquals(List.of(new NodeAddress.Segment("http://vendor.com/ua/", "Plant"), new NodeAddress.Segment(null, "Speed")),
                NodeAddress.parseBrowsePath("/[http://vendor.com/ua/]Plant/Speed"));
        assertThrows(IllegalArgumentException.class, () -> NodeAddress.parseBrowsePath("Plant/Speed"));
        assertThrows(IllegalArgumentException.class, () -> NodeAddress.parseBrowsePath("/Plant//Speed"));
        assertThrows(IllegalArgumentException.class, () -> NodeAddress.parseBrowsePath("/[urn:x Plant"));
        assertThrows(IllegalArgumentException.class, () -> NodeAddress.parseBrowsePath("/Objects"));
    }

    @Test
    void nodeIdsNeedNamespaceUris() {
        ExpandedNodeId id = NodeAddress.parseNodeId("nsu=urn:sluice:rig;s=Rig/Dynamic/Ramp");
        assertEquals("urn:sluice:rig", id.getNamespaceUri());
        assertEquals("Rig/Dynamic/Ramp", id.getIdentifier());
        assertEquals(2258L, ((Number) NodeAddress.parseNodeId("i=2258").getIdentifier()).longValue());
        String msg = assertThrows(IllegalArgumentException.class, () -> NodeAddress.parseNodeId("ns=3;i=5")).getMessage();
        assertTrue(msg.contains("not as an index"), msg);
        assertThrows(IllegalArgumentException.class, () -> NodeAddress.parseNodeId("Speed"));
    }

    @Test
    void globsMatchWithinAndAcrossLevels() {
        Pattern one = NodeAddress.glob("Line1/*");
        assertTrue(one.matcher("Line1/Speed").matches());
        assertFalse(one.matcher("Line1/Motor/Speed").matches());
        Pattern any = NodeAddress.glob("**/Temp?");
        assertTrue(any.matcher("A/B/Temp1").matches());
        assertFalse(any.matcher("A/B/Temp10").matches());
        assertTrue(NodeAddress.glob("Int32_*").matcher("Int32_0").matches());
    }

    @Test
    void policyNames() {
        assertEquals("basic256sha256", NodeAddress.canonicalPolicy("Basic256Sha256"));
        assertEquals("aes128-sha256-rsaoaep", NodeAddress.canonicalPolicy("Aes128_Sha256_RsaOaep"));
        assertEquals(null, NodeAddress.canonicalPolicy("basic256"));
    }
}
