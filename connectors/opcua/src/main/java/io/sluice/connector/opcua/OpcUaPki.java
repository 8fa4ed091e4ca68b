package io.sluice.connector.opcua;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
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
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.DefaultClientCertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.FileBasedCertificateQuarantine;
import org.eclipse.milo.opcua.stack.core.security.FileBasedTrustListManager;
import org.eclipse.milo.opcua.stack.core.util.CertificateUtil;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;

/**
 * The client's PKI folder:
 * <pre>
 * pki/own/sluice-client.pfx     application instance certificate and key (generated on first use)
 * pki/own/sluice-client.pfx.pass  the key store's password: random per installation, mode 600
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
    private static final String PASSWORD_FILE = "sluice-client.pfx.pass";
    /** The fixed password of key stores written before passwords were made per installation; only to migrate them. */
    private static final char[] LEGACY_PASSWORD = "sluice".toCharArray();

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

    /** The key store holding the application instance certificate and its key. */
    public Path ownKeyStore() { return root.resolve("own").resolve(KEY_STORE); }

    /** The key store's password: random, made once per installation, readable by the owner only. */
    public Path ownPasswordFile() { return root.resolve("own").resolve(PASSWORD_FILE); }

    /**
     * Loads the own certificate, generating it (RSA 2048, SHA-256, 5 years) and the key store password on first use.
     * A key store written with the fixed password of earlier versions gets a generated password here.
     */
    public synchronized Identity loadOrCreateIdentity(String applicationUri) throws Exception {
        ensureLayout();
        Path file = ownKeyStore();
        if (Files.exists(file)) {
            Loaded loaded = loadOwn(file);
            X509Certificate cert = (X509Certificate) loaded.keyStore().getCertificate(ALIAS);
            PrivateKey key = (PrivateKey) loaded.keyStore().getKey(ALIAS, loaded.password());
            if (cert == null || key == null) throw new IOException(file + " holds no entry '" + ALIAS + "' with a key");
            if (loaded.legacy()) {
                // migrate: a per-installation password (kept if a migration was interrupted after writing it)
                char[] password = Files.exists(ownPasswordFile()) ? readPassword(ownPasswordFile()) : newPassword();
                writePassword(password);
                writeKeyStore(key, chainOf(loaded.keyStore(), cert), password);
            }
            String uri = CertificateUtil.getSanUri(cert).orElse(applicationUri);
            return new Identity(new KeyPair(cert.getPublicKey(), key), cert, uri);
        }
        KeyPair keyPair = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
        X509Certificate cert = selfSigned(keyPair, applicationUri, hostName(), Instant.now(), Period.ofYears(5));
        char[] password = newPassword();
        writePassword(password);
        writeKeyStore(keyPair.getPrivate(), new X509Certificate[]{cert}, password);
        return new Identity(keyPair, cert, applicationUri);
    }

    /**
     * An application instance certificate as OPC UA servers expect it: the application URI and host name as subject
     * alternative names, key usage for signing and encryption, client and server authentication. Signed through the
     * JDK's providers: Milo's generator instantiates BouncyCastle's provider for the signature, which loads some 280
     * classes and starts an entropy thread, kept for the life of the process (docs/sizing.md).
     */
    static X509Certificate selfSigned(KeyPair keyPair, String applicationUri, String host, Instant from, Period validity)
            throws Exception {
        X500Name subject = new X500NameBuilder()
                .addRDN(BCStyle.CN, "Sluice gateway " + host)
                .addRDN(BCStyle.O, "Sluice")
                .build();
        BigInteger serial = new BigInteger(63, new SecureRandom());
        Instant until = from.atZone(ZoneOffset.UTC).plus(validity).toInstant();
        JcaX509ExtensionUtils keyIds = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial, Date.from(from),
                Date.from(until), subject, keyPair.getPublic())
                .addExtension(Extension.subjectKeyIdentifier, false, keyIds.createSubjectKeyIdentifier(keyPair.getPublic()))
                .addExtension(Extension.authorityKeyIdentifier, false,
                        keyIds.createAuthorityKeyIdentifier(keyPair.getPublic()))
                .addExtension(Extension.basicConstraints, false, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, false, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation
                        | KeyUsage.keyEncipherment | KeyUsage.dataEncipherment | KeyUsage.keyCertSign))
                .addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(new KeyPurposeId[]{KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                        new GeneralName(GeneralName.uniformResourceIdentifier, applicationUri),
                        new GeneralName(GeneralName.dNSName, host)}));
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(keyPair.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    /** The own certificate if the key store exists (read only: nothing is generated or migrated). */
    public synchronized Optional<X509Certificate> ownCertificate() throws Exception {
        Path file = ownKeyStore();
        if (!Files.exists(file)) return Optional.empty();
        return Optional.ofNullable((X509Certificate) loadOwn(file).keyStore().getCertificate(ALIAS));
    }

    /**
     * Replaces the own certificate with one issued for the own key (e.g. by a plant CA from {@code cert csr}): the
     * file holds it first, in PEM (optionally followed by its CA chain) or DER. The key stays; the certificate must
     * be for that key and carry an application URI. Returns the new identity.
     */
    public synchronized Identity importCertificate(Path certificateFile) throws Exception {
        Path file = ownKeyStore();
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no key store " + file + " yet: make the request with 'sluice opcua cert csr' first");
        }
        List<X509Certificate> chain = new ArrayList<>();
        try (InputStream in = Files.newInputStream(certificateFile)) {
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) chain.add((X509Certificate) c);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(certificateFile + " holds no X.509 certificate (PEM or DER): " + e.getMessage());
        }
        if (chain.isEmpty()) throw new IllegalArgumentException(certificateFile + " holds no X.509 certificate (PEM or DER)");
        Loaded loaded = loadOwn(file);
        PrivateKey key = (PrivateKey) loaded.keyStore().getKey(ALIAS, loaded.password());
        X509Certificate current = (X509Certificate) loaded.keyStore().getCertificate(ALIAS);
        X509Certificate cert = chain.get(0);
        if (!cert.getPublicKey().equals(current.getPublicKey())) {
            throw new IllegalArgumentException("the certificate in " + certificateFile + " (" + cert.getSubjectX500Principal().getName()
                    + ") is not for the gateway's key; import the one issued for the request from 'sluice opcua cert csr'");
        }
        String uri = CertificateUtil.getSanUri(cert).orElseThrow(() -> new IllegalArgumentException("the certificate in "
                + certificateFile + " has no application URI (a URI subject alternative name), which OPC UA requires"));
        cert.checkValidity();
        char[] password = loaded.legacy() ? (Files.exists(ownPasswordFile()) ? readPassword(ownPasswordFile()) : newPassword())
                : loaded.password();
        if (loaded.legacy()) writePassword(password);
        writeKeyStore(key, chain.toArray(X509Certificate[]::new), password);
        return new Identity(new KeyPair(cert.getPublicKey(), key), cert, uri);
    }

    /** A key store opened with the installation's password, or with the fixed one of earlier versions (legacy). */
    private record Loaded(KeyStore keyStore, char[] password, boolean legacy) {
    }

    private Loaded loadOwn(Path file) throws Exception {
        Path passwordFile = ownPasswordFile();
        if (Files.exists(passwordFile)) {
            char[] password = readPassword(passwordFile);
            try {
                return new Loaded(load(file, password), password, false);
            } catch (IOException e) {
                // a migration interrupted between writing the password and the key store: the old password still opens it
            }
        }
        try {
            return new Loaded(load(file, LEGACY_PASSWORD), LEGACY_PASSWORD, true);
        } catch (IOException e) {
            throw new IOException("cannot open " + file + " with the password in " + passwordFile + " (was one of the two "
                    + "files replaced?). Move both away to have a new certificate generated; servers must then trust the new one", e);
        }
    }

    private static X509Certificate[] chainOf(KeyStore ks, X509Certificate leaf) throws Exception {
        java.security.cert.Certificate[] chain = ks.getCertificateChain(ALIAS);
        if (chain == null || chain.length == 0) return new X509Certificate[]{leaf};
        return java.util.Arrays.stream(chain).map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
    }

    private static KeyStore load(Path file, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        return ks;
    }

    private void writeKeyStore(PrivateKey key, X509Certificate[] chain, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, password);
        ks.setKeyEntry(ALIAS, key, password, chain);
        Path file = ownKeyStore();
        Path tmp = file.resolveSibling(KEY_STORE + ".tmp");
        createPrivate(tmp);
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ks.store(out, password);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void writePassword(char[] password) throws IOException {
        Path file = ownPasswordFile();
        Path tmp = file.resolveSibling(PASSWORD_FILE + ".tmp");
        createPrivate(tmp);
        Files.writeString(tmp, new String(password), StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static char[] readPassword(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (text.isEmpty()) throw new IOException(file + " is empty");
        return text.toCharArray();
    }

    private static char[] newPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray();
    }

    /** Creates an empty file only its owner can read (POSIX), before anything secret is written into it. */
    private static void createPrivate(Path file) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system (Windows): the folder's ACL applies
        }
    }

    /**
     * A PKCS#10 certificate signing request for the own key, PEM: the subject and subject alternative names (the
     * application URI first, as OPC UA requires) of the current certificate, key usages of an OPC UA application
     * instance certificate, signed SHA256withRSA.
     */
    public static String certificateSigningRequestPem(Identity identity) throws Exception {
        X509Certificate cert = identity.certificate();
        X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier, identity.applicationUri()));
        if (cert.getSubjectAlternativeNames() != null) {
            for (List<?> san : cert.getSubjectAlternativeNames()) {
                int type = (Integer) san.get(0);
                String value = String.valueOf(san.get(1));
                if (type == GeneralName.dNSName || type == GeneralName.iPAddress) names.add(new GeneralName(type, value));
            }
        }
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        extensions.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation
                | KeyUsage.keyEncipherment | KeyUsage.dataEncipherment));
        extensions.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(new KeyPurposeId[]{KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}));
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(subject, identity.keyPair().getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(identity.keyPair().getPrivate()));
        return pem("CERTIFICATE REQUEST", csr.getEncoded());
    }

    /** PEM text: base64 in 64-character lines between BEGIN and END lines. */
    public static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
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

    /** The own certificate (state "own", if it exists yet) and every certificate in trusted/, issuers/ and rejected/. */
    public List<Entry> list() throws IOException {
        ensureLayout();
        List<Entry> entries = new ArrayList<>();
        try {
            ownCertificate().ifPresent(c -> entries.add(new Entry("own", thumbprint(c), c.getSubjectX500Principal().getName(),
                    c.getNotAfter().toInstant(), ownKeyStore())));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot read " + ownKeyStore() + ": " + e.getMessage(), e);
        }
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

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
