package io.sluice.connector.opcua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.eclipse.milo.opcua.stack.core.util.CertificateUtil;
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
    void theOwnCertificateCarriesWhatServersCheck(@TempDir Path dir) throws Exception {
        X509Certificate cert = new OpcUaPki(dir).loadOrCreateIdentity("urn:sluice:gateway:test").certificate();
        cert.checkValidity();
        cert.verify(cert.getPublicKey());
        assertEquals("SHA256withRSA", cert.getSigAlgName());
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        assertTrue(cert.getSubjectX500Principal().getName().contains("CN=Sluice gateway "), cert.getSubjectX500Principal().getName());
        assertEquals(Optional.of("urn:sluice:gateway:test"), CertificateUtil.getSanUri(cert));
        assertEquals(List.of(OpcUaPki.hostName()), CertificateUtil.getSanDnsNames(cert));
        boolean[] usage = cert.getKeyUsage();
        // digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyCertSign
        assertEquals(List.of(true, true, true, true, false, true), List.of(usage[0], usage[1], usage[2], usage[3], usage[4], usage[5]));
        assertEquals(List.of("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"), cert.getExtendedKeyUsage());
        assertEquals(-1, cert.getBasicConstraints(), "not a CA");
        assertEquals(cert.getNotBefore().toInstant().atZone(ZoneOffset.UTC).plusYears(5).toInstant(),
                cert.getNotAfter().toInstant());
    }

    private static boolean opens(Path keyStore, char[] password) {
        try (var in = Files.newInputStream(keyStore)) {
            java.security.KeyStore.getInstance("PKCS12").load(in, password);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void theKeyStorePasswordIsRandomPerInstallationAndReadableByTheOwnerOnly(@TempDir Path dir) throws Exception {
        OpcUaPki a = new OpcUaPki(dir.resolve("a"));
        OpcUaPki b = new OpcUaPki(dir.resolve("b"));
        a.loadOrCreateIdentity("urn:a");
        b.loadOrCreateIdentity("urn:b");
        String pa = Files.readString(a.ownPasswordFile()).strip();
        String pb = Files.readString(b.ownPasswordFile()).strip();
        assertTrue(pa.length() >= 24, pa);
        assertNotEquals(pa, pb);
        assertTrue(opens(a.ownKeyStore(), pa.toCharArray()));
        assertFalse(opens(a.ownKeyStore(), "sluice".toCharArray()), "not the old fixed password");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(a.ownPasswordFile())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(a.ownKeyStore())));
    }

    @Test
    void aKeyStoreWithTheOldFixedPasswordIsMigratedOnFirstUse(@TempDir Path dir) throws Exception {
        var keyPair = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
        X509Certificate old = new SelfSignedCertificateBuilder(keyPair).setCommonName("old gateway")
                .setApplicationUri("urn:sluice:gateway:old").build();
        OpcUaPki pki = new OpcUaPki(dir);
        pki.ensureLayout();
        var ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, "sluice".toCharArray());
        ks.setKeyEntry("sluice-client", keyPair.getPrivate(), "sluice".toCharArray(), new X509Certificate[]{old});
        try (var out = Files.newOutputStream(pki.ownKeyStore())) {
            ks.store(out, "sluice".toCharArray());
        }

        assertEquals(old, pki.ownCertificate().orElseThrow(), "readable before the migration");
        OpcUaPki.Identity identity = pki.loadOrCreateIdentity("urn:sluice:gateway:new");
        assertEquals(old, identity.certificate(), "the same certificate: servers that trust it keep trusting it");
        assertEquals(keyPair.getPrivate(), identity.keyPair().getPrivate());
        assertEquals("urn:sluice:gateway:old", identity.applicationUri());
        String password = Files.readString(pki.ownPasswordFile()).strip();
        assertTrue(opens(pki.ownKeyStore(), password.toCharArray()));
        assertFalse(opens(pki.ownKeyStore(), "sluice".toCharArray()));
        assertEquals(old, new OpcUaPki(dir).loadOrCreateIdentity("urn:x").certificate());
        assertEquals(password, Files.readString(pki.ownPasswordFile()).strip(), "migrated once");
    }

    @Test
    void theListShowsTheOwnCertificate(@TempDir Path dir) throws Exception {
        OpcUaPki pki = new OpcUaPki(dir);
        assertTrue(pki.list().isEmpty(), "nothing generated by listing");
        X509Certificate own = pki.loadOrCreateIdentity("urn:sluice:gateway:test").certificate();
        var entries = pki.list();
        assertEquals(1, entries.size());
        assertEquals("own", entries.get(0).state());
        assertEquals(OpcUaPki.thumbprint(own), entries.get(0).thumbprint());
    }

    @Test
    void theSigningRequestIsForTheOwnKeyWithTheApplicationUri(@TempDir Path dir) throws Exception {
        OpcUaPki.Identity identity = new OpcUaPki(dir).loadOrCreateIdentity("urn:sluice:gateway:csr");
        String pem = OpcUaPki.certificateSigningRequestPem(identity);
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE REQUEST-----\n") && pem.endsWith("-----END CERTIFICATE REQUEST-----\n"), pem);
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        var csr = new org.bouncycastle.pkcs.PKCS10CertificationRequest(java.util.Base64.getDecoder().decode(b64));
        assertTrue(csr.isSignatureValid(new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder()
                .build(identity.keyPair().getPublic())));
        assertEquals(identity.certificate().getSubjectX500Principal(),
                new javax.security.auth.x500.X500Principal(csr.getSubject().getEncoded()));
        var extensions = org.bouncycastle.asn1.x509.Extensions.getInstance(csr.getAttributes(
                org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0].getAttrValues().getObjectAt(0));
        var names = org.bouncycastle.asn1.x509.GeneralNames.fromExtensions(extensions,
                org.bouncycastle.asn1.x509.Extension.subjectAlternativeName).getNames();
        assertEquals(org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier, names[0].getTagNo());
        assertEquals("urn:sluice:gateway:csr", names[0].getName().toString());
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
