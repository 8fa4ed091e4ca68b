package io.sluice.connector.opcua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.Properties;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.OpcUaClientConfig;
import org.eclipse.milo.opcua.sdk.client.model.ObjectTypeInitializer;
import org.eclipse.milo.opcua.sdk.client.model.VariableTypeInitializer;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.transport.client.tcp.OpcTcpClientTransport;
import org.eclipse.milo.opcua.stack.transport.client.tcp.OpcTcpClientTransportConfig;
import org.junit.jupiter.api.Test;

/** Milo's client is built without its typed node model: this module's two initializers take the place of Milo's. */
class MiloTypeModelTest {

    @Test
    void theClientRegistersNoTypedNodes() throws Exception {
        assertEquals(OpcUaConnector.class.getProtectionDomain().getCodeSource(),
                ObjectTypeInitializer.class.getProtectionDomain().getCodeSource(), "this module's initializer is loaded");
        assertEquals(OpcUaConnector.class.getProtectionDomain().getCodeSource(),
                VariableTypeInitializer.class.getProtectionDomain().getCodeSource(), "this module's initializer is loaded");
        EndpointDescription endpoint = new EndpointDescription("opc.tcp://127.0.0.1:4840", null, ByteString.NULL_VALUE,
                MessageSecurityMode.None, SecurityPolicy.None.getUri(), null, null, null);
        OpcUaClient client = new OpcUaClient(OpcUaClientConfig.builder().setEndpoint(endpoint).build(),
                new OpcTcpClientTransport(OpcTcpClientTransportConfig.newBuilder().build()));
        assertTrue(client.getObjectTypeManager().getNodeConstructor(NodeIds.ServerType).isEmpty());
        assertTrue(client.getVariableTypeManager().getNodeConstructor(NodeIds.PropertyType).isEmpty());
    }

    @Test
    void theReplacedInitializersAreThoseOfTheMiloClientTheyWereWrittenFor() throws Exception {
        Properties pom = new Properties();
        try (InputStream in = OpcUaClient.class.getResourceAsStream(
                "/META-INF/maven/org.eclipse.milo/milo-sdk-client/pom.properties")) {
            pom.load(in);
        }
        assertEquals("1.1.2", pom.getProperty("version"), "Milo's client changed: check that OpcUaClient's constructor "
                + "still registers the typed node model through ObjectTypeInitializer and VariableTypeInitializer only, "
                + "with the same signatures, and that nothing the connector calls needs typed nodes; then update the "
                + "version here");
    }
}
