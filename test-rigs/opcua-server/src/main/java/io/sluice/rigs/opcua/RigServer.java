package io.sluice.rigs.opcua;

import static org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig.USER_TOKEN_POLICY_ANONYMOUS;
import static org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig.USER_TOKEN_POLICY_USERNAME;
import static org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig.USER_TOKEN_POLICY_X509;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.eclipse.milo.opcua.sdk.server.EndpointConfig;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig;
import org.eclipse.milo.opcua.sdk.server.identity.AnonymousIdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.CompositeValidator;
import org.eclipse.milo.opcua.sdk.server.identity.IdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.UsernameIdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.X509IdentityValidator;
import org.eclipse.milo.opcua.stack.core.security.DefaultApplicationGroup;
import org.eclipse.milo.opcua.stack.core.security.DefaultCertificateManager;
import org.eclipse.milo.opcua.stack.core.security.MemoryCertificateQuarantine;
import org.eclipse.milo.opcua.stack.core.security.MemoryCertificateStore;
import org.eclipse.milo.opcua.stack.core.security.MemoryTrustListManager;
import org.eclipse.milo.opcua.stack.core.security.RsaSha256CertificateFactory;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.transport.TransportProfile;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.structured.BuildInfo;
import org.eclipse.milo.opcua.stack.core.types.structured.UserTokenPolicy;
import org.eclipse.milo.opcua.stack.transport.server.OpcServerTransport;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransport;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransportConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OPC UA simulation server on the Eclipse Milo server SDK, for tests, demos and benchmarks.
 *
 * <p>Address space (namespace {@value #NAMESPACE_URI}, string node ids equal to the paths below):
 * <pre>
 * Objects/Rig/Scalars/&lt;Type&gt;_&lt;i&gt;     every built-in scalar type, {@code scalarsPerType} each
 * Objects/Rig/Arrays/&lt;Type&gt;Array       Boolean, Int32, Double, String, Byte, UInt64 arrays of 5
 * Objects/Rig/Structures/Reading       a RigReading structure (temperature, pressure, count, label, ok)
 * Objects/Rig/Dynamic/Ramp             Double, the step counter (1, 2, 3, ...)
 * Objects/Rig/Dynamic/Analog           AnalogItemType Double, step % 100, EURange 0..100, EngineeringUnits °C
 * Objects/Rig/Load/Node_&lt;nnnnn&gt;        {@code loadNodes} Doubles for benchmarks
 * </pre>
 * Every node changes every {@code changeInterval} (or on {@link #advance(int)}); values follow {@link RigValues}.
 *
 * <p>Endpoints on {@code opc.tcp://<bind>:<port>/rig}: None, Basic256Sha256 (Sign, SignAndEncrypt),
 * Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss (SignAndEncrypt); anonymous (if allowed), username and X.509 user
 * tokens. Any client certificate is accepted (a lab rig). {@link #stop()} and {@link #start()} can be repeated; the
 * port, certificate and node values survive.
 *
 * <p>In-process use: {@code RigServer rig = RigServer.start(RigServerConfig.defaults()); ... rig.close();}
 */
public final class RigServer implements AutoCloseable {

    public static final String NAMESPACE_URI = "urn:sluice:rig";
    public static final String APPLICATION_URI = "urn:sluice:rig:opcua-server";
    public static final String PATH = "/rig";

    private static final Logger LOG = LoggerFactory.getLogger(RigServer.class);

    static {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }

    private final RigServerConfig config;
    private final int port;
    private final RigCertificates certificates;
    private final Map<String, Long> steps = new java.util.concurrent.ConcurrentHashMap<>();
    private OpcUaServer server;
    private RigNamespace namespace;
    private ScheduledExecutorService ticker;
    private long changesBeforeRestart;
    private volatile boolean refuseClientCertificates;
    private volatile PublishReorderingTransport reorderingTransport;

    private RigServer(RigServerConfig config) throws Exception {
        this.config = config;
        this.port = config.port() != 0 ? config.port() : freePort(config.bindAddress());
        Path dir = config.securityDir() != null ? config.securityDir() : Files.createTempDirectory("sluice-rig-opcua");
        this.certificates = RigCertificates.loadOrCreate(dir, config.bindAddress());
    }

    /** Creates and starts a server. */
    public static RigServer start(RigServerConfig config) throws Exception {
        RigServer rig = new RigServer(config);
        rig.start();
        return rig;
    }

    /** Starts (again) on the same port with the same certificate; node values continue where they were. */
    public synchronized void start() throws Exception {
        if (server != null) return;
        OpcUaServer s = new OpcUaServer(buildConfig(), profile -> {
            OpcServerTransport tcp = new OpcTcpServerTransport(OpcTcpServerTransportConfig.newBuilder().build());
            if (config.reorderPublishEvery() == 0) return tcp;
            PublishReorderingTransport reordering = new PublishReorderingTransport(tcp, config.reorderPublishEvery());
            reorderingTransport = reordering;
            return reordering;
        });
        RigNamespace ns = new RigNamespace(s, config);
        ns.startup();
        ns.nodesByPath().forEach((path, node) -> {
            Long step = steps.get(path);
            if (step != null) {
                node.stepTime = DateTime.now();
                node.step = step;
            }
        });
        s.startup().get(30, TimeUnit.SECONDS);
        server = s;
        namespace = ns;
        if (!config.changeInterval().isZero()) {
            long nanos = config.changeInterval().toNanos();
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "opcua-rig-ticker");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::safeTick, nanos, nanos, TimeUnit.NANOSECONDS);
        }
        LOG.info("OPC UA rig server listening on {}", endpointUrl());
    }

    /** Stops the server (closing every session and subscription); {@link #start()} brings it back. */
    public synchronized void stop() {
        if (server == null) return;
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
        namespace.nodesByPath().forEach((path, node) -> steps.put(path, node.step));
        changesBeforeRestart += namespace.changeCount();
        try {
            namespace.shutdown();
            server.shutdown().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("rig server shutdown: {}", e.toString());
        }
        server = null;
        namespace = null;
        LOG.info("OPC UA rig server stopped");
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Advances every node by {@code steps} changes right now (for tests with a static rig). */
    public void advance(int count) {
        RigNamespace ns = runningNamespace();
        for (int i = 0; i < count; i++) ns.tick();
    }

    private void safeTick() {
        try {
            RigNamespace ns = namespace;
            if (ns != null) ns.tick();
        } catch (RuntimeException e) {
            LOG.warn("rig tick failed: {}", e.toString());
        }
    }

    public String endpointUrl() {
        String host = config.bindAddress().equals("0.0.0.0") ? "127.0.0.1" : config.bindAddress();
        return "opc.tcp://" + host + ":" + port + PATH;
    }

    public int port() {
        return port;
    }

    public X509Certificate certificate() {
        return certificates.certificate;
    }

    /** Monitored items on the rig's Value attributes, over all sessions (duplicates show up here). */
    public int monitoredItemCount() {
        return runningNamespace().dataItemCount();
    }

    /** Monitored items on one node, e.g. {@code Rig/Dynamic/Ramp}. */
    public int monitoredItemCount(String path) {
        RigNamespace.RigNode n = runningNamespace().nodesByPath().get(path);
        if (n == null) throw new IllegalArgumentException("no rig node " + path);
        return n.items.size();
    }

    public int sessionCount() {
        OpcUaServer s = server;
        return s == null ? 0 : s.getSessionManager().getAllSessions().size();
    }

    /**
     * The MaxNotificationsPerPublish of every subscription on the server, as the server revised it from the client's
     * CreateSubscription (0 and values above its own limit become that limit, 65535 in Milo 1.1).
     */
    public List<Integer> subscriptionMaxNotificationsPerPublish() {
        OpcUaServer s = server;
        if (s == null) return List.of();
        return s.getSubscriptions().values().stream().map(sub -> sub.getMaxNotificationsPerPublish()).toList();
    }

    /** Publish requests the server holds, over all sessions (waiting for notifications or a keep-alive). */
    public int pendingPublishRequests() {
        OpcUaServer s = server;
        if (s == null) return 0;
        return s.getSessionManager().getAllSessions().stream()
                .mapToInt(session -> session.getSubscriptionManager().getPublishQueue().size()).sum();
    }

    /** The current value of a node, e.g. {@code Rig/Scalars/Int32_0}. */
    public DataValue value(String path) {
        RigNamespace.RigNode n = runningNamespace().nodesByPath().get(path);
        if (n == null) throw new IllegalArgumentException("no rig node " + path);
        return n.current();
    }

    /** The step counter of a node: 1 at start, +1 per change; its value is a function of it (see RigValues). */
    public long step(String path) {
        RigNamespace.RigNode n = runningNamespace().nodesByPath().get(path);
        if (n == null) throw new IllegalArgumentException("no rig node " + path);
        return n.step;
    }

    /** Every node path, in creation order. */
    public List<String> nodePaths() {
        return List.copyOf(runningNamespace().nodesByPath().keySet());
    }

    /** PublishResponses sent out of order by the reorder-publish fault injection (since the last start). */
    public long reorderedPublishResponses() {
        PublishReorderingTransport t = reorderingTransport;
        return t == null ? 0 : t.reorderedCount();
    }

    /** Node value changes made since the first start. */
    public long changeCount() {
        RigNamespace ns = namespace;
        return changesBeforeRestart + (ns == null ? 0 : ns.changeCount());
    }

    private RigNamespace runningNamespace() {
        RigNamespace ns = namespace;
        if (ns == null) throw new IllegalStateException("rig server is stopped");
        return ns;
    }

    /**
     * Makes the server refuse every client application certificate on secured endpoints (as a real server does with
     * a client it does not trust yet), or accept them all again (the default).
     */
    public void refuseClientCertificates(boolean refuse) {
        refuseClientCertificates = refuse;
    }

    @Override
    public void close() {
        stop();
    }

    private OpcUaServerConfig buildConfig() throws Exception {
        X509Certificate cert = certificates.certificate;
        KeyPair keyPair = certificates.keyPair;
        RsaSha256CertificateFactory factory = new RsaSha256CertificateFactory() {
            @Override
            protected KeyPair createRsaSha256KeyPair() {
                return keyPair;
            }

            @Override
            protected X509Certificate[] createRsaSha256CertificateChain(KeyPair kp) {
                return new X509Certificate[]{cert};
            }
        };
        MemoryCertificateQuarantine quarantine = new MemoryCertificateQuarantine();
        // A lab rig: every client application certificate is accepted, unless a test asks for the opposite.
        DefaultApplicationGroup group = DefaultApplicationGroup.createAndInitialize(
                new MemoryTrustListManager(), new MemoryCertificateStore(), factory, (chain, uri, hosts) -> {
                    if (refuseClientCertificates) {
                        throw new org.eclipse.milo.opcua.stack.core.UaException(
                                org.eclipse.milo.opcua.stack.core.StatusCodes.Bad_SecurityChecksFailed,
                                "client certificate not trusted by the rig");
                    }
                });
        DefaultCertificateManager certificateManager = new DefaultCertificateManager(quarantine, group);

        UsernameIdentityValidator users = new UsernameIdentityValidator(challenge -> {
            String expected = config.users().get(challenge.getUsername());
            return expected != null && expected.equals(challenge.getPassword());
        });
        X509IdentityValidator x509 = new X509IdentityValidator(c -> true);
        IdentityValidator identity = config.allowAnonymous()
                ? new CompositeValidator(AnonymousIdentityValidator.INSTANCE, users, x509)
                : new CompositeValidator(users, x509);

        return OpcUaServerConfig.builder()
                .setApplicationUri(APPLICATION_URI)
                .setApplicationName(LocalizedText.english("Sluice OPC UA rig server"))
                .setProductUri("urn:sluice:rig")
                .setBuildInfo(new BuildInfo("urn:sluice:rig", "sluice", "sluice opc ua rig", OpcUaServer.SDK_VERSION, "", DateTime.now()))
                .setEndpoints(endpoints(cert))
                .setCertificateManager(certificateManager)
                .setIdentityValidator(identity)
                .build();
    }

    private Set<EndpointConfig> endpoints(X509Certificate cert) {
        String host = config.bindAddress().equals("0.0.0.0") ? "127.0.0.1" : config.bindAddress();
        List<UserTokenPolicy> tokens = config.allowAnonymous()
                ? List.of(USER_TOKEN_POLICY_ANONYMOUS, USER_TOKEN_POLICY_USERNAME, USER_TOKEN_POLICY_X509)
                : List.of(USER_TOKEN_POLICY_USERNAME, USER_TOKEN_POLICY_X509);
        EndpointConfig.Builder base = EndpointConfig.newBuilder()
                .setTransportProfile(TransportProfile.TCP_UASC_UABINARY)
                .setBindAddress(config.bindAddress())
                .setBindPort(port)
                .setHostname(host)
                .setPath(PATH)
                .setCertificate(cert)
                .addTokenPolicies(tokens.toArray(UserTokenPolicy[]::new));
        Set<EndpointConfig> endpoints = new LinkedHashSet<>();
        endpoints.add(base.copy().setSecurityPolicy(SecurityPolicy.None).setSecurityMode(MessageSecurityMode.None).build());
        endpoints.add(base.copy().setSecurityPolicy(SecurityPolicy.Basic256Sha256).setSecurityMode(MessageSecurityMode.Sign).build());
        endpoints.add(base.copy().setSecurityPolicy(SecurityPolicy.Basic256Sha256).setSecurityMode(MessageSecurityMode.SignAndEncrypt).build());
        endpoints.add(base.copy().setSecurityPolicy(SecurityPolicy.Aes128_Sha256_RsaOaep).setSecurityMode(MessageSecurityMode.SignAndEncrypt).build());
        endpoints.add(base.copy().setSecurityPolicy(SecurityPolicy.Aes256_Sha256_RsaPss).setSecurityMode(MessageSecurityMode.SignAndEncrypt).build());
        endpoints.add(base.copy().setPath(PATH + "/discovery").setSecurityPolicy(SecurityPolicy.None)
                .setSecurityMode(MessageSecurityMode.None).build());
        return endpoints;
    }

    private static int freePort(String bindAddress) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(bindAddress.equals("0.0.0.0") ? "127.0.0.1" : bindAddress))) {
            return socket.getLocalPort();
        }
    }
}
