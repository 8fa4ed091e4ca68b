package io.sluice.connector.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ubyte;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.UserTokenType;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.UserTokenPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OpcUaClientsTest {

    private Provider before;

    @BeforeEach
    void withoutBouncyCastle() {
        before = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
        Security.removeProvider(BouncyCastleProvider.PROVIDER_NAME);
    }

    @AfterEach
    void restore() {
        Security.removeProvider(BouncyCastleProvider.PROVIDER_NAME);
        if (before != null) Security.addProvider(before);
    }

    private static EndpointDescription endpoint(SecurityPolicy channel, SecurityPolicy userToken) {
        UserTokenPolicy[] tokens = {
                new UserTokenPolicy("anonymous", UserTokenType.Anonymous, null, null, null),
                new UserTokenPolicy("username", UserTokenType.UserName, null, null, userToken.getUri())};
        return new EndpointDescription("opc.tcp://127.0.0.1:4840", null, ByteString.NULL_VALUE,
                channel == SecurityPolicy.None ? MessageSecurityMode.None : MessageSecurityMode.SignAndEncrypt,
                channel.getUri(), tokens, null, ubyte(0));
    }

    @Test
    void policiesTheJdkCoversRegisterNoProvider() {
        OpcUaClients.registerProviderFor(endpoint(SecurityPolicy.None, SecurityPolicy.Basic256Sha256));
        OpcUaClients.registerProviderFor(endpoint(SecurityPolicy.Aes128_Sha256_RsaOaep, SecurityPolicy.Aes128_Sha256_RsaOaep));
        assertNull(Security.getProvider(BouncyCastleProvider.PROVIDER_NAME));
    }

    @Test
    void rsaPssOnTheChannelRegistersBouncyCastle() throws Exception {
        OpcUaClients.registerProviderFor(endpoint(SecurityPolicy.Aes256_Sha256_RsaPss, SecurityPolicy.None));
        assertNotNull(Signature.getInstance(SecurityPolicy.Aes256_Sha256_RsaPss.getAsymmetricSignatureAlgorithm().getTransformation()));
    }

    @Test
    void rsaPssForAUserTokenAloneRegistersBouncyCastle() throws Exception {
        OpcUaClients.registerProviderFor(endpoint(SecurityPolicy.None, SecurityPolicy.Aes256_Sha256_RsaPss));
        assertNotNull(Signature.getInstance(SecurityPolicy.Aes256_Sha256_RsaPss.getAsymmetricSignatureAlgorithm().getTransformation()));
    }
}
