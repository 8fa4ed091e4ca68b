package io.sluice.rigs.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPkiTest {

    @TempDir
    Path dir;

    @Test
    void issuedCertificatesChainToTheCaAndKeysParse() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"), "Test CA");
        TestPki.PemIdentity client = pki.issueClient("device-1");
        TestPki.PemIdentity server = pki.issueServer("localhost");

        X509Certificate clientCert = (X509Certificate) PemKeyStores.readCertificates(client.certificate()).iterator().next();
        clientCert.verify(pki.caCertificate().getPublicKey());
        server.x509().verify(pki.caCertificate().getPublicKey());
        assertTrue(clientCert.getSubjectX500Principal().getName().contains("CN=device-1"));
        assertTrue(Files.readString(client.privateKey()).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertEquals("RSA", PemKeyStores.readPrivateKey(client.privateKey()).getAlgorithm());
        assertTrue(server.x509().getSubjectAlternativeNames().stream().anyMatch(n -> "127.0.0.1".equals(n.get(1))));

        TestPki other = TestPki.create(dir.resolve("other"), "Other CA");
        assertThrows(SignatureException.class, () -> clientCert.verify(other.caCertificate().getPublicKey()));
    }
}
