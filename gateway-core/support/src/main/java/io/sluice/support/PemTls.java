package io.sluice.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The one place Sluice turns PEM files into a TLS client context: a client certificate (chain) with its private key,
 * and the CA certificates to trust. Keys may be PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or SEC 1
 * {@code EC PRIVATE KEY}, not encrypted. Every failure names the file and what it lacks; no key material is ever part
 * of a message. Needs {@code bcpkix-jdk18on} on the class path (an optional dependency of this module: a module that
 * calls this declares it).
 */
public final class PemTls {

    private PemTls() {}

    /**
     * A client context for {@code protocol} (e.g. {@code "TLSv1.2"}, or {@code "TLS"} for the highest both sides
     * speak). {@code certificate} and {@code privateKey} go together; both null means no client certificate. A null
     * {@code caCertificates} trusts the JVM's trust store.
     */
    public static SSLContext clientContext(String protocol, Path certificate, Path privateKey, Path caCertificates)
            throws IOException, GeneralSecurityException {
        if ((certificate == null) != (privateKey == null)) {
            throw new IOException("a client certificate needs its private key and the other way round (got "
                    + (certificate == null ? "only the key " + privateKey : "only the certificate " + certificate) + ")");
        }
        KeyManagerFactory kmf = null;
        if (certificate != null) {
            Collection<? extends Certificate> chain = readCertificates(certificate);
            PrivateKey key = readPrivateKey(privateKey);
            char[] password = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (caCertificates != null) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : readCertificates(caCertificates)) trust.setCertificateEntry("ca-" + i++, c);
            tmf.init(trust);
        } else {
            tmf.init((KeyStore) null);
        }
        SSLContext ctx = SSLContext.getInstance(protocol);
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }

    /** The certificates in a PEM file, in file order; at least one. */
    public static Collection<? extends Certificate> readCertificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) throw new IOException(pem + " holds no PEM certificate");
            return certs;
        }
    }

    /** The first private key in a PEM file. */
    public static PrivateKey readPrivateKey(Path pem) throws IOException {
        try (Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PEMKeyPair pair) return converter.getPrivateKey(pair.getPrivateKeyInfo());
                if (o instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IOException(pem + " holds an encrypted private key; Sluice needs it unencrypted "
                            + "(protect the file with its permissions instead)");
                }
            }
            throw new IOException(pem + " holds no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
        }
    }
}
