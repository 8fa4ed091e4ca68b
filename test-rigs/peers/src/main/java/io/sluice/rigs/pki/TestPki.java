package io.sluice.rigs.pki;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for tests: a self-signed CA, then server and client certificates signed by
 * it, all written as PEM files (certificates as {@code CERTIFICATE}, RSA keys as PKCS#1 {@code RSA PRIVATE KEY},
 * the form AWS IoT hands out for device keys). Nothing here is fit for production: keys are 2048-bit RSA made at
 * test time, valid for one day, and the files are world-readable so a broker that drops its privileges can read
 * them.
 */
public final class TestPki {

    /** A certificate and its private key as PEM files. */
    public record PemIdentity(String commonName, Path certificate, Path privateKey, X509Certificate x509) {}

    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    private final Path directory;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    private final Path caCertificateFile;

    private TestPki(Path directory, KeyPair caKeys, X509Certificate caCertificate, Path caCertificateFile) {
        this.directory = directory;
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
        this.caCertificateFile = caCertificateFile;
    }

    /** Creates a new CA whose files go to {@code directory} (created when missing). */
    public static TestPki create(Path directory, String caName) {
        try {
            Files.createDirectories(directory);
            openForOthers(directory);
            KeyPair keys = newKeyPair();
            X500Name subject = name(caName);
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                    keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate ca = sign(builder, keys);
            Path caFile = directory.resolve("ca.crt");
            writePem(caFile, ca);
            return new TestPki(directory, keys, ca, caFile);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create test CA in " + directory, e);
        }
    }

    public Path caCertificateFile() {
        return caCertificateFile;
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    /** A TLS server certificate for {@code 127.0.0.1} and {@code localhost}. */
    public PemIdentity issueServer(String commonName) {
        return issue(commonName, true);
    }

    /** A TLS client certificate whose subject CN is {@code commonName}. */
    public PemIdentity issueClient(String commonName) {
        return issue(commonName, false);
    }

    /** A client certificate that expired an hour ago (valid for one hour two hours ago). */
    public PemIdentity issueExpiredClient(String commonName) {
        Instant now = Instant.now();
        return issue(commonName, false, now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1)), List.of());
    }

    /** A server certificate for {@code 127.0.0.1} and {@code localhost} that expired an hour ago. */
    public PemIdentity issueExpiredServer(String commonName) {
        Instant now = Instant.now();
        return issue(commonName, true, now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1)), LOOPBACK);
    }

    /** A valid server certificate only for the DNS name {@code hostName} (not 127.0.0.1): a host name mismatch. */
    public PemIdentity issueServerFor(String commonName, String hostName) {
        Instant now = Instant.now();
        return issue(commonName, true, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)),
                List.of(new GeneralName(GeneralName.dNSName, hostName)));
    }

    private static final List<GeneralName> LOOPBACK = List.of(new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.dNSName, "localhost"));

    private PemIdentity issue(String commonName, boolean server) {
        Instant now = Instant.now();
        return issue(commonName, server, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)),
                server ? LOOPBACK : List.of());
    }

    private PemIdentity issue(String commonName, boolean server, Instant validFrom, Instant validTo,
                              List<GeneralName> alternativeNames) {
        try {
            KeyPair keys = newKeyPair();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCertificate, serial(),
                    Date.from(validFrom), Date.from(validTo), name(commonName), keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    ext.createAuthorityKeyIdentifier(caCertificate));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            if (!alternativeNames.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(alternativeNames.toArray(new GeneralName[0])));
            }
            X509Certificate cert = sign(builder, caKeys);
            String base = commonName.replaceAll("[^A-Za-z0-9._-]", "_");
            Path certFile = directory.resolve(base + ".crt");
            Path keyFile = directory.resolve(base + ".key");
            writePem(certFile, cert);
            writePem(keyFile, keys.getPrivate());
            return new PemIdentity(commonName, certFile, keyFile, cert);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue certificate for " + commonName, e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws OperatorCreationException, GeneralSecurityException {
        X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate()));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048, new SecureRandom());
        return gen.generateKeyPair();
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Sluice test rig").addRDN(BCStyle.CN, commonName).build();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static void writePem(Path file, Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(object);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, out.toString(), StandardCharsets.US_ASCII);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        openForOthers(file);
    }

    /** Throwaway test material only: readable by the broker's unprivileged user. */
    static void openForOthers(Path path) {
        try {
            if (Files.getFileStore(path).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                        Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the files this CA wrote so far (for diagnostics). */
    public List<Path> files() {
        try (var s = Files.list(directory)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
