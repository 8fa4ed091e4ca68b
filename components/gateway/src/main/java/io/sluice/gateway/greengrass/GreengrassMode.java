package io.sluice.gateway.greengrass;

import io.sluice.admin.RunningGateway;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.ConfigProblem;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.spi.destination.GatewayServices;
import io.sluice.support.Lifecycle;
import io.sluice.support.LifecycleState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.aws.greengrass.GreengrassCoreIPCClientV2;
import software.amazon.awssdk.aws.greengrass.SubscribeToConfigurationUpdateResponseHandler;
import software.amazon.awssdk.aws.greengrass.model.ConfigurationUpdateEvents;
import software.amazon.awssdk.aws.greengrass.model.ConfigurationValidityReport;
import software.amazon.awssdk.aws.greengrass.model.ConfigurationValidityStatus;
import software.amazon.awssdk.aws.greengrass.model.SendConfigurationValidityReportRequest;
import software.amazon.awssdk.aws.greengrass.model.SubscribeToValidateConfigurationUpdatesRequest;
import software.amazon.awssdk.aws.greengrass.model.ValidateConfigurationUpdateEvent;
import software.amazon.awssdk.aws.greengrass.model.ValidateConfigurationUpdateEvents;
import software.amazon.awssdk.aws.greengrass.model.GetConfigurationRequest;
import software.amazon.awssdk.aws.greengrass.model.GetConfigurationResponse;
import software.amazon.awssdk.aws.greengrass.model.ReportedLifecycleState;
import software.amazon.awssdk.aws.greengrass.model.SubscribeToConfigurationUpdateRequest;
import software.amazon.awssdk.aws.greengrass.model.SubscribeToConfigurationUpdateResponse;
import software.amazon.awssdk.aws.greengrass.model.UpdateStateRequest;

/**
 * Sluice as an AWS IoT Greengrass v2 component.
 *
 * <pre>
 *   connect IPC ──► subscribe to configuration updates ──► GetConfiguration ──► validate ──► start gateway ──► RUNNING
 *        │                                                                        │ invalid        │ fails
 *        ▼ unreachable: exit 1                                    ERRORED, exit 2 ◄┘     ERRORED, exit 1 ◄┘
 *
 *   RUNNING: update event(s) ──(quiet 500 ms)──► GetConfiguration ──► validate ──► gateway.reconfigure (only what changed)
 *                                                                         │ invalid: logged, rejected; the running
 *                                                                         ▼ configuration stays, state stays RUNNING
 *   SIGTERM: stop connectors, flush, close the store, close IPC ──► exit 0
 * </pre>
 *
 * Deployments are validated before the nucleus applies them ({@code SubscribeToValidateConfigurationUpdates}): an
 * invalid one is answered {@code REJECTED} with its problems, so the deployment fails and nothing changes.
 * The nucleus sends one event per changed key; events are coalesced and the whole configuration is read again, so a
 * deployment is applied as one change. The configuration is subscribed to before it is read, so no update can fall
 * between the two. Only what cannot be recovered from is reported as {@code ERRORED}: an invalid configuration at
 * start (the deployment then fails and can roll back) or a gateway that cannot start; a bad live update is not.
 */
public final class GreengrassMode implements AutoCloseable {

    /** Exit code: stopped cleanly. */
    public static final int EXIT_OK = 0;
    /** Exit code: the nucleus could not be reached, or the gateway could not start. */
    public static final int EXIT_FAILED = 1;
    /** Exit code: the component configuration at start is invalid. */
    public static final int EXIT_INVALID_CONFIG = 2;

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    static final Duration QUIET_PERIOD = Duration.ofMillis(500);

    private static final Logger LOG = LoggerFactory.getLogger(GreengrassMode.class);

    /** Validates and binds a component configuration; throws {@link ConfigException} for an invalid one. */
    @FunctionalInterface
    interface Validation {
        GatewayConfig parse(Map<String, ?> componentConfiguration, String source);

        /**
         * The gateway's own validation ({@code sluice validate}), with the connector and destination types of the
         * class path found once, here, instead of reading the jar's service registrations on every validation.
         */
        static Validation standard() {
            ConfigLoader loader = ConfigLoader.standard();
            return (configuration, source) -> ComponentConfiguration.parse(loader, configuration, source);
        }
    }

    private final GreengrassIpc ipc;
    private final Validation validation;
    private volatile String source = "greengrass:component-configuration";
    private final Path dataDirOverride;
    private final ScheduledExecutorService updates;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    private volatile Gateway gateway;
    private volatile RunningGateway runningGateway;
    private volatile Map<String, Object> running;
    private volatile GatewayConfig runningConfig;
    private volatile SubscribeToConfigurationUpdateResponseHandler subscription;
    private ScheduledFuture<?> pendingReload;
    private final Lifecycle<State> state = new Lifecycle<>("the Greengrass component", State.STARTING);

    /**
     * The component's own life (what it reports to the nucleus follows it: RUNNING once started, ERRORED when the
     * start fails).
     */
    enum State implements LifecycleState<State> {
        STARTING, RUNNING, STOPPING, STOPPED;

        @Override
        public java.util.Set<State> next() {
            return switch (this) {
                case STARTING -> java.util.EnumSet.of(RUNNING, STOPPING);
                case RUNNING -> java.util.EnumSet.of(STOPPING);
                case STOPPING -> java.util.EnumSet.of(STOPPED);
                case STOPPED -> java.util.EnumSet.noneOf(State.class);
            };
        }
    }

    /** Thrown by {@link #start} when the component cannot run; carries the process exit code. */
    public static final class StartException extends Exception {
        private final int exitCode;

        StartException(String message, int exitCode, Throwable cause) {
            super(message, cause);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    private GreengrassMode(GreengrassIpc ipc, Path dataDirOverride, Validation validation) {
        this.ipc = ipc;
        this.validation = validation;
        this.dataDirOverride = dataDirOverride;
        this.updates = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "greengrass-config-updates");
            t.setDaemon(true);
            return t;
        });
    }

    /** True when the process was started by the Greengrass nucleus (it sets {@code SVCUID} and the IPC socket path). */
    public static boolean detected(Map<String, String> env) {
        return notBlank(env.get(GreengrassIpc.ENV_SVCUID)) && notBlank(env.get(GreengrassIpc.ENV_SOCKET));
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    /**
     * Runs Sluice as a Greengrass component until SIGTERM (or another JVM shutdown): the entry point for
     * {@code sluice run} when {@link #detected} or {@code --greengrass}. Installs its own shutdown hook, which stops
     * connectors, flushes, closes the store and the IPC connection within the recipe's timeout.
     *
     * @param dataDir overrides the configuration's {@code store.directory} when not null ({@code --data})
     * @param env     the process environment ({@code System.getenv()})
     * @return the process exit code: {@link #EXIT_OK}, {@link #EXIT_FAILED} or {@link #EXIT_INVALID_CONFIG}
     */
    public static int run(Path dataDir, Map<String, String> env) {
        return run(dataDir, env, code -> { });
    }

    /**
     * As {@link #run(Path, Map)}; {@code failing} is told the exit code as soon as the start has failed, before
     * {@code ERRORED} is reported: the nucleus may stop the component (SIGTERM) as soon as it sees that state, and a
     * stop that arrives then must still end with the failure's exit code (2 for an invalid configuration), not 0.
     */
    public static int run(Path dataDir, Map<String, String> env, IntConsumer failing) {
        // The hook is in place before the start: the nucleus may stop the component as soon as it has seen RUNNING,
        // before the component has its answer. The JVM exits once its hooks are done, whatever other threads do, so a
        // close begun anywhere else would be cut short; the hook waits for the start to end and closes what it started.
        CompletableFuture<GreengrassMode> started = new CompletableFuture<>();
        Thread hook = new Thread(() -> {
            GreengrassMode mode = started.join();
            if (mode != null) mode.close();
        }, "sluice-greengrass-shutdown");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return EXIT_OK; // stopped before anything started
        }
        GreengrassMode mode = null;
        try {
            mode = start(dataDir, env, CONNECT_TIMEOUT, null, failing);
        } catch (StartException e) {
            LOG.error("Sluice cannot run as a Greengrass component: {}", e.getMessage());
            return e.exitCode();
        } finally {
            started.complete(mode);
        }
        mode.awaitStop();
        return EXIT_OK;
    }

    /** Connects to the nucleus, reads and validates the configuration, starts the gateway and reports RUNNING. */
    public static GreengrassMode start(Path dataDir, Map<String, String> env) throws StartException {
        return start(dataDir, env, CONNECT_TIMEOUT);
    }

    /** As {@link #start(Path, Map)}, giving up on the nucleus IPC socket after {@code connectTimeout}. */
    public static GreengrassMode start(Path dataDir, Map<String, String> env, Duration connectTimeout)
            throws StartException {
        return start(dataDir, env, connectTimeout, null);
    }

    /** As {@link #start(Path, Map, Duration)} with the given validation ({@link Validation#standard()} when null). */
    static GreengrassMode start(Path dataDir, Map<String, String> env, Duration connectTimeout, Validation validation)
            throws StartException {
        return start(dataDir, env, connectTimeout, validation, code -> { });
    }

    private static GreengrassMode start(Path dataDir, Map<String, String> env, Duration connectTimeout,
                                        Validation validation, IntConsumer failing) throws StartException {
        if (!detected(env)) {
            throw new StartException("not started by the Greengrass nucleus: " + GreengrassIpc.ENV_SVCUID + " and "
                    + GreengrassIpc.ENV_SOCKET + " must be set", EXIT_FAILED, null);
        }
        logEnvironment(env);
        GreengrassIpc ipc;
        try {
            ipc = GreengrassIpc.connect(env, connectTimeout);
        } catch (IOException e) {
            throw new StartException(e.getMessage(), EXIT_FAILED, e);
        }
        Validation checked;
        try {
            checked = validation != null ? validation : Validation.standard();
        } catch (RuntimeException | LinkageError | ServiceConfigurationError e) { // e.g. a broken or unreadable jar
            failing.accept(EXIT_FAILED);
            reportState(ipc, ReportedLifecycleState.ERRORED);
            ipc.close();
            throw new StartException("cannot load the connector and destination types: " + e, EXIT_FAILED, e);
        }
        GreengrassMode mode = new GreengrassMode(ipc, dataDir, checked);
        try {
            mode.begin();
            return mode;
        } catch (StartException e) {
            failing.accept(e.exitCode());
            mode.reportState(ReportedLifecycleState.ERRORED);
            mode.close();
            throw e;
        } catch (RuntimeException | LinkageError | ServiceConfigurationError e) {
            failing.accept(EXIT_FAILED);
            mode.reportState(ReportedLifecycleState.ERRORED);
            mode.close();
            throw new StartException("unexpected failure while starting: " + e, EXIT_FAILED, e);
        }
    }

    private static void logEnvironment(Map<String, String> env) {
        String region = Optional.ofNullable(env.get("AWS_REGION")).orElse(env.get("AWS_DEFAULT_REGION"));
        LOG.info("running as a Greengrass component (thing {}, region {})",
                env.getOrDefault("AWS_IOT_THING_NAME", "unknown"), region == null ? "not set" : region);
        if (notBlank(env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"))) {
            LOG.info("AWS credentials come from the Token Exchange Service through the default provider chain");
        } else {
            LOG.info("AWS_CONTAINER_CREDENTIALS_FULL_URI is not set: add a dependency on aws.greengrass.TokenExchangeService "
                    + "if a destination calls AWS APIs (Kinesis, SiteWise)");
        }
    }

    private void begin() throws StartException {
        subscribe();
        subscribeToValidation();
        Map<String, Object> configuration;
        try {
            configuration = fetch();
        } catch (RuntimeException e) {
            throw new StartException("GetConfiguration failed: " + e.getMessage(), EXIT_FAILED, e);
        }
        GatewayConfig config;
        try {
            config = validation.parse(configuration, source);
        } catch (ConfigException e) {
            LOG.error("the component configuration is invalid; fix it and deploy again:\n{}", describe(e.problems()));
            throw new StartException("invalid component configuration (" + e.problems().size() + " problem"
                    + (e.problems().size() == 1 ? "" : "s") + ")", EXIT_INVALID_CONFIG, e);
        }
        io.sluice.gateway.logging.Logging.apply(config.logging(), true);
        Path dataDir = dataDirOverride != null ? dataDirOverride : Path.of(config.store().directory());
        try {
            runningGateway = RunningGateway.start(config, dataDir, GatewayServices.of(GreengrassIpc.class, ipc));
            gateway = runningGateway.gateway();
            ipcStateGauges(gateway.registry());
        } catch (Exception e) {
            LOG.error("the gateway could not start", e);
            throw new StartException("the gateway could not start: " + e.getMessage(), EXIT_FAILED, e);
        }
        running = ComponentConfiguration.gatewayPart(configuration);
        runningConfig = config;
        LOG.info("gateway started from the component configuration: {} connectors, {} streams, {} destinations; data in {}",
                config.connectors().size(), config.streams().size(), config.destinations().size(), dataDir.toAbsolutePath());
        ipc.onReconnect(() -> {
            try {
                subscribe();
                subscribeToValidation();
            } catch (StartException | RuntimeException e) {
                LOG.error("could not subscribe to configuration updates again after reconnecting: {}", e.getMessage());
            }
            scheduleReload();
        });
        state.moveTo(State.RUNNING);
        reportState(ReportedLifecycleState.RUNNING);
    }

    /** {@code sluice.greengrass.ipc.state{state}}: 1 for the IPC session's current state, in status and metrics. */
    private void ipcStateGauges(io.micrometer.core.instrument.MeterRegistry registry) {
        for (IpcSessionState state : IpcSessionState.values()) {
            registry.gauge("sluice.greengrass.ipc.state", io.micrometer.core.instrument.Tags.of("state", state.name()),
                    ipc, i -> i.state() == state ? 1 : 0);
        }
    }

    private void subscribe() throws StartException {
        SubscribeToConfigurationUpdateRequest request = new SubscribeToConfigurationUpdateRequest();
        request.setKeyPath(List.of());
        try {
            GreengrassCoreIPCClientV2.StreamingResponse<java.util.concurrent.CompletableFuture<SubscribeToConfigurationUpdateResponse>,
                    SubscribeToConfigurationUpdateResponseHandler> response = ipc.client().subscribeToConfigurationUpdateAsync(
                    request, this::onUpdateEvent, Optional.of(this::onStreamError), Optional.of(this::onStreamClosed));
            response.getResponse().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            subscription = response.getHandler();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartException("interrupted while subscribing to configuration updates", EXIT_FAILED, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new StartException("SubscribeToConfigurationUpdate failed: " + cause, EXIT_FAILED, cause);
        }
    }

    /**
     * Asks the nucleus to let this component validate deployments before they are applied: a deployment whose
     * configuration does not validate then fails (and can roll back) with the problems as its reason, instead of
     * reaching the component and being rejected there.
     */
    private void subscribeToValidation() throws StartException {
        try {
            var response = ipc.client().subscribeToValidateConfigurationUpdatesAsync(
                    new SubscribeToValidateConfigurationUpdatesRequest(), this::onValidateEvent,
                    Optional.of(this::onStreamError), Optional.empty());
            response.getResponse().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartException("interrupted while subscribing to configuration validation", EXIT_FAILED, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new StartException("SubscribeToValidateConfigurationUpdates failed: " + cause, EXIT_FAILED, cause);
        }
    }

    private void onValidateEvent(ValidateConfigurationUpdateEvents events) {
        ValidateConfigurationUpdateEvent event = events.getValidateConfigurationUpdateEvent();
        if (event == null || event.getDeploymentId() == null) {
            return;
        }
        Map<String, Object> proposed = event.getConfiguration() == null ? Map.of() : event.getConfiguration();
        ConfigurationValidityReport report = new ConfigurationValidityReport();
        report.setDeploymentId(event.getDeploymentId());
        Throwable fatal = null;
        try {
            validation.parse(proposed, source);
            report.setStatus(ConfigurationValidityStatus.ACCEPTED);
            LOG.info("deployment {}: proposed configuration is valid", event.getDeploymentId());
        } catch (ConfigException e) {
            report.setStatus(ConfigurationValidityStatus.REJECTED);
            String problems = e.problems().stream().map(ConfigProblem::toString).collect(Collectors.joining("; "));
            report.setMessage(problems.length() > 2000 ? problems.substring(0, 2000) + " ..." : problems);
            LOG.error("deployment {}: proposed configuration REJECTED, the deployment fails ({} problem{}):\n{}",
                    event.getDeploymentId(), e.problems().size(), e.problems().size() == 1 ? "" : "s",
                    describe(e.problems()));
        } catch (Throwable e) { // every failure gets an answer: without one the deployment waits until it times out
            report.setStatus(ConfigurationValidityStatus.REJECTED);
            report.setMessage(truncate("Sluice cannot validate the proposed configuration: " + e));
            LOG.error("deployment {}: cannot validate the proposed configuration, REJECTED: {}", event.getDeploymentId(),
                    e.toString());
            LOG.debug("validation failure", e);
            if (e instanceof VirtualMachineError) {
                fatal = e; // answered, then left to the JVM
            }
        }
        sendValidityReport(event.getDeploymentId(), report);
        if (fatal instanceof VirtualMachineError vme) {
            throw vme;
        }
    }

    private static String truncate(String message) {
        return message.length() > 2000 ? message.substring(0, 2000) + " ..." : message;
    }

    private void sendValidityReport(String deploymentId, ConfigurationValidityReport report) {
        SendConfigurationValidityReportRequest request = new SendConfigurationValidityReportRequest();
        request.setConfigurationValidityReport(report);
        ipc.call(() -> ipc.client().sendConfigurationValidityReportAsync(request), CALL_TIMEOUT)
                .whenComplete((r, error) -> {
                    if (error != null) {
                        LOG.error("could not send the validity report of deployment {}: {}", deploymentId,
                                error.toString());
                    }
                });
    }

    private void onUpdateEvent(ConfigurationUpdateEvents events) {
        var event = events.getConfigurationUpdateEvent();
        LOG.debug("configuration changed at {}", event == null ? "?" : event.getKeyPath());
        scheduleReload();
    }

    private Boolean onStreamError(Throwable error) {
        LOG.warn("configuration update stream error: {}", error.toString());
        return false; // keep the stream open
    }

    private void onStreamClosed() {
        if (!stopping()) {
            LOG.warn("the configuration update stream was closed by the nucleus; it is opened again when IPC reconnects");
        }
    }

    private synchronized void scheduleReload() {
        if (stopping()) {
            return;
        }
        if (pendingReload != null) {
            pendingReload.cancel(false);
        }
        pendingReload = updates.schedule(this::reload, QUIET_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void reload() {
        if (stopping()) {
            return;
        }
        Map<String, Object> configuration;
        try {
            configuration = fetch();
        } catch (RuntimeException e) {
            LOG.error("could not read the updated configuration ({}); trying again in 5 s", e.getMessage());
            synchronized (this) {
                if (!stopping()) {
                    pendingReload = updates.schedule(this::reload, 5, TimeUnit.SECONDS);
                }
            }
            return;
        }
        Map<String, Object> gatewayPart = ComponentConfiguration.gatewayPart(configuration);
        if (gatewayPart.equals(running)) {
            LOG.info("configuration update does not change the gateway configuration; nothing to apply");
            return;
        }
        GatewayConfig next;
        try {
            next = validation.parse(configuration, source);
        } catch (ConfigException e) {
            rejected.incrementAndGet();
            LOG.error("configuration update REJECTED, the running configuration stays in effect ({} problem{}):\n{}",
                    e.problems().size(), e.problems().size() == 1 ? "" : "s", describe(e.problems()));
            return;
        } catch (RuntimeException | LinkageError | ServiceConfigurationError e) { // e.g. the jar became unreadable
            rejected.incrementAndGet();
            LOG.error("configuration update REJECTED, it cannot be validated ({}); the running configuration stays in "
                    + "effect", e.toString());
            return;
        }
        try {
            gateway.reconfigure(next);
        } catch (RuntimeException e) {
            rejected.incrementAndGet();
            LOG.error("configuration update could not be applied: {}", e.getMessage(), e);
            return;
        }
        GatewayConfig previous = runningConfig;
        running = gatewayPart;
        runningConfig = next;
        applied.incrementAndGet();
        LOG.info("configuration update applied without restart: {}", describeChanges(previous, next));
    }

    private Map<String, Object> fetch() {
        GetConfigurationRequest request = new GetConfigurationRequest();
        request.setKeyPath(List.of());
        GetConfigurationResponse response = ipc.call(() -> ipc.client().getConfigurationAsync(request), CALL_TIMEOUT).join();
        if (response.getComponentName() != null) {
            source = "greengrass:" + response.getComponentName();
        }
        Map<String, Object> value = response.getValue();
        return value == null ? Map.of() : value;
    }

    private void reportState(ReportedLifecycleState state) {
        reportState(ipc, state);
    }

    private static void reportState(GreengrassIpc ipc, ReportedLifecycleState state) {
        UpdateStateRequest request = new UpdateStateRequest();
        request.setState(state);
        try {
            ipc.call(() -> ipc.client().updateStateAsync(request), CALL_TIMEOUT).join();
            LOG.info("reported state {} to the nucleus", state.getValue());
        } catch (RuntimeException e) {
            LOG.error("could not report state {} to the nucleus: {}", state.getValue(), e.getMessage());
        }
    }

    /** What a reconfigure changes, for the log: {@code connectors added [b]; streams telemetry priority 5 -> 2}. */
    static String describeChanges(GatewayConfig before, GatewayConfig after) {
        return io.sluice.runtime.ConfigChanges.describe(before, after);
    }

    private static String describe(List<ConfigProblem> problems) {
        return problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitStop() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Configuration updates applied since start. */
    public long appliedUpdates() {
        return applied.get();
    }

    /** Configuration updates rejected (invalid, or refused by the gateway) since start. */
    public long rejectedUpdates() {
        return rejected.get();
    }

    /** The configuration the gateway runs with. */
    public GatewayConfig runningConfig() {
        return runningConfig;
    }

    public Gateway gateway() {
        return gateway;
    }

    /** Stops connectors, flushes, closes the store, then the IPC connection. Safe to call more than once. */
    @Override
    public void close() {
        synchronized (this) {
            if (!state.moveIfAllowed(State.STOPPING)) { // stopping or stopped already
                awaitStopQuietly();
                return;
            }
            if (pendingReload != null) {
                pendingReload.cancel(false);
            }
        }
        LOG.info("stopping: connectors, then flushing and closing the store");
        updates.shutdown();
        try {
            updates.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RunningGateway g = runningGateway;
        if (g != null) {
            try {
                g.close();
            } catch (Exception e) {
                LOG.error("the gateway did not stop cleanly", e);
            }
        }
        SubscribeToConfigurationUpdateResponseHandler s = subscription;
        if (s != null && !s.isClosed()) {
            try {
                s.closeStream().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("closing the configuration update stream: {}", e.toString());
            }
        }
        ipc.close();
        state.moveTo(State.STOPPED);
        LOG.info("stopped");
        stopped.countDown();
    }

    /** Where the component is: starting, running, stopping or stopped. */
    State state() {
        return state.state();
    }

    private boolean stopping() {
        return state.isAnyOf(State.STOPPING, State.STOPPED);
    }

    private void awaitStopQuietly() {
        try {
            stopped.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "GreengrassMode[" + Objects.toString(source) + ", applied=" + applied + ", rejected=" + rejected + "]";
    }
}
