package io.sluice.gateway.greengrass;

import io.sluice.spi.SluiceException;
import io.sluice.support.Backoff;
import io.sluice.support.Lifecycle;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
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
 * The component's one IPC connection to the Greengrass nucleus, used by configuration handling, state reports
 * and the IoT Core / local pub/sub destinations. Whoever connects it owns it and closes it: {@link GreengrassMode}
 * hands it to the gateway's destinations as a {@link io.sluice.spi.destination.GatewayServices service}.
 *
 * <p>It connects over the Unix domain socket named by {@code AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT}
 * with the {@code SVCUID} token, and reconnects in the background (the shared {@link Backoff}, 1 s doubling to 30 s)
 * when the nucleus drops the connection; {@link #onReconnect} listeners then re-establish subscriptions. Calls made
 * while disconnected fail fast with a retryable {@link SluiceException}. Its session moves through
 * {@link IpcSessionState} ({@link #state()}).
 */
public final class GreengrassIpc implements AutoCloseable {

    public static final String ENV_SOCKET = "AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT";
    public static final String ENV_SVCUID = "SVCUID";

    private static final Logger LOG = LoggerFactory.getLogger(GreengrassIpc.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** The eventstream RPC client ignores the port for Unix domain sockets; the SDK passes 8888. */
    private static final int UNUSED_PORT = 8888;

    private final String socketPath;
    private final String authToken;
    private final EventLoopGroup eventLoopGroup;
    private final ClientBootstrap bootstrap;
    private final SocketOptions socketOptions;
    private final ExecutorService callbacks;
    private final ScheduledExecutorService reconnector;
    private volatile Thread reconnectThread;
    /** Used on the reconnector thread only. */
    private final Backoff reconnectBackoff = new Backoff(Duration.ofSeconds(1), MAX_BACKOFF);
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger generation = new AtomicInteger();

    private volatile EventStreamRPCConnection connection;
    /** Completes when the current connection, once up, has gone down. */
    private volatile CompletableFuture<Void> connectionDown = CompletableFuture.completedFuture(null);
    private volatile GreengrassCoreIPCClientV2 client;
    private final Lifecycle<IpcSessionState> session = new Lifecycle<>("the Greengrass IPC session", IpcSessionState.CONNECTING);

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
        ThreadFactory reconnectThreads = daemon("greengrass-ipc-reconnect");
        this.reconnector = Executors.newSingleThreadScheduledExecutor(r -> reconnectThread = reconnectThreads.newThread(r));
    }

    /** One try at something that may fail with an {@link IOException}. */
    @FunctionalInterface
    interface Attempt {
        void run() throws IOException;
    }

    /** Waits; the connect loop's sleep, replaced in tests by one that moves a fake clock. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration wait) throws InterruptedException;
    }

    /**
     * Connects, trying again with backoff until {@code timeout} has passed (the nucleus may still be starting its
     * IPC server when it launches the component).
     */
    public static GreengrassIpc connect(String socketPath, String authToken, Duration timeout) throws IOException {
        GreengrassIpc ipc = new GreengrassIpc(socketPath, authToken);
        try {
            retryUntil(ipc::open, timeout, new Backoff(Duration.ofMillis(250), MAX_BACKOFF), System::nanoTime,
                    wait -> Thread.sleep(wait.toMillis()), socketPath);
            return ipc;
        } catch (IOException e) {
            ipc.close();
            throw e;
        }
    }

    /**
     * Runs {@code attempt} until it succeeds, waiting {@code backoff}'s steps between tries; gives up, with the last
     * failure, when the next wait would end after {@code timeout} (measured on {@code nanoTime}).
     */
    static void retryUntil(Attempt attempt, Duration timeout, Backoff backoff, LongSupplier nanoTime, Sleeper sleeper,
                           String socketPath) throws IOException {
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        while (true) {
            try {
                attempt.run();
                return;
            } catch (IOException e) {
                Duration wait = backoff.next();
                if (nanoTime.getAsLong() + wait.toNanos() > deadline) {
                    throw new IOException("cannot connect to the Greengrass nucleus IPC socket " + socketPath + ": "
                            + e.getMessage(), e);
                }
                if (backoff.failures() == 1) {
                    LOG.warn("IPC connection to {} failed ({}); trying again with backoff for up to {} s", socketPath,
                            e.getMessage(), timeout.toSeconds());
                } else {
                    LOG.debug("IPC connection attempt {} to {} failed ({}); next in {} ms", backoff.failures(), socketPath,
                            e.getMessage(), wait.toMillis());
                }
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while connecting to the nucleus", ie);
                }
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

    /** Where the session is: connecting, connected, reconnecting or closed. */
    public IpcSessionState state() {
        return session.state();
    }

    private void open() throws IOException {
        int gen = generation.incrementAndGet();
        EventStreamRPCConnectionConfig config = new EventStreamRPCConnectionConfig(bootstrap, eventLoopGroup,
                socketOptions, null, socketPath, UNUSED_PORT,
                GreengrassConnectMessageSupplier.connectMessageSupplier(authToken));
        EventStreamRPCConnection conn = new EventStreamRPCConnection(config);
        CompletableFuture<Void> up = new CompletableFuture<>();
        CompletableFuture<Void> down = new CompletableFuture<>();
        try {
            conn.connect(new EventStreamRPCConnection.LifecycleHandler() {
                @Override
                public void onConnect() {
                    up.complete(null);
                }

                @Override
                public void onDisconnect(int errorCode) {
                    down.complete(null);
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
        this.connectionDown = down;
        this.client = v2;
        if (!session.moveFrom(IpcSessionState.CONNECTING, IpcSessionState.CONNECTED)
                && !session.moveFrom(IpcSessionState.RECONNECTING, IpcSessionState.CONNECTED)) {
            conn.close(); // closed meanwhile: close() releases the native side once this connection is down
            awaitQuietly(() -> down.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS) == null, "the IPC connection to close");
            throw new IOException("the IPC connection was closed while connecting");
        }
        LOG.info("connected to the Greengrass nucleus over IPC ({})", socketPath);
    }

    private void disconnected(String reason) {
        if (!session.moveFrom(IpcSessionState.CONNECTED, IpcSessionState.RECONNECTING)) {
            return; // closing, or already reconnecting
        }
        LOG.warn("IPC connection to the Greengrass nucleus lost: {}; reconnecting", reason);
        try {
            reconnector.execute(this::scheduleReconnect);
        } catch (RejectedExecutionException closing) {
            // close() came first
        }
    }

    /** On the reconnector thread: the next attempt after the backoff's next wait. */
    private void scheduleReconnect() {
        if (!session.isAnyOf(IpcSessionState.RECONNECTING)) {
            return;
        }
        Duration wait = reconnectBackoff.next();
        try {
            reconnector.schedule(this::reconnect, wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // close() came first
        }
    }

    private void reconnect() {
        if (!session.isAnyOf(IpcSessionState.RECONNECTING)) {
            return;
        }
        EventStreamRPCConnection old = connection;
        if (old != null) {
            old.close();
        }
        try {
            open();
        } catch (IOException e) {
            if (reconnectBackoff.failures() == 1) {
                LOG.warn("IPC reconnect failed ({}); trying again with backoff up to every {} s, logged again once "
                        + "connected", e.getMessage(), MAX_BACKOFF.toSeconds());
            } else {
                LOG.debug("IPC reconnect attempt {} failed: {}", reconnectBackoff.failures(), e.getMessage());
            }
            scheduleReconnect();
            return;
        }
        reconnectBackoff.reset();
        for (Runnable listener : reconnectListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.error("IPC reconnect listener failed", e);
            }
        }
    }

    /** Runs {@code listener} after every successful reconnect (not after the first connect). */
    public void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    public boolean isConnected() {
        return session.isAnyOf(IpcSessionState.CONNECTED);
    }

    /** The client; throws a retryable {@link SluiceException} while disconnected. */
    public GreengrassCoreIPCClientV2 client() {
        GreengrassCoreIPCClientV2 c = client;
        IpcSessionState now = session.state();
        if (now == IpcSessionState.CLOSED) {
            throw new SluiceException("the Greengrass IPC connection is closed", true); // stopping: the data waits
        }
        if (now != IpcSessionState.CONNECTED || c == null) {
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

    /**
     * Closes the connection and releases the CRT's native resources. A reconnect in progress ends first, and the
     * connection is down before its bootstrap and event loop are released: releasing them under a connection that is
     * still closing, or while a reconnect is using them, touches freed native memory.
     */
    @Override
    public void close() {
        if (!session.moveIfAllowed(IpcSessionState.CLOSED)) {
            return; // closed already
        }
        reconnector.shutdownNow();
        if (Thread.currentThread() != reconnectThread) {
            awaitQuietly(() -> reconnector.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS), "the reconnect to end");
        }
        EventStreamRPCConnection conn = connection;
        if (conn != null) {
            try {
                conn.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the IPC connection failed: {}", e.toString());
            }
            awaitQuietly(() -> connectionDown.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS) == null,
                    "the IPC connection to close");
        }
        callbacks.shutdown();
        socketOptions.close();
        bootstrap.close();
        eventLoopGroup.close();
        awaitQuietly(() -> eventLoopGroup.getShutdownCompleteFuture().get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS) == null,
                "the IPC event loop to stop");
        CRT.releaseShutdownRef();
        LOG.info("IPC connection to the Greengrass nucleus closed");
    }

    /** A bounded wait during close; a wait that ends otherwise is logged and close goes on. */
    @FunctionalInterface
    private interface Wait {
        boolean done() throws Exception;
    }

    private static void awaitQuietly(Wait wait, String what) {
        try {
            if (!wait.done()) {
                LOG.debug("closing IPC: gave up waiting for {}", what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("closing IPC: gave up waiting for {}: {}", what, e.toString());
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
