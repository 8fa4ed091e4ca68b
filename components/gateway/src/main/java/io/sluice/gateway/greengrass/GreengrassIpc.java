package io.sluice.gateway.greengrass;

import io.sluice.spi.SluiceException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.aws.greengrass.GreengrassCoreIPCClient;
import software.amazon.awssdk.aws.greengrass.GreengrassCoreIPCClientV2;
import software.amazon.awssdk.crt.CRT;
import software.amazon.awssdk.crt.io.ClientBootstrap;
import software.amazon.awssdk.crt.io.EventLoopGroup;
import software.amazon.awssdk.crt.io.SocketOptions;
import software.amazon.awssdk.eventstreamrpc.EventStreamRPCConnection;
import software.amazon.awssdk.eventstreamrpc.EventStreamRPCConnectionConfig;
import software.amazon.awssdk.eventstreamrpc.GreengrassConnectMessageSupplier;

/**
 * The component's one IPC connection to the Greengrass nucleus, shared by configuration handling, state reports
 * and the IoT Core / local pub/sub destinations.
 *
 * <p>It connects over the Unix domain socket named by {@code AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT}
 * with the {@code SVCUID} token, and reconnects in the background (backoff 1 s doubling to 30 s) when the nucleus
 * drops the connection; {@link #onReconnect} listeners then re-establish subscriptions. Calls made while
 * disconnected fail fast with a retryable {@link SluiceException}.
 */
public final class GreengrassIpc implements AutoCloseable {

    public static final String ENV_SOCKET = "AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT";
    public static final String ENV_SVCUID = "SVCUID";

    private static final Logger LOG = LoggerFactory.getLogger(GreengrassIpc.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** The eventstream RPC client ignores the port for Unix domain sockets; the SDK passes 8888. */
    private static final int UNUSED_PORT = 8888;

    private static GreengrassIpc shared;

    private final String socketPath;
    private final String authToken;
    private final EventLoopGroup eventLoopGroup;
    private final ClientBootstrap bootstrap;
    private final SocketOptions socketOptions;
    private final ExecutorService callbacks;
    private final ScheduledExecutorService reconnector;
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger generation = new AtomicInteger();

    private volatile EventStreamRPCConnection connection;
    private volatile GreengrassCoreIPCClientV2 client;
    private volatile boolean connected;
    private volatile boolean closed;

    private GreengrassIpc(String socketPath, String authToken) {
        this.socketPath = Objects.requireNonNull(socketPath, "socket path");
        this.authToken = Objects.requireNonNull(authToken, "auth token");
        // The CRT tears its native side down in a JVM shutdown hook of its own, which runs at the same time as ours.
        // Holding a shutdown reference keeps the IPC connection usable until close(), so a SIGTERM can still let
        // in-flight publishes settle while the gateway stops.
        CRT.acquireShutdownRef();
        this.eventLoopGroup = new EventLoopGroup(1);
        this.bootstrap = new ClientBootstrap(eventLoopGroup, null);
        this.socketOptions = new SocketOptions();
        socketOptions.connectTimeoutMs = 3000;
        socketOptions.domain = SocketOptions.SocketDomain.LOCAL;
        socketOptions.type = SocketOptions.SocketType.STREAM;
        this.callbacks = Executors.newCachedThreadPool(daemon("greengrass-ipc-callback"));
        this.reconnector = Executors.newSingleThreadScheduledExecutor(daemon("greengrass-ipc-reconnect"));
    }

    /**
     * Connects, trying again with backoff until {@code timeout} has passed (the nucleus may still be starting its
     * IPC server when it launches the component).
     */
    public static GreengrassIpc connect(String socketPath, String authToken, Duration timeout) throws IOException {
        GreengrassIpc ipc = new GreengrassIpc(socketPath, authToken);
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration backoff = Duration.ofMillis(250);
        while (true) {
            try {
                ipc.open();
                return ipc;
            } catch (IOException e) {
                if (System.nanoTime() + backoff.toNanos() > deadline) {
                    ipc.close();
                    throw new IOException("cannot connect to the Greengrass nucleus IPC socket " + socketPath + ": "
                            + e.getMessage(), e);
                }
                LOG.warn("IPC connection to {} failed ({}); retrying in {} ms", socketPath, e.getMessage(), backoff.toMillis());
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    ipc.close();
                    throw new IOException("interrupted while connecting to the nucleus", ie);
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Connects with the socket path and token the nucleus put in the component's environment. */
    public static GreengrassIpc connect(Map<String, String> env, Duration timeout) throws IOException {
        String socket = env.get(ENV_SOCKET);
        String token = env.get(ENV_SVCUID);
        if (socket == null || socket.isBlank() || token == null || token.isBlank()) {
            throw new IOException("not running under the Greengrass nucleus: " + ENV_SOCKET + " and " + ENV_SVCUID
                    + " must both be set");
        }
        return connect(socket, token, timeout);
    }

    /** Makes {@code ipc} the connection the destinations use (see {@link #shared()}). */
    public static synchronized void install(GreengrassIpc ipc) {
        shared = ipc;
    }

    /** Forgets the installed connection if it is {@code ipc}. */
    public static synchronized void uninstall(GreengrassIpc ipc) {
        if (shared == ipc) {
            shared = null;
        }
    }

    /**
     * The connection the Greengrass destinations use: the one {@link GreengrassMode} installed, or, when a
     * Greengrass destination is used in a gateway started some other way under the nucleus, one opened from the
     * process environment on first use (closed when the JVM exits).
     */
    public static synchronized GreengrassIpc shared() {
        if (shared == null || shared.closed) {
            try {
                GreengrassIpc ipc = connect(System.getenv(), Duration.ofSeconds(10));
                Runtime.getRuntime().addShutdownHook(new Thread(ipc::close, "greengrass-ipc-close"));
                shared = ipc;
            } catch (IOException e) {
                throw new SluiceException(e.getMessage(), true, e);
            }
        }
        return shared;
    }

    private void open() throws IOException {
        int gen = generation.incrementAndGet();
        EventStreamRPCConnectionConfig config = new EventStreamRPCConnectionConfig(bootstrap, eventLoopGroup,
                socketOptions, null, socketPath, UNUSED_PORT,
                GreengrassConnectMessageSupplier.connectMessageSupplier(authToken));
        EventStreamRPCConnection conn = new EventStreamRPCConnection(config);
        CompletableFuture<Void> up = new CompletableFuture<>();
        try {
            conn.connect(new EventStreamRPCConnection.LifecycleHandler() {
                @Override
                public void onConnect() {
                    up.complete(null);
                }

                @Override
                public void onDisconnect(int errorCode) {
                    if (generation.get() == gen) {
                        disconnected("connection closed (CRT error code " + errorCode + ")");
                    }
                }

                @Override
                public boolean onError(Throwable t) {
                    up.completeExceptionally(t);
                    return true;
                }
            });
        } catch (RuntimeException e) {
            conn.close();
            throw new IOException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        try {
            up.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            conn.close();
            throw new IOException("interrupted while connecting", e);
        } catch (ExecutionException | TimeoutException e) {
            conn.close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        }
        GreengrassCoreIPCClientV2 v2 = GreengrassCoreIPCClientV2.builder()
                .withClient(new GreengrassCoreIPCClient(conn))
                .withExecutor(callbacks)
                .build();
        this.connection = conn;
        this.client = v2;
        this.connected = true;
        LOG.info("connected to the Greengrass nucleus over IPC ({})", socketPath);
    }

    private void disconnected(String reason) {
        if (closed || !connected) {
            return;
        }
        connected = false;
        LOG.warn("IPC connection to the Greengrass nucleus lost: {}; reconnecting", reason);
        scheduleReconnect(Duration.ofSeconds(1));
    }

    private void scheduleReconnect(Duration delay) {
        if (closed) {
            return;
        }
        reconnector.schedule(() -> {
            if (closed || connected) {
                return;
            }
            EventStreamRPCConnection old = connection;
            if (old != null) {
                old.close();
            }
            try {
                open();
            } catch (IOException e) {
                Duration next = delay.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : delay.multipliedBy(2);
                LOG.warn("IPC reconnect failed ({}); next attempt in {} s", e.getMessage(), next.toSeconds());
                scheduleReconnect(next);
                return;
            }
            for (Runnable listener : reconnectListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.error("IPC reconnect listener failed", e);
                }
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code listener} after every successful reconnect (not after the first connect). */
    public void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    public boolean isConnected() {
        return connected && !closed;
    }

    /** The client; throws a retryable {@link SluiceException} while disconnected. */
    public GreengrassCoreIPCClientV2 client() {
        GreengrassCoreIPCClientV2 c = client;
        if (closed) {
            throw new SluiceException("the Greengrass IPC connection is closed", true); // stopping: the data waits
        }
        if (!connected || c == null) {
            throw new SluiceException("not connected to the Greengrass nucleus (reconnecting)", true);
        }
        return c;
    }

    /**
     * Starts an asynchronous call; a call that cannot even start (no connection, a closed stream) becomes a failed
     * future, and one the nucleus never answers fails after {@code timeout}.
     */
    public <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> call, Duration timeout) {
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        connected = false;
        uninstall(this);
        reconnector.shutdownNow();
        EventStreamRPCConnection conn = connection;
        if (conn != null) {
            try {
                conn.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the IPC connection failed: {}", e.toString());
            }
        }
        callbacks.shutdown();
        socketOptions.close();
        bootstrap.close();
        eventLoopGroup.close();
        CRT.releaseShutdownRef();
        LOG.info("IPC connection to the Greengrass nucleus closed");
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
