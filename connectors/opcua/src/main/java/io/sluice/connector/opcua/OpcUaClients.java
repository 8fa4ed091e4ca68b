package io.sluice.connector.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import io.sluice.connector.opcua.OpcUaConnectorConfig.SecurityMode;
import io.sluice.spi.Durations;
import io.sluice.spi.SluiceException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.eclipse.milo.opcua.sdk.client.DiscoveryClient;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.OpcUaClientConfig;
import org.eclipse.milo.opcua.sdk.client.identity.AnonymousProvider;
import org.eclipse.milo.opcua.sdk.client.identity.IdentityProvider;
import org.eclipse.milo.opcua.sdk.client.identity.UsernameProvider;
import org.eclipse.milo.opcua.sdk.client.identity.X509IdentityProvider;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.UserTokenType;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.UserTokenPolicy;
import org.eclipse.milo.opcua.stack.core.util.EndpointUtil;
import org.eclipse.milo.opcua.stack.transport.client.tcp.OpcTcpClientTransport;
import org.eclipse.milo.opcua.stack.transport.client.tcp.OpcTcpClientTransportConfig;

/** Opens Milo client sessions from {@link ConnectionOptions}: discovery, endpoint selection, PKI, identity. */
final class OpcUaClients {

    private OpcUaClients() {}

    /**
     * Registers BouncyCastle as a JCA provider when {@code endpoint} uses Aes256_Sha256_RsaPss, for the secure channel
     * or for a user token ("SHA256withRSA/PSS" is BouncyCastle's; the JDK's providers have every other algorithm of
     * the supported policies). Only then: the provider's registration loads some 400 classes and a table of 2,600
     * services that a gateway on the other policies never uses (docs/sizing.md).
     */
    static void registerProviderFor(EndpointDescription endpoint) {
        String pss = SecurityPolicy.Aes256_Sha256_RsaPss.getUri();
        boolean needed = pss.equals(endpoint.getSecurityPolicyUri())
                || (endpoint.getUserIdentityTokens() != null && Arrays.stream(endpoint.getUserIdentityTokens())
                        .anyMatch(t -> pss.equals(t.getSecurityPolicyUri())));
        if (needed && Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            synchronized (OpcUaClients.class) {
                if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) Security.addProvider(new BouncyCastleProvider());
            }
        }
    }

    static SecurityPolicy policy(String name) {
        String canonical = NodeAddress.canonicalPolicy(name);
        if (canonical == null) throw SluiceException.permanent("unknown security policy " + name);
        return switch (canonical) {
            case "basic256sha256" -> SecurityPolicy.Basic256Sha256;
            case "aes128-sha256-rsaoaep" -> SecurityPolicy.Aes128_Sha256_RsaOaep;
            case "aes256-sha256-rsapss" -> SecurityPolicy.Aes256_Sha256_RsaPss;
            case "none" -> SecurityPolicy.None;
            default -> throw SluiceException.permanent("unknown security policy " + name);
        };
    }

    static MessageSecurityMode mode(SecurityMode mode) {
        return switch (mode) {
            case NONE -> MessageSecurityMode.None;
            case SIGN -> MessageSecurityMode.Sign;
            case SIGN_AND_ENCRYPT -> MessageSecurityMode.SignAndEncrypt;
        };
    }

    /**
     * Connects and activates a session, or throws a {@link SluiceException} whose message says what to do (for an
     * untrusted server certificate: the thumbprint and the trust command).
     */
    static OpcUaClient connect(ConnectionOptions o, OpcUaPki pki) throws Exception {
        return connect(o, pki, java.util.function.UnaryOperator.identity());
    }

    /** As {@link #connect(ConnectionOptions, OpcUaPki)}, with the TCP transport wrapped by {@code transport}. */
    static OpcUaClient connect(ConnectionOptions o, OpcUaPki pki,
                               java.util.function.UnaryOperator<org.eclipse.milo.opcua.stack.transport.client.OpcClientTransport> transport)
            throws Exception {
        OpcUaPki.Identity own = pki.loadOrCreateIdentity(o.applicationUri());
        CertificateValidator checks = o.trustAll() ? (chain, uri, hosts) -> { } : pki.validator();
        // remembers whether the gateway refused the server, to tell that from the server refusing the gateway
        RecordingValidator validator = new RecordingValidator(checks);

        List<EndpointDescription> endpoints;
        try {
            endpoints = Durations.await(DiscoveryClient.getEndpoints(o.endpoint(),
                    b -> b.setConnectTimeout(uint(o.connectTimeout().toMillis()))), o.connectTimeout());
        } catch (RuntimeException e) {
            throw unreachable(e, o);
        }
        EndpointDescription endpoint = select(endpoints, o);
        endpoint = EndpointUtil.updateUrl(endpoint, EndpointUtil.getHost(o.endpoint()), EndpointUtil.getPort(o.endpoint()));
        registerProviderFor(endpoint);

        OpcUaClientConfig config = OpcUaClientConfig.builder()
                .setEndpoint(endpoint)
                .setApplicationName(LocalizedText.english("Sluice gateway"))
                .setApplicationUri(own.applicationUri())
                .setProductUri("urn:sluice:gateway")
                .setKeyPair(own.keyPair())
                .setCertificate(own.certificate())
                .setCertificateChain(new X509Certificate[]{own.certificate()})
                .setCertificateValidator(validator)
                .setIdentityProvider(identity(o, validator))
                .setRequestTimeout(uint(o.requestTimeout().toMillis()))
                .setSessionTimeout(uint(o.sessionTimeout().toMillis()))
                .setKeepAliveInterval(uint(o.keepAliveInterval().toMillis()))
                .setKeepAliveTimeout(uint(Math.max(1000, o.keepAliveInterval().toMillis())))
                .setKeepAliveFailuresAllowed(uint(1))
                .setMaxPendingPublishRequests(uint(o.maxOutstandingPublishRequests()))
                .build();
        OpcTcpClientTransportConfig transportConfig = OpcTcpClientTransportConfig.newBuilder()
                .setConnectTimeout(uint(o.connectTimeout().toMillis()))
                .build();
        OpcUaClient client = new OpcUaClient(config, transport.apply(new OpcTcpClientTransport(transportConfig)));
        try {
            Durations.await(client.connectAsync(), o.connectTimeout().plus(o.requestTimeout()));
            return client;
        } catch (RuntimeException e) {
            disconnectQuietly(client, o.requestTimeout());
            throw explain(e, endpoint, pki, o, own, validator.refused);
        }
    }

    /** Statuses of a Hello/Acknowledge exchange with a peer that is not an OPC UA server (a web server, say). */
    private static final java.util.Set<Long> NOT_OPC_UA = java.util.Set.of(StatusCodes.Bad_TcpMessageTooLarge,
            StatusCodes.Bad_TcpMessageTypeInvalid, StatusCodes.Bad_DecodingError, StatusCodes.Bad_TcpInternalError);

    /** Statuses a server answers with when it refuses the client's application instance certificate. */
    private static final java.util.Set<Long> CERTIFICATE_REFUSED = java.util.Set.of(StatusCodes.Bad_SecurityChecksFailed,
            StatusCodes.Bad_CertificateUntrusted, StatusCodes.Bad_CertificateInvalid, StatusCodes.Bad_CertificateUriInvalid,
            StatusCodes.Bad_CertificateUseNotAllowed, StatusCodes.Bad_CertificateIssuerUseNotAllowed,
            StatusCodes.Bad_CertificateTimeInvalid, StatusCodes.Bad_CertificateIssuerTimeInvalid,
            StatusCodes.Bad_CertificateRevoked, StatusCodes.Bad_CertificateIssuerRevoked,
            StatusCodes.Bad_CertificateRevocationUnknown, StatusCodes.Bad_CertificateIssuerRevocationUnknown);

    /** Endpoint discovery failed: nobody listening, not an OPC UA server, or a timeout. */
    static SluiceException unreachable(RuntimeException e, ConnectionOptions o) {
        if (NOT_OPC_UA.contains(statusOf(e))) {
            return SluiceException.retryable("the server at " + hostPort(o.endpoint()) + " did not answer as an OPC UA "
                    + "server (is it the right port?)", e);
        }
        return SluiceException.retryable("cannot reach " + o.endpoint() + ": " + rootMessage(e), e);
    }

    static String hostPort(String endpoint) {
        String host = EndpointUtil.getHost(endpoint);
        return (host == null ? endpoint : host) + ":" + EndpointUtil.getPort(endpoint);
    }

    /** A validator that remembers whether it refused a certificate. */
    private static final class RecordingValidator implements CertificateValidator {
        private final CertificateValidator delegate;
        volatile boolean refused;

        RecordingValidator(CertificateValidator delegate) {
            this.delegate = delegate;
        }

        @Override
        public void validateCertificateChain(List<X509Certificate> chain, String applicationUri, String[] hostNames)
                throws UaException {
            try {
                delegate.validateCertificateChain(chain, applicationUri, hostNames);
            } catch (UaException | RuntimeException e) {
                refused = true;
                throw e;
            }
        }
    }

    static void disconnectQuietly(OpcUaClient client, java.time.Duration timeout) {
        try {
            client.disconnectAsync().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the peer is gone; the transport is closed either way
        }
    }

    private static SluiceException explain(RuntimeException e, EndpointDescription endpoint, OpcUaPki pki, ConnectionOptions o,
                                           OpcUaPki.Identity own, boolean gatewayRefusedServer) {
        long status = statusOf(e);
        String thumb = serverThumbprint(endpoint);
        if (CERTIFICATE_REFUSED.contains(status) && !gatewayRefusedServer && endpoint.getSecurityMode() != MessageSecurityMode.None) {
            return new SluiceException("the server at " + o.endpoint() + " refused the secure channel (" + statusName(status)
                    + "): it probably does not trust the gateway's certificate " + OpcUaPki.thumbprint(own.certificate())
                    + ". Export it with: sluice opcua cert export --pem --pki " + pki.root() + " and add it to the server's "
                    + "trusted certificates (many servers list it among their rejected certificates already)", true, e);
        }
        if (status == StatusCodes.Bad_SecurityChecksFailed || status == StatusCodes.Bad_CertificateUntrusted
                || (status == 0 && rootMessage(e).toLowerCase().contains("certificate"))) {
            if (!o.trustAll() && thumb != null && !trusted(pki, thumb)) {
                return new SluiceException("server certificate " + thumb + " of " + o.endpoint() + " is not trusted; it was "
                        + "copied to " + pki.rejected() + ". Check it, then accept it with: sluice opcua trust accept " + thumb
                        + " --pki " + pki.root(), true, e);
            }
        }
        if (status == StatusCodes.Bad_UserAccessDenied || status == StatusCodes.Bad_IdentityTokenInvalid
                || status == StatusCodes.Bad_IdentityTokenRejected) {
            return new SluiceException("the server refused the user identity (" + statusName(status) + ")", true, e);
        }
        return SluiceException.retryable("cannot open a session on " + o.endpoint() + ": " + rootMessage(e), e);
    }

    private static boolean trusted(OpcUaPki pki, String thumb) {
        try {
            return pki.list().stream().anyMatch(en -> en.state().equals("trusted") && en.thumbprint().equals(thumb));
        } catch (Exception ex) {
            return false;
        }
    }

    static String serverThumbprint(EndpointDescription endpoint) {
        ByteString der = endpoint.getServerCertificate();
        if (der == null || der.isNull() || der.length() == 0) return null;
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der.bytesOrEmpty()));
            return OpcUaPki.thumbprint(cert);
        } catch (Exception e) {
            return null;
        }
    }

    static long statusOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UaException ua) return ua.getStatusCode().value();
        }
        return 0;
    }

    static String statusName(long status) {
        return StatusCodes.lookup(status).map(s -> s[0]).orElse(String.format("0x%08X", status));
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    static EndpointDescription select(List<EndpointDescription> endpoints, ConnectionOptions o) {
        SecurityPolicy policy = policy(o.securityPolicy());
        MessageSecurityMode mode = mode(o.effectiveMode());
        UserTokenType token = o.username().isPresent() ? UserTokenType.UserName
                : o.userCertificate().isPresent() ? UserTokenType.Certificate : UserTokenType.Anonymous;
        Optional<EndpointDescription> match = endpoints.stream()
                .filter(e -> policy.getUri().equals(e.getSecurityPolicyUri()))
                .filter(e -> e.getSecurityMode() == mode)
                .filter(e -> e.getEndpointUrl() != null && e.getEndpointUrl().startsWith("opc.tcp://"))
                .filter(e -> tokens(e).anyMatch(t -> t.getTokenType() == token))
                .max(Comparator.comparing(e -> e.getSecurityLevel().intValue()));
        return match.orElseThrow(() -> SluiceException.permanent("the server at " + o.endpoint() + " offers no endpoint with "
                + "security-policy " + NodeAddress.canonicalPolicy(o.securityPolicy()) + ", security-mode "
                + OpcUaConnectorFactory.kebab(o.effectiveMode()) + " and a " + token + " user token; it offers: "
                + endpoints.stream().map(OpcUaClients::describe).distinct().collect(Collectors.joining("; "))));
    }

    private static Stream<UserTokenPolicy> tokens(EndpointDescription e) {
        UserTokenPolicy[] t = e.getUserIdentityTokens();
        return t == null ? Stream.empty() : Arrays.stream(t);
    }

    static String describe(EndpointDescription e) {
        String policy = SecurityPolicy.fromUriSafe(e.getSecurityPolicyUri()).map(Enum::name).orElse(e.getSecurityPolicyUri());
        return policy + "/" + e.getSecurityMode() + " " + tokens(e).map(t -> t.getTokenType().name()).distinct().toList();
    }

    private static IdentityProvider identity(ConnectionOptions o, CertificateValidator validator) throws Exception {
        if (o.username().isPresent()) {
            String password = o.password().map(io.sluice.spi.config.Secret::reveal).orElse("");
            return new UsernameProvider(o.username().get(), password, validator);
        }
        if (o.userCertificate().isPresent()) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(Files.newInputStream(Path.of(o.userCertificate().get())));
            PrivateKey key = readPkcs8(Path.of(o.userPrivateKey().orElseThrow()));
            return new X509IdentityProvider(cert, key);
        }
        return new AnonymousProvider();
    }

    private static PrivateKey readPkcs8(Path file) throws Exception {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        byte[] der;
        if (text.contains("-----BEGIN PRIVATE KEY-----")) {
            String b64 = text.substring(text.indexOf("-----BEGIN PRIVATE KEY-----") + 27, text.indexOf("-----END PRIVATE KEY-----"))
                    .replaceAll("\\s", "");
            der = Base64.getDecoder().decode(b64);
        } else if (text.contains("-----BEGIN")) {
            throw SluiceException.permanent("user-private-key " + file + " must be an unencrypted PKCS#8 key (BEGIN PRIVATE KEY)");
        } else {
            der = Files.readAllBytes(file);
        }
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    }
}
