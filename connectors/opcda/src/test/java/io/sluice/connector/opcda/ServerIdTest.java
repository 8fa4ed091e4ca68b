package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServerIdTest {

    @ParameterizedTest
    @ValueSource(strings = {"{f8582cf2-88fb-11d0-b850-00c0f0104305}", "F8582CF2-88FB-11D0-B850-00C0F0104305",
            "  {F8582CF2-88FB-11D0-B850-00C0F0104305}  "})
    void clsidWithOrWithoutBracesIsCanonicalized(String text) {
        ServerId.Clsid c = ServerId.parseClsid(text);
        assertEquals("F8582CF2-88FB-11D0-B850-00C0F0104305", c.value());
        assertEquals("{F8582CF2-88FB-11D0-B850-00C0F0104305}", c.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "F8582CF2-88FB-11D0-B850", "{F8582CF2-88FB-11D0-B850-00C0F0104305", "F8582CF2-88FB-11D0-B850-00C0F0104305}",
            "G8582CF2-88FB-11D0-B850-00C0F0104305", "F8582CF288FB11D0B85000C0F0104305"})
    void malformedClsidsAreRejected(String text) {
        var e = assertThrows(IllegalArgumentException.class, () -> ServerId.parseClsid(text));
        assertTrue(e.getMessage().startsWith("expected a CLSID"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Matrikon.OPC.Simulation.1", "Kepware.KEPServerEX.V6", "RSLinx OPC Server", "OPC.SimaticNET",
            "Schneider-Aut.OFS.2", "Graybox.Simulator.1", "ICONICS.SimulatorOPCDA.2", "_Vendor.Server"})
    void realWorldProgIdsAreAccepted(String text) {
        assertEquals(text, ServerId.parseProgId(text).value());
        assertInstanceOf(ServerId.ProgId.class, ServerId.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "1Vendor.Server", ".Vendor", "Vendor.", "Vendor..Server", "Vendor/Server", "Vendor.Server;", "Vendor:Server"})
    void malformedProgIdsAreRejected(String text) {
        var e = assertThrows(IllegalArgumentException.class, () -> ServerId.parseProgId(text));
        assertTrue(e.getMessage().startsWith("expected a ProgID"), e.getMessage());
    }

    @Test
    void aClsidGivenAsProgIdIsNamedAsSuch() {
        var e = assertThrows(IllegalArgumentException.class, () -> ServerId.parseProgId("{F8582CF2-88FB-11D0-B850-00C0F0104305}"));
        assertTrue(e.getMessage().contains("put it under clsid"));
    }

    @Test
    void parseDecidesByShape() {
        assertInstanceOf(ServerId.Clsid.class, ServerId.parse("{F8582CF2-88FB-11D0-B850-00C0F0104305}"));
        assertInstanceOf(ServerId.ProgId.class, ServerId.parse("Matrikon.OPC.Simulation.1"));
    }
}
