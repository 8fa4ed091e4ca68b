package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.AdminConfig;
import io.sluice.spi.SluiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's local admin endpoint on an embedded Jetty 12 (core handlers, no servlets): {@code /metrics},
 * {@code /health/live}, {@code /health/ready}, {@code /api/v1/status}, live tails, dead letters, the web console from
 * the classpath, and every {@link AdminRoutes} contribution on the class path. docs/admin-api.md describes the API.
 *
 * <p>It cannot slow ingest: it has its own small thread pool ({@value #MAX_THREADS} threads) and at most
 * {@value #MAX_CONNECTIONS} connections,
 * reads the store through reader connections, and serves tails from its own thread (see {@link StreamTails}).
 * It never listens beyond loopback without authentication (the config is refused, and checked here again).
 *
 * <p>While it runs, {@code <data>/admin.json} says where it listens and how to authenticate, so
 * {@code sluice status} finds it; the file is removed when it stops.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /** The file in the data directory that tells clients where the endpoint listens. */
    public static final String ADDRESS_FILE = "admin.json";
    static final int MAX_THREADS = 10;
    /** Connections open at once; more wait in the accept queue. */
    static final int MAX_CONNECTIONS = 64;

    private final Gateway gateway;
    private final AdminConfig config;
    private final Server server;
    private final ServerConnector connector;
    private final ScheduledExecutorService background;
    private final ExecutorService probe;
    private final StreamTails tails;
    private final AdminAddress address;
    private final Path addressFile;

    private AdminServer(Gateway gateway, AdminConfig config, Server server, ServerConnector connector,
                        ScheduledExecutorService background, ExecutorService probe, StreamTails tails, AdminAddress address) {
        this.gateway = gateway;
        this.config = config;
        this.server = server;
        this.connector = connector;
        this.background = background;
        this.probe = probe;
        this.tails = tails;
        this.address = address;
        this.addressFile = gateway.dataDirectory().resolve(ADDRESS_FILE);
    }

    /**
     * Starts the endpoint for a running gateway as its config's {@code admin} section says, or returns null when
     * it is {@code off} or cannot listen (the port is taken: logged as an error, the gateway runs on). A listen
     * address beyond loopback without authentication, or a token that cannot be written, fails with a
     * {@link SluiceException}. {@code metrics} must be the registry the gateway was started with.
     */
    public static AdminServer start(Gateway gateway, AdminMetrics metrics) {
        AdminConfig config = gateway.config().admin();
        Path dataDir = gateway.dataDirectory();
        try {
            Files.deleteIfExists(dataDir.resolve(ADDRESS_FILE));
        } catch (IOException e) {
            log.debug("cannot remove a stale {}", ADDRESS_FILE, e);
        }
        if (config.off()) {
            log.info("admin endpoint off (admin.listen: off)");
            return null;
        }
        if (config.authenticates() == false && !AdminConfig.isLoopback(config.host())) {
            throw new SluiceException("admin endpoint: refusing to listen on " + config.listen() + " without authentication", false);
        }
        AdminToken token = null;
        if (config.usesToken()) {
            try {
                token = AdminToken.loadOrCreate(dataDir);
            } catch (IOException e) {
                throw new SluiceException("admin endpoint: cannot create or read " + dataDir.resolve(AdminToken.FILE) + ": " + e.getMessage(), false, e);
            }
        }
        metrics.bindDataDisk(dataDir);

        QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, 2);
        pool.setName("sluice-admin");
        pool.setDaemon(true);
        Server server = new Server(pool);
        ServerConnector connector;
        if (config.tls().isPresent()) {
            AdminConfig.AdminTls tls = config.tls().get();
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(tls.keyStore());
            ssl.setKeyStorePassword(tls.keyStorePassword().reveal());
            tls.clientTrustStore().ifPresent(ssl::setTrustStorePath);
            tls.clientTrustStorePassword().ifPresent(p -> ssl.setTrustStorePassword(p.reveal()));
            if (config.auth() == AdminConfig.Auth.MUTUAL_TLS) ssl.setNeedClientAuth(true);
            connector = new ServerConnector(server, 1, 1, ssl);
        } else {
            connector = new ServerConnector(server, 1, 1);
        }
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(30_000);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));

        ScheduledExecutorService background = Executors.newScheduledThreadPool(1, daemon("sluice-admin-tail"));
        ExecutorService probe = Executors.newSingleThreadExecutor(daemon("sluice-admin-probe"));
        ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        StreamTails tails = new StreamTails(gateway.store(), background, config.maxTails(), config.tailBuffer());
        DrainRates rates = new DrainRates();
        HealthChecks health = new HealthChecks(gateway, config.readyFailingAfter(), probe);
        AdminHandler handler = new AdminHandler(json, token, config.tls().isPresent());
        AdminContext context = new AdminContext() {
            public Gateway gateway() { return gateway; }
            public AdminConfig config() { return config; }
            public ObjectMapper json() { return json; }
        };
        new CoreRoutes(metrics, new StatusDocument(gateway, rates, health, json), health, tails, new DeadLetters(gateway, json))
                .register(handler, context);
        for (AdminRoutes contribution : ServiceLoader.load(AdminRoutes.class)) contribution.register(handler, context);
        server.setHandler(handler);

        try {
            server.start();
        } catch (Exception e) {
            // the gateway's data matters more than its admin endpoint: it keeps running without one
            shutdown(server, background, probe);
            log.error("admin endpoint: cannot listen on {}: {}; the gateway runs without it (set admin.listen to a free port, or off)",
                    config.listen(), oneLine(e));
            log.debug("admin endpoint start failure", e);
            return null;
        }
        background.scheduleWithFixedDelay(() -> {
            try {
                rates.sample(System.currentTimeMillis(), gateway.store().stats());
            } catch (RuntimeException e) {
                log.debug("drain-rate sample failed", e);
            }
        }, 0, 1, TimeUnit.SECONDS);

        String scheme = config.tls().isPresent() ? "https" : "http";
        String host = config.host();
        if (host.equals("0.0.0.0") || host.equals("::")) host = "127.0.0.1";
        if (host.contains(":")) host = "[" + host + "]";
        String url = scheme + "://" + host + ":" + connector.getLocalPort();
        String auth = !config.authenticates() ? "none" : config.usesToken() ? "token" : "mutual-tls";
        AdminAddress address = new AdminAddress(url, auth, config.usesToken() ? dataDir.resolve(AdminToken.FILE).toString() : null,
                ProcessHandle.current().pid());
        AdminServer admin = new AdminServer(gateway, config, server, connector, background, probe, tails, address);
        try {
            address.write(dataDir.resolve(ADDRESS_FILE), json);
        } catch (IOException e) {
            log.warn("cannot write {}: {} (sluice status reads status.json instead)", dataDir.resolve(ADDRESS_FILE), e.getMessage());
        }
        log.info("admin endpoint on {} (auth: {}{})", url, auth,
                config.usesToken() ? ", token in " + dataDir.resolve(AdminToken.FILE) : "");
        return admin;
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:9180}. */
    public String url() {
        return address.url();
    }

    public AdminAddress address() {
        return address;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Live tails open now. */
    public int openTails() {
        return tails.open();
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(addressFile);
        } catch (IOException e) {
            log.debug("cannot remove {}", addressFile, e);
        }
        tails.close();
        shutdown(server, background, probe);
        log.info("admin endpoint stopped");
    }

    private static void shutdown(Server server, ScheduledExecutorService background, ExecutorService probe) {
        try {
            server.setStopTimeout(2000);
            server.stop();
        } catch (Exception e) {
            log.debug("admin endpoint did not stop cleanly", e);
        }
        background.shutdownNow();
        probe.shutdownNow();
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !m.contains(cause.getMessage())) m += ": " + cause.getMessage();
        return m.replaceAll("\\s*\\R\\s*", " ");
    }
}
