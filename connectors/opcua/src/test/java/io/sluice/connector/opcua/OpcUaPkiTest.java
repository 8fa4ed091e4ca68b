package io.sluice.connector.opcua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpcUaPkiTest {

    private static X509Certificate certificate(String name) throws Exception {
        return new SelfSignedCertificateBuilder(SelfSignedCertificateGenerator.generateRsaKeyPair(2048))
                .setCommonName(name).setApplicationUri("urn:test:" + name).build();
    }

    @Test
    void theOwnCertificateIsGeneratedOnceAndKept(@TempDir Path dir) throws Exception {
        OpcUaPki pki = new OpcUaPki(dir);
        OpcUaPki.Identity first = pki.loadOrCreateIdentity("urn:sluice:gateway:test");
        OpcUaPki.Identity second = new OpcUaPki(dir).loadOrCreateIdentity("urn:sluice:gateway:other");
        assertEquals(first.certificate(), second.certificate());
        assertEquals("urn:sluice:gateway:test", second.applicationUri(), "the certificate's URI wins");
        for (String sub : new String[]{"trusted/certs", "trusted/crl", "issuers/certs", "issuers/crl", "rejected"}) {
            assertTrue(Files.isDirectory(dir.resolve(sub)), sub);
        }
    }

    @Test
    void acceptMovesARejectedCertificateToTrusted(@TempDir Path dir) throws Exception {
        OpcUaPki pki = new OpcUaPki(dir);
        pki.ensureLayout();
        X509Certificate a = certificate("server-a");
        X509Certificate b = certificate("server-b");
        Files.write(pki.rejected().resolve("a.der"), a.getEncoded());
        Files.write(pki.rejected().resolve("b.der"), b.getEncoded());
        Files.writeString(pki.rejected().resolve("notes.txt"), "not a certificate");
        String ta = OpcUaPki.thumbprint(a);
        assertEquals(2, pki.list().size());

        assertThrows(IllegalArgumentException.class, () -> pki.accept("12"), "too short");
        assertThrows(IllegalArgumentException.class, () -> pki.accept("0000000000"), "unknown");
        OpcUaPki.Entry accepted = pki.accept(ta.substring(0, 10).toUpperCase());
        assertEquals(ta, accepted.thumbprint());
        assertTrue(Files.exists(pki.trustedCerts().resolve(ta + ".der")));
        assertFalse(Files.exists(pki.rejected().resolve("a.der")));
        assertEquals(1, pki.list().stream().filter(e -> e.state().equals("trusted")).count());
        assertEquals(1, pki.list().stream().filter(e -> e.state().equals("rejected")).count());
        try (OpcUaPki closing = new OpcUaPki(dir)) {
            closing.validator(); // trusts what is in trusted/; closing stops the folder watcher
        }
    }
}
