package io.sluice.rigs.greengrass;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.aws.greengrass.GreengrassCoreIPCServiceModel;
import software.amazon.awssdk.aws.greengrass.model.ConfigurationUpdateEvent;
import software.amazon.awssdk.aws.greengrass.model.ConfigurationValidityReport;
import software.amazon.awssdk.aws.greengrass.model.SendConfigurationValidityReportRequest;
import software.amazon.awssdk.aws.greengrass.model.SendConfigurationValidityReportResponse;
import software.amazon.awssdk.aws.greengrass.model.SubscribeToValidateConfigurationUpdatesRequest;
import software.amazon.awssdk.aws.greengrass.model.SubscribeToValidateConfigurationUpdatesResponse;
import software.amazon.awssdk.aws.greengrass.model.ValidateConfigurationUpdateEvent;
import software.amazon.awssdk.aws.greengrass.model.ValidateConfigurationUpdateEvents;
import software.amazon.awssdk.aws.greengrass.model.ConfigurationUpdateEvents;
import software.amazon.awssdk.aws.greengrass.model.GetConfigurationRequest;
import software.amazon.awssdk.aws.greengrass.model.GetConfigurationResponse;
import software.amazon.awssdk.aws.greengrass.model.InvalidArgumentsError;
import software.amazon.awssdk.aws.greengrass.model.PublishMessage;
import software.amazon.awssdk.aws.greengrass.model.PublishToIoTCoreRequest;
import software.amazon.awssdk.aws.greengrass.model.PublishToIoTCoreResponse;
import software.amazon.awssdk.aws.greengrass.model.PublishToTopicRequest;
import software.amazon.awssdk.aws.greengrass.model.PublishToTopicResponse;
import software.amazon.awssdk.aws.greengrass.model.QOS;
import software.amazon.awssdk.aws.greengrass.model.ResourceNotFoundError;
import software.amazon.awssdk.aws.greengrass.model.ServiceError;
import software.amazon.awssdk.aws.greengrass.model.SubscribeToConfigurationUpdateRequest;
import software.amazon.awssdk.aws.greengrass.model.SubscribeToConfigurationUpdateResponse;
import software.amazon.awssdk.aws.greengrass.model.UnauthorizedError;
import software.amazon.awssdk.aws.greengrass.model.UpdateStateRequest;
import software.amazon.awssdk.aws.greengrass.model.UpdateStateResponse;
import software.amazon.awssdk.crt.eventstream.Header;
import software.amazon.awssdk.crt.eventstream.MessageFlags;
import software.amazon.awssdk.crt.eventstream.MessageType;
import software.amazon.awssdk.crt.eventstream.ServerConnection;
import software.amazon.awssdk.crt.eventstream.ServerConnectionContinuation;
import software.amazon.awssdk.crt.eventstream.ServerConnectionContinuationHandler;
import software.amazon.awssdk.crt.eventstream.ServerConnectionHandler;
import software.amazon.awssdk.crt.eventstream.ServerListener;
import software.amazon.awssdk.crt.eventstream.ServerListenerHandler;
import software.amazon.awssdk.crt.io.EventLoopGroup;
import software.amazon.awssdk.crt.io.ServerBootstrap;
import software.amazon.awssdk.crt.io.SocketOptions;
import software.amazon.awssdk.eventstreamrpc.Version;
import software.amazon.awssdk.eventstreamrpc.model.EventStreamJsonMessage;

/**
 * A stand-in for the AWS IoT Greengrass v2 nucleus IPC server, for tests and demos. It listens on a Unix domain
 * socket and speaks the real eventstream RPC protocol (the CRT's eventstream framing, the {@code :version} and
 * {@code authToken} connect handshake, {@code :content-type: application/json} payloads shaped by the
 * {@code aws.greengrass} service model), so the real {@code GreengrassCoreIPCClientV2} connects to it unchanged.
 *
 * <p>Implemented operations: {@code GetConfiguration}, {@code SubscribeToConfigurationUpdate} (the test pushes
 * deployments with {@link #replaceConfiguration} / {@link #mergeConfiguration}; subscribers get one event per
 * changed leaf key path, as from the nucleus), {@code SubscribeToValidateConfigurationUpdates} and
 * {@code SendConfigurationValidityReport} (a deployment pushed with {@link #deploy} is validated by the component
 * first and fails when it is rejected), {@code UpdateState}, {@code PublishToIoTCore} and {@code PublishToTopic},
 * both checked against optional access-control topic filters as the nucleus checks a recipe's
 * {@code accessControl}. Every other operation is answered as unsupported. Every request is recorded
 * ({@link #calls()}).
 *
 * <pre>{@code
 * try (GreengrassIpcStandIn nucleus = GreengrassIpcStandIn.builder().componentName("io.sluice.Gateway")
 *         .configuration(Map.of("streams", Map.of())).start()) {
 *     Map<String, String> env = nucleus.componentEnvironment(); // SVCUID, socket path, region, thing name
 *     ...
 * }
 * }</pre>
 */
public final class GreengrassIpcStandIn implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GreengrassIpcStandIn.class);

    private static final String CONTENT_TYPE = ":content-type";
    private static final String MODEL_TYPE = "service-model-type";
    private static final String VERSION_HEADER = ":version";
    private static final String JSON = "application/json";

    private final GreengrassCoreIPCServiceModel model = GreengrassCoreIPCServiceModel.getInstance();
    private final Path socketPath;
    private final String authToken;
    private final String componentName;
    private final String thingName;
    private final String region;
    private final Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
    private volatile TopicFilters iotCoreFilters;
    private volatile TopicFilters pubSubFilters;
    private final AtomicInteger failNextIoTCorePublishes = new AtomicInteger();
    private volatile Duration stateReportDelay = Duration.ZERO;

    private final List<IpcCall> calls = new CopyOnWriteArrayList<>();
    private final List<ConnectAttempt> connects = new CopyOnWriteArrayList<>();
    private final List<IoTCorePublish> iotCorePublishes = new CopyOnWriteArrayList<>();
    private final List<TopicPublish> topicPublishes = new CopyOnWriteArrayList<>();
    private final List<String> states = new CopyOnWriteArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final List<Operation> validators = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<ConfigurationValidityReport>> pendingValidations = new ConcurrentHashMap<>();
    private final List<DeploymentResult> deployments = new CopyOnWriteArrayList<>();
    private volatile ComponentRun component;
    private final List<Connection> openConnections = new CopyOnWriteArrayList<>();
    private final AtomicInteger connectionCounter = new AtomicInteger();

    private final EventLoopGroup eventLoopGroup;
    private final ServerBootstrap bootstrap;
    private final SocketOptions socketOptions;
    private final ServerListener listener;

    private record Subscription(int connection, Operation stream, String component, List<String> keyPath) {}

    private GreengrassIpcStandIn(Builder b) throws IOException {
        this.socketPath = b.socketPath;
        this.authToken = b.authToken;
        this.componentName = b.componentName;
        this.thingName = b.thingName;
        this.region = b.region;
        this.iotCoreFilters = b.iotCoreTopics == null ? null : new TopicFilters(b.iotCoreTopics);
        this.pubSubFilters = b.pubSubTopics == null ? null : new TopicFilters(b.pubSubTopics);
        configurations.put(componentName, ConfigurationTree.deepCopy(b.configuration));
        Files.deleteIfExists(socketPath);
        eventLoopGroup = new EventLoopGroup(1);
        bootstrap = new ServerBootstrap(eventLoopGroup);
        socketOptions = new SocketOptions();
        socketOptions.domain = SocketOptions.SocketDomain.LOCAL;
        socketOptions.type = SocketOptions.SocketType.STREAM;
        try {
            listener = new ServerListener(socketPath.toString(), 0, socketOptions, null, bootstrap, new Listener());
        } catch (RuntimeException e) {
            socketOptions.close();
            bootstrap.close();
            eventLoopGroup.close();
            throw new IOException("cannot listen on " + socketPath + ": " + e.getMessage(), e);
        }
        LOG.info("Greengrass IPC stand-in listening on {} for component {}", socketPath, componentName);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path socketPath() {
        return socketPath;
    }

    public String authToken() {
        return authToken;
    }

    public String componentName() {
        return componentName;
    }

    /**
     * The environment the nucleus gives a component process: {@code SVCUID},
     * {@code AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT}, {@code AWS_REGION}, {@code AWS_DEFAULT_REGION} and
     * {@code AWS_IOT_THING_NAME}.
     */
    public Map<String, String> componentEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SVCUID", authToken);
        env.put("AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT", socketPath.toString());
        env.put("AWS_REGION", region);
        env.put("AWS_DEFAULT_REGION", region);
        env.put("AWS_IOT_THING_NAME", thingName);
        return env;
    }

    // ------------------------------------------------------------------ deployments

    /** The component's current configuration (a copy). */
    public synchronized Map<String, Object> configuration() {
        return ConfigurationTree.deepCopy(configurations.get(componentName));
    }

    /**
     * Replaces the component's configuration, like a deployment with a full configuration, and notifies
     * subscribers of every changed leaf key path. Returns the number of events sent.
     */
    public int replaceConfiguration(Map<String, Object> newConfiguration) {
        return apply(ConfigurationTree.deepCopy(newConfiguration));
    }

    /** Applies a Greengrass {@code merge} update to the component's configuration; returns the events sent. */
    public int mergeConfiguration(Map<String, Object> merge) {
        Map<String, Object> merged;
        synchronized (this) {
            merged = ConfigurationTree.merge(configurations.get(componentName), merge);
        }
        return apply(merged);
    }

    /** Applies a Greengrass {@code reset} of one key path (removes it); returns the events sent. */
    public int resetConfiguration(List<String> keyPath) {
        Map<String, Object> reset;
        synchronized (this) {
            reset = ConfigurationTree.remove(configurations.get(componentName), keyPath);
        }
        return apply(reset);
    }

    /**
     * A deployment that starts the component, as the nucleus runs a recipe whose {@code Lifecycle.Startup} starts
     * a long-running process: the configuration becomes {@code configuration}, {@code command} is started with the
     * component environment ({@link #componentEnvironment()}) and the component is {@code STARTING} until it reports
     * {@code RUNNING} with {@code UpdateState}. The deployment succeeds then ({@code SUCCEEDED}); it fails
     * ({@code FAILED}, with the reason) when the component reports {@code ERRORED}, its process exits first, or
     * {@code startupTimeout} passes. A failed deployment with {@link FailureHandlingPolicy#ROLLBACK} stops the
     * process (SIGTERM, forced after {@code stopGrace}) and restores the previous configuration. Blocks until the
     * deployment has succeeded or failed; the result is also in {@link #deployments()}.
     */
    public ComponentRun deployComponent(Map<String, Object> configuration, ProcessBuilder command,
                                        Duration startupTimeout, FailureHandlingPolicy policy, Duration stopGrace)
            throws IOException, InterruptedException {
        Map<String, Object> previous;
        synchronized (this) {
            previous = ConfigurationTree.deepCopy(configurations.get(componentName));
            configurations.put(componentName, ConfigurationTree.deepCopy(configuration));
        }
        String deploymentId = UUID.randomUUID().toString();
        command.environment().putAll(componentEnvironment());
        ComponentRun run = new ComponentRun(componentName, command.start());
        component = run;
        if (run.awaitStarted(startupTimeout) == ComponentState.STARTING) {
            run.startupTimedOut(startupTimeout);
        }
        DeploymentResult result;
        if (run.state() == ComponentState.RUNNING) {
            result = new DeploymentResult(deploymentId, true, "SUCCEEDED", null, 0);
        } else {
            String message = componentName + " is " + run.state() + ": " + run.reason();
            if (policy == FailureHandlingPolicy.ROLLBACK) {
                if (run.process().isAlive()) {
                    run.stop(stopGrace);
                }
                synchronized (this) {
                    configurations.put(componentName, previous);
                }
                message += "; rolled back to the previous configuration";
            }
            LOG.info("deployment {} FAILED: {}", deploymentId, message);
            result = new DeploymentResult(deploymentId, false, "FAILED", message, 0);
        }
        run.deployment(result);
        deployments.add(result);
        return run;
    }

    /** The component process started by the last {@link #deployComponent}, or null. */
    public ComponentRun component() {
        return component;
    }

    /**
     * A deployment with a merge update, as the nucleus runs it: components subscribed to
     * {@code SubscribeToValidateConfigurationUpdates} are first sent the proposed configuration and asked for a
     * {@code SendConfigurationValidityReport}; a {@code REJECTED} report fails the deployment and nothing changes.
     * Otherwise (accepted, nobody validating, or no answer within {@code validationTimeout}) the configuration is
     * merged and update events are sent.
     */
    public DeploymentResult deploy(Map<String, Object> merge, Duration validationTimeout) throws InterruptedException {
        Map<String, Object> proposed;
        synchronized (this) {
            proposed = ConfigurationTree.merge(configurations.get(componentName), merge);
        }
        String deploymentId = UUID.randomUUID().toString();
        DeploymentResult result;
        if (validators.isEmpty()) {
            result = new DeploymentResult(deploymentId, true, "NO_VALIDATOR", null, apply(proposed));
        } else {
            CompletableFuture<ConfigurationValidityReport> report = new CompletableFuture<>();
            pendingValidations.put(deploymentId, report);
            ValidateConfigurationUpdateEvent event = new ValidateConfigurationUpdateEvent();
            event.setDeploymentId(deploymentId);
            event.setConfiguration(proposed);
            ValidateConfigurationUpdateEvents events = new ValidateConfigurationUpdateEvents();
            events.setValidateConfigurationUpdateEvent(event);
            for (Operation v : validators) {
                v.send(events, MessageType.ApplicationMessage, 0);
            }
            ConfigurationValidityReport answer;
            try {
                answer = report.get(validationTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                answer = null;
            } finally {
                pendingValidations.remove(deploymentId);
            }
            if (answer == null) {
                result = new DeploymentResult(deploymentId, true, "TIMED_OUT", null, apply(proposed));
            } else if ("REJECTED".equals(answer.getStatusAsString())) {
                LOG.info("deployment {} failed: {} rejected the configuration: {}", deploymentId, componentName,
                        answer.getMessage());
                result = new DeploymentResult(deploymentId, false, "REJECTED", answer.getMessage(), 0);
            } else {
                result = new DeploymentResult(deploymentId, true, answer.getStatusAsString(), answer.getMessage(),
                        apply(proposed));
            }
        }
        deployments.add(result);
        return result;
    }

    /** Every deployment pushed with {@link #deploy}, in order. */
    public List<DeploymentResult> deployments() {
        return List.copyOf(deployments);
    }

    /** Open {@code SubscribeToValidateConfigurationUpdates} streams. */
    public int configurationValidators() {
        return validators.size();
    }

    private int apply(Map<String, Object> next) {
        List<List<String>> changed;
        synchronized (this) {
            changed = ConfigurationTree.changedPaths(configurations.get(componentName), next);
            configurations.put(componentName, next);
        }
        int sent = 0;
        for (List<String> path : changed) {
            for (Subscription s : subscriptions) {
                if (s.component.equals(componentName) && related(s.keyPath, path)) {
                    ConfigurationUpdateEvent event = new ConfigurationUpdateEvent();
                    event.setComponentName(componentName);
                    event.setKeyPath(new ArrayList<>(path));
                    ConfigurationUpdateEvents events = new ConfigurationUpdateEvents();
                    events.setConfigurationUpdateEvent(event);
                    s.stream.send(events, MessageType.ApplicationMessage, 0);
                    sent++;
                }
            }
        }
        LOG.info("configuration of {} updated: {} changed key paths, {} events sent", componentName, changed.size(), sent);
        return sent;
    }

    private static boolean related(List<String> subscribed, List<String> changed) {
        int n = Math.min(subscribed.size(), changed.size());
        return subscribed.subList(0, n).equals(changed.subList(0, n));
    }

    // ------------------------------------------------------------------ behaviour knobs

    /**
     * Limits {@code PublishToIoTCore} to topics matching these MQTT topic filters ({@code +}, {@code #}), like the
     * {@code aws.greengrass.ipc.mqttproxy} access control policy of a recipe; {@code null} allows every topic.
     */
    public void allowIoTCoreTopics(List<String> topicFilters) {
        this.iotCoreFilters = topicFilters == null ? null : new TopicFilters(topicFilters);
    }

    /** Limits {@code PublishToTopic} like the {@code aws.greengrass.ipc.pubsub} policy; {@code null} allows all. */
    public void allowPubSubTopics(List<String> topicFilters) {
        this.pubSubFilters = topicFilters == null ? null : new TopicFilters(topicFilters);
    }

    /**
     * Answers {@code UpdateState} this much later (the state is recorded at once): the component is still waiting for
     * the answer, e.g. to RUNNING, when a test acts on the state it saw.
     */
    public void delayStateReports(Duration delay) {
        this.stateReportDelay = delay;
    }

    /** Answers the next {@code count} {@code PublishToIoTCore} requests with a {@code ServiceError}. */
    public void failNextIoTCorePublishes(int count) {
        failNextIoTCorePublishes.set(count);
    }

    // ------------------------------------------------------------------ what happened

    public List<IpcCall> calls() {
        return List.copyOf(calls);
    }

    public List<IpcCall> calls(String operationShortName) {
        return calls.stream().filter(c -> c.shortName().equals(operationShortName)).toList();
    }

    public List<ConnectAttempt> connects() {
        return List.copyOf(connects);
    }

    public List<IoTCorePublish> iotCorePublishes() {
        return List.copyOf(iotCorePublishes);
    }

    public List<TopicPublish> topicPublishes() {
        return List.copyOf(topicPublishes);
    }

    /** Every state the component reported with {@code UpdateState}, in order ({@code RUNNING}, {@code ERRORED}). */
    public List<String> reportedStates() {
        return List.copyOf(states);
    }

    /** The last reported state, or {@code null}. */
    public String lastReportedState() {
        return states.isEmpty() ? null : states.get(states.size() - 1);
    }

    /** Open {@code SubscribeToConfigurationUpdate} streams. */
    public int configurationSubscribers() {
        return subscriptions.size();
    }

    public int openConnections() {
        return (int) openConnections.stream().filter(Connection::isOpen).count();
    }

    /**
     * Polls {@code supplier} every 20 ms until {@code condition} holds, for at most {@code timeout}; returns the
     * last value seen either way (the caller asserts on it).
     */
    public static <T> T await(Supplier<T> supplier, Predicate<T> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T value = supplier.get();
        while (!condition.test(value) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            value = supplier.get();
        }
        return value;
    }

    // ------------------------------------------------------------------ shutdown

    @Override
    public void close() {
        ComponentRun run = component;
        if (run != null && run.process().isAlive()) {
            run.process().destroyForcibly();
        }
        for (Subscription s : subscriptions) {
            try {
                s.stream.terminate().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("closing subscription stream failed: {}", e.toString());
            }
        }
        subscriptions.clear();
        validators.clear();
        List<Connection> closing = List.copyOf(openConnections);
        closing.forEach(Connection::closeNow);
        for (Connection c : closing) {
            try {
                c.closed.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("waiting for a connection to close failed: {}", e.toString());
            }
        }
        listener.close();
        try {
            listener.getShutdownCompleteFuture().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("IPC listener did not shut down cleanly: {}", e.toString());
        }
        bootstrap.close();
        socketOptions.close();
        eventLoopGroup.close();
        try {
            // the event loop runs the last callbacks of the closed streams: let them finish before the next server starts
            eventLoopGroup.getShutdownCompleteFuture().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("IPC event loop did not shut down cleanly: {}", e.toString());
        }
        try {
            Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", socketPath, e.toString());
        }
        LOG.info("Greengrass IPC stand-in on {} stopped", socketPath);
    }

    // ------------------------------------------------------------------ protocol

    private final class Listener extends ServerListenerHandler {
        @Override
        protected ServerConnectionHandler onNewConnection(ServerConnection connection, int errorCode) {
            if (errorCode != 0) {
                LOG.warn("incoming IPC connection failed with CRT error {}", errorCode);
                return null;
            }
            Connection handler = new Connection(connection, connectionCounter.incrementAndGet());
            openConnections.add(handler);
            return handler;
        }

        @Override
        protected void onConnectionShutdown(ServerConnection connection, int errorCode) {
            openConnections.removeIf(c -> c.closed == connection.getClosedFuture());
        }
    }

    private final class Connection extends ServerConnectionHandler {
        private final int id;
        private final CompletableFuture<Integer> closed;
        private volatile boolean accepted;
        private boolean released;

        Connection(ServerConnection connection, int id) {
            super(connection);
            this.id = id;
            this.closed = connection.getClosedFuture();
        }

        /**
         * Closing releases the native connection, so a call on it from another thread afterwards (status queries,
         * {@link GreengrassIpcStandIn#close}) would touch freed memory and crash the JVM: such calls and the close
         * take this handler's lock, and find it released.
         */
        @Override
        protected synchronized void onConnectionClosed(int shutdownReason) {
            released = true;
            openConnections.remove(this);
            super.onConnectionClosed(shutdownReason);
        }

        synchronized boolean isOpen() {
            return !released && connection.isConnectionOpen();
        }

        synchronized void closeNow() {
            if (!released && connection.isConnectionOpen()) connection.closeConnection(0);
        }

        @Override
        protected void onProtocolMessage(List<Header> headers, byte[] payload, MessageType type, int flags) {
            switch (type) {
                case Connect -> onConnect(headers, payload);
                case Ping -> connection.sendProtocolMessage(
                        headers.stream().filter(h -> !h.getName().startsWith(":")).toList(), payload,
                        MessageType.PingResponse, 0);
                case PingResponse -> { }
                default -> {
                    LOG.warn("connection {}: unexpected protocol message {}", id, type);
                    connection.sendProtocolMessage(List.of(Header.createHeader(CONTENT_TYPE, JSON)),
                            "{\"error\":\"Unrecognized Message Type\"}".getBytes(StandardCharsets.UTF_8),
                            MessageType.ServerError, 0).whenComplete((r, e) -> connection.closeConnection(0));
                }
            }
        }

        private void onConnect(List<Header> headers, byte[] payload) {
            String version = headers.stream().filter(h -> h.getName().equals(VERSION_HEADER))
                    .map(Header::getValueAsString).findFirst().orElse(null);
            String reason = null;
            if (version == null || !Version.getInstance().getVersionString().equals(version)) {
                reason = "client protocol version " + version + " does not match server version "
                        + Version.getInstance().getVersionString();
            } else {
                try {
                    JsonObject json = JsonParser.parseString(new String(payload == null ? new byte[0] : payload,
                            StandardCharsets.UTF_8)).getAsJsonObject();
                    String token = json.has("authToken") && !json.get("authToken").isJsonNull()
                            ? json.get("authToken").getAsString() : null;
                    if (!authToken.equals(token)) {
                        reason = token == null ? "no authToken in connect message" : "authToken does not match SVCUID";
                    }
                } catch (RuntimeException e) {
                    reason = "connect payload is not a JSON object: " + e.getMessage();
                }
            }
            accepted = reason == null;
            connects.add(new ConnectAttempt(Instant.now(), id, version, accepted, reason));
            if (accepted) {
                LOG.info("IPC connection {} accepted", id);
            } else {
                LOG.warn("IPC connection {} rejected: {}", id, reason);
            }
            connection.sendProtocolMessage(null, null, MessageType.ConnectAck,
                    accepted ? MessageFlags.ConnectionAccepted.getByteValue() : 0).whenComplete((r, e) -> {
                        if (!accepted) {
                            connection.closeConnection(0);
                        }
                    });
        }

        @Override
        protected ServerConnectionContinuationHandler onIncomingStream(ServerConnectionContinuation continuation,
                                                                       String operation) {
            return new Operation(continuation, this, operation);
        }
    }

    private final class Operation extends ServerConnectionContinuationHandler {
        private final Connection owner;
        private final String operation;
        private boolean requested;
        private boolean closed;

        Operation(ServerConnectionContinuation continuation, Connection owner, String operation) {
            super(continuation);
            this.owner = owner;
            this.operation = operation;
        }

        /**
         * Closing releases the native continuation, so a send from another thread (a configuration event, the
         * subscriptions ended at {@link #close}) after it would write to freed memory and crash the JVM: sends and
         * the close take this handler's lock, and a send after the close is dropped.
         */
        @Override
        protected synchronized void onContinuationClosed() {
            closed = true;
            subscriptions.removeIf(s -> s.stream == this);
            validators.remove(this);
            super.onContinuationClosed();
        }

        synchronized void send(EventStreamJsonMessage message, MessageType type, int flags) {
            if (closed) return;
            List<Header> headers = List.of(Header.createHeader(CONTENT_TYPE, JSON),
                    Header.createHeader(MODEL_TYPE, message.getApplicationModelType()));
            continuation.sendMessage(headers, model.toJson(message), type, flags).whenComplete((r, e) -> {
                if (e != null) {
                    LOG.debug("sending {} failed: {}", message.getApplicationModelType(), e.toString());
                }
            });
        }

        /** Ends the stream from the server's side; completes at once when it is already closed. */
        synchronized CompletableFuture<Void> terminate() {
            if (closed) return CompletableFuture.completedFuture(null);
            return continuation.sendMessage(null, null, MessageType.ApplicationMessage,
                    MessageFlags.TerminateStream.getByteValue());
        }

        @Override
        protected void onContinuationMessage(List<Header> headers, byte[] payload, MessageType type, int flags) {
            boolean terminate = (flags & MessageFlags.TerminateStream.getByteValue()) != 0;
            if (requested) {
                if (terminate) {
                    subscriptions.removeIf(s -> s.stream == this);
                    validators.remove(this);
                }
                return;
            }
            if (terminate && (payload == null || payload.length == 0)) {
                return;
            }
            requested = true;
            String json = payload == null ? "" : new String(payload, StandardCharsets.UTF_8);
            String outcome;
            try {
                if (!owner.accepted) {
                    outcome = error(new UnauthorizedError("connection is not authenticated"));
                } else {
                    outcome = dispatch(payload);
                }
            } catch (RuntimeException e) {
                LOG.warn("{} failed on a malformed request: {}", operation, e.toString());
                outcome = error(new InvalidArgumentsError("malformed request: " + e.getMessage()));
            }
            calls.add(new IpcCall(Instant.now(), owner.id, operation, json, outcome));
        }

        private String dispatch(byte[] payload) {
            return switch (operation) {
                case GreengrassCoreIPCServiceModel.GET_CONFIGURATION ->
                        getConfiguration(model.fromJson(GetConfigurationRequest.class, payload));
                case GreengrassCoreIPCServiceModel.SUBSCRIBE_TO_CONFIGURATION_UPDATE ->
                        subscribe(model.fromJson(SubscribeToConfigurationUpdateRequest.class, payload));
                case GreengrassCoreIPCServiceModel.UPDATE_STATE ->
                        updateState(model.fromJson(UpdateStateRequest.class, payload));
                case GreengrassCoreIPCServiceModel.PUBLISH_TO_IOT_CORE ->
                        publishToIoTCore(model.fromJson(PublishToIoTCoreRequest.class, payload));
                case GreengrassCoreIPCServiceModel.PUBLISH_TO_TOPIC ->
                        publishToTopic(model.fromJson(PublishToTopicRequest.class, payload));
                case GreengrassCoreIPCServiceModel.SUBSCRIBE_TO_VALIDATE_CONFIGURATION_UPDATES ->
                        subscribeToValidation(model.fromJson(SubscribeToValidateConfigurationUpdatesRequest.class, payload));
                case GreengrassCoreIPCServiceModel.SEND_CONFIGURATION_VALIDITY_REPORT ->
                        validityReport(model.fromJson(SendConfigurationValidityReportRequest.class, payload));
                default -> unsupported();
            };
        }

        private String getConfiguration(GetConfigurationRequest request) {
            String component = request.getComponentName() == null ? componentName : request.getComponentName();
            List<String> keyPath = request.getKeyPath() == null ? List.of() : request.getKeyPath();
            Map<String, Object> value;
            synchronized (GreengrassIpcStandIn.this) {
                Map<String, Object> root = configurations.get(component);
                value = root == null ? null : ConfigurationTree.valueFor(root, keyPath).orElse(null);
            }
            if (value == null) {
                ResourceNotFoundError e = new ResourceNotFoundError("Key not found: " + keyPath);
                e.setResourceType("configuration");
                e.setResourceName(component);
                return error(e);
            }
            GetConfigurationResponse response = new GetConfigurationResponse();
            response.setComponentName(component);
            response.setValue(value);
            respond(response, true);
            return "ok";
        }

        private String subscribe(SubscribeToConfigurationUpdateRequest request) {
            String component = request.getComponentName() == null ? componentName : request.getComponentName();
            List<String> keyPath = request.getKeyPath() == null ? List.of() : List.copyOf(request.getKeyPath());
            subscriptions.add(new Subscription(owner.id, this, component, keyPath));
            respond(new SubscribeToConfigurationUpdateResponse(), false);
            return "ok";
        }

        private String updateState(UpdateStateRequest request) {
            String state = request.getStateAsString();
            if (state == null) {
                return error(new InvalidArgumentsError("state is required"));
            }
            states.add(state);
            ComponentRun run = component;
            if (run != null) {
                run.reported(state);
            }
            LOG.info("component {} reported state {}", componentName, state);
            Duration delay = stateReportDelay;
            if (delay.isZero()) {
                respond(new UpdateStateResponse(), true);
            } else {
                CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> respond(new UpdateStateResponse(), true));
            }
            return "ok";
        }

        private String publishToIoTCore(PublishToIoTCoreRequest request) {
            String topic = request.getTopicName();
            if (topic == null || topic.isEmpty()) {
                return error(new InvalidArgumentsError("topicName is required"));
            }
            if (request.getQos() == null) {
                return error(new InvalidArgumentsError("qos is required"));
            }
            TopicFilters filters = iotCoreFilters;
            if (filters != null && !filters.matches(topic)) {
                return error(new UnauthorizedError("Principal " + componentName
                        + " is not authorized to perform aws.greengrass.ipc.mqttproxy:aws.greengrass#PublishToIoTCore"
                        + " on resource " + topic));
            }
            if (failNextIoTCorePublishes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return error(new ServiceError("Failed to publish to IoT Core (injected by the stand-in)"));
            }
            byte[] body = request.getPayload() == null ? new byte[0] : request.getPayload();
            iotCorePublishes.add(new IoTCorePublish(Instant.now(), topic,
                    request.getQos() == QOS.AT_LEAST_ONCE ? 1 : 0, body));
            respond(new PublishToIoTCoreResponse(), true);
            return "ok";
        }

        private String publishToTopic(PublishToTopicRequest request) {
            String topic = request.getTopic();
            PublishMessage message = request.getPublishMessage();
            if (topic == null || topic.isEmpty()) {
                return error(new InvalidArgumentsError("topic is required"));
            }
            if (message == null || (message.getBinaryMessage() == null) == (message.getJsonMessage() == null)) {
                return error(new InvalidArgumentsError("publishMessage needs exactly one of jsonMessage and binaryMessage"));
            }
            TopicFilters filters = pubSubFilters;
            if (filters != null && !filters.matches(topic)) {
                return error(new UnauthorizedError("Principal " + componentName
                        + " is not authorized to perform aws.greengrass.ipc.pubsub:aws.greengrass#PublishToTopic"
                        + " on resource " + topic));
            }
            byte[] binary = message.getBinaryMessage() == null ? null : message.getBinaryMessage().getMessage();
            Map<String, Object> json = message.getJsonMessage() == null ? null : message.getJsonMessage().getMessage();
            topicPublishes.add(new TopicPublish(Instant.now(), topic, binary, json));
            respond(new PublishToTopicResponse(), true);
            return "ok";
        }

        private String subscribeToValidation(SubscribeToValidateConfigurationUpdatesRequest request) {
            validators.add(this);
            respond(new SubscribeToValidateConfigurationUpdatesResponse(), false);
            return "ok";
        }

        private String validityReport(SendConfigurationValidityReportRequest request) {
            ConfigurationValidityReport report = request.getConfigurationValidityReport();
            if (report == null || report.getStatus() == null || report.getDeploymentId() == null) {
                return error(new InvalidArgumentsError("configurationValidityReport needs status and deploymentId"));
            }
            CompletableFuture<ConfigurationValidityReport> pending = pendingValidations.get(report.getDeploymentId());
            if (pending == null) {
                return error(new InvalidArgumentsError("no deployment " + report.getDeploymentId() + " awaits validation"));
            }
            respond(new SendConfigurationValidityReportResponse(), true);
            pending.complete(report);
            return "ok";
        }

        private String unsupported() {
            String body = "{\"error\":\"Unsupported Operation\",\"message\":\"" + operation
                    + " is not implemented by the Sluice Greengrass IPC stand-in\"}";
            synchronized (this) {
                if (!closed) {
                    continuation.sendMessage(List.of(Header.createHeader(CONTENT_TYPE, JSON)),
                            body.getBytes(StandardCharsets.UTF_8), MessageType.ApplicationError,
                            MessageFlags.TerminateStream.getByteValue());
                }
            }
            return "unsupported";
        }

        private void respond(EventStreamJsonMessage message, boolean terminate) {
            send(message, MessageType.ApplicationMessage, terminate ? MessageFlags.TerminateStream.getByteValue() : 0);
        }

        private String error(EventStreamJsonMessage error) {
            send(error, MessageType.ApplicationError, MessageFlags.TerminateStream.getByteValue());
            return error.getApplicationModelType();
        }
    }


    /** The topic resources of one IPC authorization policy. */
    static final class TopicFilters {
        private final List<String> filters;

        TopicFilters(List<String> filters) {
            this.filters = List.copyOf(filters);
        }

        boolean matches(String topic) {
            return filters.stream().anyMatch(f -> TopicPolicies.matches(f, topic));
        }
    }

    /** Settings for {@link #start()}. */
    public static final class Builder {
        private Path socketPath;
        private String authToken = "svcuid-" + Long.toHexString(System.nanoTime());
        private String componentName = "io.sluice.Gateway";
        private String thingName = "sluice-test-thing";
        private String region = "eu-central-1";
        private Map<String, Object> configuration = Map.of();
        private List<String> iotCoreTopics;
        private List<String> pubSubTopics;

        /** Where to listen; defaults to a fresh temporary folder (paths must stay below ~100 characters). */
        public Builder socketPath(Path socketPath) {
            this.socketPath = socketPath;
            return this;
        }

        public Builder authToken(String authToken) {
            this.authToken = Objects.requireNonNull(authToken);
            return this;
        }

        public Builder componentName(String componentName) {
            this.componentName = Objects.requireNonNull(componentName);
            return this;
        }

        public Builder thingName(String thingName) {
            this.thingName = Objects.requireNonNull(thingName);
            return this;
        }

        public Builder region(String region) {
            this.region = Objects.requireNonNull(region);
            return this;
        }

        /** The component's configuration at start (the deployment's merged configuration). */
        public Builder configuration(Map<String, Object> configuration) {
            this.configuration = Objects.requireNonNull(configuration);
            return this;
        }

        public Builder allowIoTCoreTopics(List<String> topicFilters) {
            this.iotCoreTopics = topicFilters;
            return this;
        }

        public Builder allowPubSubTopics(List<String> topicFilters) {
            this.pubSubTopics = topicFilters;
            return this;
        }

        public GreengrassIpcStandIn start() throws IOException {
            if (socketPath == null) {
                socketPath = Files.createTempDirectory("ggipc").resolve("ipc.socket");
            }
            return new GreengrassIpcStandIn(this);
        }
    }
}
