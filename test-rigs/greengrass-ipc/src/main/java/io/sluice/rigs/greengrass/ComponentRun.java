package io.sluice.rigs.greengrass;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A component process started by {@link GreengrassIpcStandIn#deployComponent}, with the lifecycle state the nucleus
 * would give it ({@link ComponentState}): {@code STARTING} until the component reports {@code RUNNING} with
 * {@code UpdateState}, {@code ERRORED} when it reports {@code ERRORED}, exits with a non-zero code or misses the
 * startup timeout. Every change is checked against {@link ComponentState#canMoveTo} and recorded ({@link #states()}).
 */
public final class ComponentRun {

    private static final Logger LOG = LoggerFactory.getLogger(ComponentRun.class);

    private final String componentName;
    private final Process process;
    private final List<ComponentState> states = new ArrayList<>();
    private ComponentState state = ComponentState.NEW;
    private String reason;
    private volatile DeploymentResult deployment;

    ComponentRun(String componentName, Process process) {
        this.componentName = componentName;
        this.process = process;
        synchronized (this) {
            states.add(state);
            moveTo(ComponentState.STARTING, "process " + process.pid() + " started");
        }
        process.onExit().thenAccept(p -> exited(p.exitValue()));
    }

    /** The component reported a state with {@code UpdateState}. */
    synchronized void reported(String reportedState) {
        if ("RUNNING".equals(reportedState) && state == ComponentState.STARTING) {
            moveTo(ComponentState.RUNNING, "reported RUNNING");
        } else if ("ERRORED".equals(reportedState) && state.canMoveTo(ComponentState.ERRORED)) {
            moveTo(ComponentState.ERRORED, "reported ERRORED");
        }
    }

    private synchronized void exited(int code) {
        if (state == ComponentState.STOPPING) {
            moveTo(code == 0 ? ComponentState.FINISHED : ComponentState.ERRORED, "stopped, exit code " + code);
        } else if (code == 0 && state == ComponentState.RUNNING) {
            moveTo(ComponentState.FINISHED, "exited with code 0");
        } else if (state.canMoveTo(ComponentState.ERRORED)) {
            moveTo(ComponentState.ERRORED, "exited with code " + code
                    + (state == ComponentState.STARTING ? " before reporting RUNNING" : ""));
        }
        notifyAll();
    }

    synchronized void startupTimedOut(Duration timeout) {
        if (state == ComponentState.STARTING) {
            moveTo(ComponentState.ERRORED, "did not report RUNNING within the startup timeout of " + timeout.toSeconds() + " s");
        }
    }

    private void moveTo(ComponentState next, String why) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException(componentName + ": " + state + " -> " + next + " is not allowed (" + why + ")");
        }
        LOG.info("component {}: {} -> {} ({})", componentName, state, next, why);
        state = next;
        reason = why;
        states.add(next);
        notifyAll();
    }

    /** Waits until the component has left {@code STARTING} or {@code timeout} has passed; returns the state. */
    synchronized ComponentState awaitStarted(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (state == ComponentState.STARTING) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return state;
    }

    /**
     * Stops the component as the nucleus does on removal or rollback: SIGTERM to the process it started, then, when
     * it has not exited within {@code grace}, a forced kill.
     */
    public StopResult stop(Duration grace) throws InterruptedException {
        synchronized (this) {
            if (state.canMoveTo(ComponentState.STOPPING) && process.isAlive()) {
                moveTo(ComponentState.STOPPING, "stop requested");
            }
        }
        long start = System.nanoTime();
        process.destroy();
        boolean forced = false;
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            forced = true;
            LOG.warn("component {} did not stop within {} ms of SIGTERM: killed", componentName, grace.toMillis());
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        awaitState(s -> s != ComponentState.STOPPING, Duration.ofSeconds(5));
        return new StopResult(process.exitValue(), took, forced);
    }

    private synchronized void awaitState(java.util.function.Predicate<ComponentState> condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(state)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    void deployment(DeploymentResult result) {
        this.deployment = result;
    }

    /** What became of the deployment that started this component. */
    public DeploymentResult deployment() {
        return deployment;
    }

    public synchronized ComponentState state() {
        return state;
    }

    /** Why the component is in its current state, e.g. {@code exited with code 2 before reporting RUNNING}. */
    public synchronized String reason() {
        return reason;
    }

    /** Every state in order, from {@code NEW}. */
    public synchronized List<ComponentState> states() {
        return List.copyOf(states);
    }

    public Process process() {
        return process;
    }
}
