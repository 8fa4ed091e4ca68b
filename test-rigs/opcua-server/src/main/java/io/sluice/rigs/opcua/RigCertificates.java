package io.sluice.rigs.opcua;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Period;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;

/** The rig server's application instance certificate: generated once per security folder, then reused. */
final class RigCertificates {

    static final String KEY_STORE_FILE = "rig-server.pfx";
    private static final String ALIAS = "rig-server";
    private static final char[] PASSWORD = "rig-password".toCharArray();

    final KeyPair keyPair;
    final X509Certificate certificate;

    private RigCertificates(KeyPair keyPair, X509Certificate certificate) {
        this.keyPair = keyPair;
        this.certificate = certificate;
    }

    static RigCertificates loadOrCreate(Path dir, String bindAddress) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve(KEY_STORE_FILE);
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                keyStore.load(in, PASSWORD);
            }
            X509Certificate cert = (X509Certificate) keyStore.getCertificate(ALIAS);
            PrivateKey key = (PrivateKey) keyStore.getKey(ALIAS, PASSWORD);
            return new RigCertificates(new KeyPair(cert.getPublicKey(), key), cert);
        }
        KeyPair keyPair = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
        SelfSignedCertificateBuilder builder = new SelfSignedCertificateBuilder(keyPair)
                .setCommonName("Sluice OPC UA rig server")
                .setOrganization("Sluice")
                .setOrganizationalUnit("test-rigs")
                .setApplicationUri(RigServer.APPLICATION_URI)
                .setValidityPeriod(Period.ofYears(5))
                .addDnsName("localhost")
                .addIpAddress("127.0.0.1");
        if (!bindAddress.equals("127.0.0.1") && !bindAddress.equals("0.0.0.0")) {
            if (bindAddress.matches("[0-9.]+")) builder.addIpAddress(bindAddress); else builder.addDnsName(bindAddress);
        }
        X509Certificate cert = builder.build();
        keyStore.load(null, PASSWORD);
        keyStore.setKeyEntry(ALIAS, keyPair.getPrivate(), PASSWORD, new X509Certificate[]{cert});
        Path tmp = dir.resolve(KEY_STORE_FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            keyStore.store(out, PASSWORD);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new RigCertificates(keyPair, cert);
    }
}
