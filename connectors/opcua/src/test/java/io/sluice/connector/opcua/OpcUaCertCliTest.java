package io.sluice.connector.opcua;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice opcua cert show|export|csr} and the own certificate in {@code trust list}; no server needed. */
@Timeout(60)
class OpcUaCertCliTest {

    private static OpcUaCliRun run(String... args) {
        return OpcUaCliRun.of(args);
    }

    @Test
    void showGeneratesTheCertificateOnceAndPrintsItsThumbprint(@TempDir Path dir) throws Exception {
        Path pki = dir.resolve("pki");
        OpcUaCliRun show = run("cert", "show", "--pki", pki.toString(), "--application-uri", "urn:sluice:gateway:cli");
        assertEquals(0, show.code(), show.err());
        X509Certificate own = new OpcUaPki(pki).ownCertificate().orElseThrow();
        String thumbprint = OpcUaPki.thumbprint(own);
        assertTrue(show.out().contains("thumbprint  " + thumbprint), show.out());
        assertTrue(show.out().contains("urn:sluice:gateway:cli"), show.out());
        assertTrue(show.out().contains(pki.resolve("own").resolve("sluice-client.pfx").toString()), show.out());
        assertEquals(thumbprint, OpcUaPki.thumbprint(new OpcUaPki(pki).ownCertificate().orElseThrow()));

        OpcUaCliRun list = run("trust", "list", "--pki", pki.toString());
        assertTrue(list.out().contains("own       " + thumbprint), list.out());
    }

    @Test
    void exportWritesPemToStdoutOrDerToAFile(@TempDir Path dir) throws Exception {
        Path pki = dir.resolve("pki");
        OpcUaCliRun pem = run("cert", "export", "--pem", "--pki", pki.toString());
        assertEquals(0, pem.code(), pem.err());
        assertTrue(pem.out().startsWith("-----BEGIN CERTIFICATE-----\n"), pem.out());
        X509Certificate own = new OpcUaPki(pki).ownCertificate().orElseThrow();
        X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.out().getBytes(StandardCharsets.US_ASCII)));
        assertEquals(own, parsed);

        Path der = dir.resolve("gateway.der");
        OpcUaCliRun file = run("cert", "export", "--out", der.toString(), "--pki", pki.toString());
        assertEquals(0, file.code(), file.err());
        assertArrayEquals(own.getEncoded(), Files.readAllBytes(der));

        OpcUaCliRun binary = run("cert", "export", "--pki", pki.toString());
        assertEquals(2, binary.code(), "DER is binary: not to the terminal");
        assertTrue(binary.err().contains("--pem") && binary.err().contains("--out"), binary.err());
    }

    @Test
    void csrPrintsAPkcs10Request(@TempDir Path dir) {
        Path pki = dir.resolve("pki");
        OpcUaCliRun csr = run("cert", "csr", "--pki", pki.toString());
        assertEquals(0, csr.code(), csr.err());
        assertTrue(csr.out().startsWith("-----BEGIN CERTIFICATE REQUEST-----\n"), csr.out());
    }

    @Test
    void theDataDirectoryOptionIsDataWithDataDirKeptAsAnAlias(@TempDir Path dir) throws Exception {
        OpcUaCliRun show = run("cert", "show", "--data", dir.toString(), "--connector", "press3");
        assertEquals(0, show.code(), show.err());
        Path pki = dir.resolve("state").resolve("connectors").resolve("press3").resolve("pki");
        assertTrue(Files.exists(pki.resolve("own").resolve("sluice-client.pfx")));
        OpcUaCliRun old = run("trust", "list", "--data-dir", dir.toString(), "--connector", "press3");
        assertEquals(0, old.code(), old.err());
        assertTrue(old.out().contains("own  "), old.out());
    }

    /** A plant CA that signs the gateway's request, copying subject, key and extensions from it. */
    private static String issue(String csrPem, java.security.KeyPair caKeys, X509Certificate ca) throws Exception {
        String b64 = csrPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        var csr = new org.bouncycastle.pkcs.PKCS10CertificationRequest(java.util.Base64.getDecoder().decode(b64));
        var builder = new org.bouncycastle.cert.X509v3CertificateBuilder(
                org.bouncycastle.asn1.x500.X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                java.math.BigInteger.valueOf(System.nanoTime()), new java.util.Date(System.currentTimeMillis() - 60_000),
                new java.util.Date(System.currentTimeMillis() + 86_400_000L), csr.getSubject(), csr.getSubjectPublicKeyInfo());
        var extensions = org.bouncycastle.asn1.x509.Extensions.getInstance(csr.getAttributes(
                org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0].getAttrValues().getObjectAt(0));
        for (var oid : extensions.getExtensionOIDs()) builder.addExtension(extensions.getExtension(oid));
        var holder = builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate()));
        return OpcUaPki.pem("CERTIFICATE", holder.getEncoded()) + OpcUaPki.pem("CERTIFICATE", ca.getEncoded());
    }

    @Test
    void importInstallsTheCertificateACaIssuedForTheRequest(@TempDir Path dir) throws Exception {
        Path pki = dir.resolve("pki");
        OpcUaPki.Identity before = new OpcUaPki(pki).loadOrCreateIdentity("urn:sluice:gateway:plant");
        var caKeys = org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
        X509Certificate ca = new org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder(caKeys)
                .setCommonName("Plant CA").setApplicationUri("urn:plant:ca").build();
        OpcUaCliRun csr = run("cert", "csr", "--pki", pki.toString());
        Path issued = dir.resolve("issued.pem");
        Files.writeString(issued, issue(csr.out(), caKeys, ca));

        OpcUaCliRun imported = run("cert", "import", issued.toString(), "--pki", pki.toString());
        assertEquals(0, imported.code(), imported.err());
        OpcUaPki.Identity after = new OpcUaPki(pki).loadOrCreateIdentity("urn:other");
        assertEquals(before.keyPair().getPrivate(), after.keyPair().getPrivate(), "the key stays");
        assertEquals(ca.getSubjectX500Principal(), after.certificate().getIssuerX500Principal());
        assertEquals("urn:sluice:gateway:plant", after.applicationUri());
        assertTrue(imported.out().contains(OpcUaPki.thumbprint(after.certificate())), imported.out());

        // a certificate for another key is refused, and nothing changes
        OpcUaCliRun foreign = run("cert", "import", dir.resolve("nothing.pem").toString(), "--pki", pki.toString());
        assertEquals(1, foreign.code());
        Path other = dir.resolve("other.der");
        Files.write(other, ca.getEncoded());
        OpcUaCliRun wrongKey = run("cert", "import", other.toString(), "--pki", pki.toString());
        assertEquals(1, wrongKey.code());
        assertTrue(wrongKey.err().contains("not for the gateway's key"), wrongKey.err());
        assertEquals(after.certificate(), new OpcUaPki(pki).ownCertificate().orElseThrow());
    }
}
