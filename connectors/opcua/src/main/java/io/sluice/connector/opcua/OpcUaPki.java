package io.sluice.connector.opcua;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.DefaultClientCertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.FileBasedCertificateQuarantine;
import org.eclipse.milo.opcua.stack.core.security.FileBasedTrustListManager;
import org.eclipse.milo.opcua.stack.core.util.CertificateUtil;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;

/**
 * The client's PKI folder:
 * <pre>
 * pki/own/sluice-client.pfx     application instance certificate and key (generated on first use)
 * pki/trusted/certs/*.der       trusted server (and CA) certificates
 * pki/trusted/crl/              revocation lists of trusted CAs
 * pki/issuers/certs/*.der       CA certificates used only to build chains
 * pki/issuers/crl/
 * pki/rejected/*.der            server certificates that were refused (accept with `sluice opcua trust accept`)
 * </pre>
 * Thumbprints are the SHA-1 of the DER encoding, lower-case hex, as OPC UA tools show them.
 */
public final class OpcUaPki implements AutoCloseable {

    private static final String KEY_STORE = "sluice-client.pfx";
    private static final String ALIAS = "sluice-client";
    private static final char[] PASSWORD = "sluice".toCharArray();

    /** A certificate found in the PKI folder. */
    public record Entry(String state, String thumbprint, String subject, Instant notAfter, Path file) {
    }

    /** The client's own certificate and key. */
    public record Identity(KeyPair keyPair, X509Certificate certificate, String applicationUri) {
    }

    private final Path root;
    private FileBasedTrustListManager trustList;
    private CertificateValidator validator;

    public OpcUaPki(Path root) {
        this.root = root;
    }

    public Path root() { return root; }

    public Path trustedCerts() { return root.resolve("trusted").resolve("certs"); }

    public Path rejected() { return root.resolve("rejected"); }

    public Path issuerCerts() { return root.resolve("issuers").resolve("certs"); }

    /** Creates the folder layout if missing. */
    public void ensureLayout() throws IOException {
        for (Path p : List.of(root.resolve("own"), trustedCerts(), root.resolve("trusted").resolve("crl"),
                issuerCerts(), root.resolve("issuers").resolve("crl"), rejected())) {
            Files.createDirectories(p);
        }
    }

    /** Loads the own certificate, generating it (RSA 2048, SHA-256, 5 years) on first use. */
    public Identity loadOrCreateIdentity(String applicationUri) throws Exception {
        ensureLayout();
        Path file = root.resolve("own").resolve(KEY_STORE);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                ks.load(in, PASSWORD);
            }
            X509Certificate cert = (X509Certificate) ks.getCertificate(ALIAS);
            PrivateKey key = (PrivateKey) ks.getKey(ALIAS, PASSWORD);
            String uri = CertificateUtil.getSanUri(cert).orElse(applicationUri);
            return new Identity(new KeyPair(cert.getPublicKey(), key), cert, uri);
        }
        KeyPair keyPair = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
        String host = hostName();
        SelfSignedCertificateBuilder builder = new SelfSignedCertificateBuilder(keyPair)
                .setCommonName("Sluice gateway " + host)
                .setOrganization("Sluice")
                .setApplicationUri(applicationUri)
                .setValidityPeriod(Period.ofYears(5))
                .addDnsName(host);
        X509Certificate cert = builder.build();
        ks.load(null, PASSWORD);
        ks.setKeyEntry(ALIAS, keyPair.getPrivate(), PASSWORD, new X509Certificate[]{cert});
        Path tmp = file.resolveSibling(KEY_STORE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ks.store(out, PASSWORD);
        }
        restrict(tmp);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Identity(keyPair, cert, applicationUri);
    }

    /**
     * A validator that trusts what is in trusted/ (with issuers/ for chains) and copies refused server certificates
     * to rejected/. The trust list is read from disk each time a connection is made.
     */
    public synchronized CertificateValidator validator() throws IOException {
        if (validator == null) {
            ensureLayout();
            trustList = new FileBasedTrustListManager(issuerCerts(), root.resolve("issuers").resolve("crl"),
                    trustedCerts(), root.resolve("trusted").resolve("crl"));
            trustList.initialize(); // watches the folders: a certificate accepted later is picked up
            FileBasedCertificateQuarantine quarantine = FileBasedCertificateQuarantine.create(rejected());
            validator = new DefaultClientCertificateValidator(trustList, quarantine);
        }
        return validator;
    }

    /** Stops watching the trust list folders. */
    @Override
    public synchronized void close() {
        if (trustList != null) {
            try {
                trustList.close();
            } catch (IOException e) {
                // nothing held open but the watcher
            }
            trustList = null;
            validator = null;
        }
    }

    /** Every certificate in trusted/, issuers/ and rejected/. */
    public List<Entry> list() throws IOException {
        ensureLayout();
        List<Entry> entries = new ArrayList<>();
        collect("trusted", trustedCerts(), entries);
        collect("issuer", issuerCerts(), entries);
        collect("rejected", rejected(), entries);
        return entries;
    }

    /**
     * Moves the rejected certificate whose thumbprint starts with {@code thumbprint} (at least 8 hex digits) to
     * trusted/certs.
     */
    public Entry accept(String thumbprint) throws IOException {
        String wanted = thumbprint.trim().toLowerCase(Locale.ROOT).replace(":", "");
        if (wanted.length() < 8 || !wanted.matches("[0-9a-f]+")) {
            throw new IllegalArgumentException("expected a thumbprint (at least 8 hex digits), got '" + thumbprint + "'");
        }
        List<Entry> matches = new ArrayList<>();
        for (Entry e : list()) {
            if (e.state().equals("rejected") && e.thumbprint().startsWith(wanted)) matches.add(e);
        }
        matches = matches.stream().filter(distinctThumbprint()).toList();
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("no rejected certificate with thumbprint " + wanted + " in " + rejected());
        }
        if (matches.size() > 1) {
            throw new IllegalArgumentException("thumbprint " + wanted + " is ambiguous: " + matches.size() + " rejected certificates match");
        }
        Entry e = matches.get(0);
        Path target = trustedCerts().resolve(e.thumbprint() + ".der");
        Path tmp = root.resolve(e.thumbprint() + ".der.tmp"); // outside the watched folder until complete
        Files.copy(e.file(), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // the same certificate may sit in rejected/ under several names; remove them all
        for (Entry other : list()) {
            if (other.state().equals("rejected") && other.thumbprint().equals(e.thumbprint())) Files.deleteIfExists(other.file());
        }
        return new Entry("trusted", e.thumbprint(), e.subject(), e.notAfter(), target);
    }

    private static java.util.function.Predicate<Entry> distinctThumbprint() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        return e -> seen.add(e.thumbprint());
    }

    public static String thumbprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot compute thumbprint", e);
        }
    }

    private static void collect(String state, Path dir, List<Entry> out) throws IOException {
        if (!Files.isDirectory(dir)) return;
        CertificateFactory cf;
        try {
            cf = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> Files.isRegularFile(p) && !p.toString().endsWith(".tmp"))) {
            for (Path f : files) {
                try (InputStream in = Files.newInputStream(f)) {
                    X509Certificate cert = (X509Certificate) cf.generateCertificate(in);
                    out.add(new Entry(state, thumbprint(cert), cert.getSubjectX500Principal().getName(),
                            cert.getNotAfter().toInstant(), f));
                } catch (CertificateException | IOException e) {
                    // not a certificate: leave it alone
                }
            }
        }
    }

    private static void restrict(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system (Windows): the folder's ACL applies
        }
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
