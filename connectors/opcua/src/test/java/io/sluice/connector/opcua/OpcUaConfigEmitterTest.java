package io.sluice.connector.opcua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcua.OpcUaConfigEmitter.Connection;
import io.sluice.connector.opcua.OpcUaConfigEmitter.Variable;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The connector entry {@code browse --emit-config} prints, from a browse result, through the runtime's loader. */
@Timeout(30)
class OpcUaConfigEmitterTest {

    @Test
    void theEntryBindsWithEveryReadableVariableItsUnitAndAwkwardCharactersQuoted() {
        List<Variable> browsed = List.of(
                new Variable("Motor/Speed", "nsu=urn:plant;s=Motor/Speed", "Double", false, true, "read", Optional.of("rpm")),
                new Variable("Motor/Name # 1", "nsu=urn:plant;s=Motor \"A\" # 1", "String", false, true, "read/write", Optional.empty()),
                new Variable("Motor/Curve", "nsu=urn:plant;i=42", "Float", true, true, "read, history", Optional.of("°C")),
                new Variable("Motor/Setpoint", "nsu=urn:plant;s=Motor/Setpoint", "Double", false, false, "write", Optional.empty()));
        String entry = OpcUaConfigEmitter.emit("sluice opcua browse opc.tcp://plc:4840 --path /Plant --depth 2 --emit-config",
                new Connection("press-4", "telemetry", "opc.tcp://plc:4840", "basic256sha256", Optional.of("sign"),
                        Optional.of("operator"), Optional.of("PLC_PASSWORD")),
                OpcUaConfigEmitter.groupName("/Plant"), browsed);
        assertTrue(entry.contains("# Float[], read, history"), entry);
        assertTrue(entry.contains("# not readable, left out: nsu=urn:plant;s=Motor/Setpoint"), entry);

        GatewayConfig config = new ConfigLoader(io.sluice.runtime.Plugins.discover(), name -> "secret")
                .parseText("connectors:\n" + entry + "streams:\n  telemetry: {}\n", "pasted.yaml");
        OpcUaConnectorConfig c = assertInstanceOf(OpcUaConnectorConfig.class, config.connectors().get("press-4").options());
        assertEquals("opc.tcp://plc:4840", c.endpoint());
        assertEquals("basic256sha256", c.securityPolicy());
        assertEquals("secret", c.password().orElseThrow().reveal());
        assertEquals("plant", c.groups().get(0).name());
        var nodes = c.groups().get(0).nodes();
        assertEquals(3, nodes.size(), entry);
        assertEquals(Optional.of("nsu=urn:plant;s=Motor/Speed"), nodes.get(0).nodeId());
        assertEquals(Optional.of("Motor.Speed"), nodes.get(0).tag());
        assertEquals(Optional.of("rpm"), nodes.get(0).unit());
        assertEquals(Optional.of("nsu=urn:plant;s=Motor \"A\" # 1"), nodes.get(1).nodeId(), "quoted, not cut at the #");
        assertEquals(Optional.of("Motor.Name # 1"), nodes.get(1).tag());
        assertEquals(Optional.of("°C"), nodes.get(2).unit());
    }

    @Test
    void nothingReadableIsAnErrorNotAGroupThatCannotValidate() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> OpcUaConfigEmitter.emit("browse",
                new Connection("opcua", "telemetry", "opc.tcp://plc:4840", "none", Optional.empty(), Optional.empty(), Optional.empty()),
                OpcUaConfigEmitter.groupName("/"), List.of()));
        assertTrue(e.getMessage().contains("no readable variables found; try a larger --depth"), e.getMessage());
    }
}
