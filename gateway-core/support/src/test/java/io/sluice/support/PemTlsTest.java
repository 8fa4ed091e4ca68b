package io.sluice.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.pki.TestPki;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM files as CAs and devices hand them out, and the messages for files that cannot work. */
class PemTlsTest {

    @TempDir
    Path dir;

    @Test
    void aClientContextFromPkcs1KeyCertificateAndCa() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"), "Test CA");
        TestPki.PemIdentity device = pki.issueClient("device-1");
        assertTrue(Files.readString(device.privateKey()).contains("BEGIN RSA PRIVATE KEY"));
        SSLContext tls = PemTls.clientContext("TLSv1.2", device.certificate(), device.privateKey(), pki.caCertificateFile());
        assertEquals("TLSv1.2", tls.getProtocol());
        assertNotNull(tls.getSocketFactory());
        assertEquals(device.x509(), PemTls.readCertificates(device.certificate()).iterator().next());
    }

    @Test
    void pkcs8AndSec1KeysAreReadToo() throws Exception {
        TestPki.PemIdentity device = TestPki.create(dir.resolve("pki"), "Test CA").issueClient("device-1");
        PrivateKey rsa = PemTls.readPrivateKey(device.privateKey());
        Path pkcs8 = write("pkcs8.pem", new JcaPKCS8Generator(rsa, null));
        assertTrue(Files.readString(pkcs8).contains("BEGIN PRIVATE KEY"));
        assertEquals(rsa, PemTls.readPrivateKey(pkcs8));

        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = ec.generateKeyPair();
        // SEC 1 as OpenSSL writes it: the curve inside the key structure
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded());
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        ECPrivateKey withCurve = new ECPrivateKey(256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters());
        Path sec1 = write("ec.pem", new PemObject("EC PRIVATE KEY", withCurve.getEncoded()));
        assertTrue(Files.readString(sec1).contains("BEGIN EC PRIVATE KEY"));
        assertEquals("EC", PemTls.readPrivateKey(sec1).getAlgorithm());
    }

    @Test
    void filesThatCannotWorkAreNamedWithWhatTheyLack() throws Exception {
        TestPki.PemIdentity device = TestPki.create(dir.resolve("pki"), "Test CA").issueClient("device-1");
        PrivateKey rsa = PemTls.readPrivateKey(device.privateKey());
        Path encrypted = dir.resolve("encrypted.pem");
        try (Writer w = Files.newBufferedWriter(encrypted, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(rsa, new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(new BouncyCastleProvider()).build("secret".toCharArray()));
        }
        IOException e = assertThrows(IOException.class, () -> PemTls.readPrivateKey(encrypted));
        assertTrue(e.getMessage().startsWith(encrypted + " holds an encrypted private key"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"));

        IOException noKey = assertThrows(IOException.class, () -> PemTls.readPrivateKey(device.certificate()));
        assertTrue(noKey.getMessage().startsWith(device.certificate() + " holds no PEM private key"), noKey.getMessage());

        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        IOException noCert = assertThrows(IOException.class,
                () -> PemTls.clientContext("TLS", device.certificate(), device.privateKey(), empty));
        assertEquals(empty + " holds no PEM certificate", noCert.getMessage());

        IOException half = assertThrows(IOException.class,
                () -> PemTls.clientContext("TLS", device.certificate(), null, null));
        assertTrue(half.getMessage().contains("needs its private key"), half.getMessage());
    }

    private Path write(String name, Object pemObject) throws IOException {
        Path file = dir.resolve(name);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(pemObject);
        }
        return file;
    }
}
