package io.sluice.support;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;

/**
 * One MQTT connection (Eclipse Paho) that connects in the background and reconnects with {@link Backoff} until it is
 * closed. Paho's own automatic reconnect stays off: this class owns the retries, so every Sluice MQTT client logs and
 * reports them the same way.
 *
 * <pre>
 *   NEW ──start──▶ CONNECTING ──connected + Listener.connected ok──▶ CONNECTED
 *                    ▲      │                                            │
 *                    │      └──connect failed / Listener.connected threw─┤ connection lost
 *                    │                                                   ▼
 *                    └───────────────backoff wait elapsed─────────── DISCONNECTED
 *   any state ──close──▶ CLOSED (final)
 * </pre>
 *
 * Logging ({@link Reporting#LOG}; with {@link Reporting#OWNER} the same lines go to DEBUG), one episode being the time from losing (or never having) a connection to having it again: a lost connection
 * is one WARN line, a failed connect one WARN line per episode and distinct reason (repeats, even alternating ones, at
 * DEBUG), the connection
 * (or reconnection) one INFO line. Callbacks run on the scheduler ({@link Listener#connected}) or on Paho's callback
 * thread ({@link Listener#messageArrived}); a message is acknowledged to the broker when {@code messageArrived} returns,
 * and an exception from it drops the connection so the broker delivers the message again.
 */
public final class MqttSession implements AutoCloseable {

    /** The session's lifecycle; {@link #canGoTo} is the diagram in the class comment. */
    public enum State {
        NEW, CONNECTING, CONNECTED, DISCONNECTED, CLOSED;

        public boolean canGoTo(State next) {
            return switch (this) {
                case NEW -> next == CONNECTING || next == CLOSED;
                case CONNECTING -> next == CONNECTED || next == DISCONNECTED || next == CLOSED;
                case CONNECTED -> next == DISCONNECTED || next == CLOSED;
                case DISCONNECTED -> next == CONNECTING || next == CLOSED;
                case CLOSED -> false;
            };
        }
    }

    /** What the owner of a session does with it. */
    public interface Listener {
        /**
         * The connection is up (again); subscribe here, {@code reconnect} tells whether it is the first. Runs on the
         * scheduler; may block on the client's tokens. An exception drops the connection and counts as a failed
         * connect.
         */
        default void connected(MqttAsyncClient client, boolean reconnect) throws Exception {}

        /** A message on a subscribed topic; an exception drops the connection, so the broker delivers it again. */
        default void messageArrived(String topic, MqttMessage message) throws Exception {}

        /** The connection failed or was lost; the next attempt follows after {@code retryIn}. */
        default void disconnected(String reason, Duration retryIn) {}
    }

    /** Who tells the operator about connections, failures and losses. */
    public enum Reporting {
        /** The session logs them (WARN / INFO lines as the class comment says); for destinations. */
        LOG,
        /**
         * The owner does, through {@link Listener#connected} and {@link Listener#disconnected} (a connector's health,
         * which the runtime logs once per change); the session's own lines go to DEBUG.
         */
        OWNER
    }

    /** How to reach the broker: {@code options} must leave automatic reconnect off. */
    public record Settings(String name, String serverUri, String clientId, MqttConnectOptions options,
                           Duration reconnectMinDelay, Duration reconnectMaxDelay, Reporting reporting) {}

    /** A failing broker may word its refusal differently each time; beyond this many, repeats go to DEBUG only. */
    private static final int MAX_REASONS_PER_EPISODE = 8;

    private final Settings settings;
    private final ScheduledExecutorService scheduler;
    private final Logger log;
    private final Listener listener;
    private final Function<Throwable, String> describeFailure;
    private final MqttAsyncClient client;
    private final Backoff backoff;
    private State state = State.NEW;
    /** Numbers connect attempts, so a callback of an earlier attempt changes nothing. */
    private long attempt;
    private long connects;
    private volatile String lastError = "";
    /** The connect failures logged at WARN in this episode (a handful at most); cleared by a connection. */
    private final Set<String> loggedFailures = new HashSet<>();
    private ScheduledFuture<?> pending;

    /**
     * @param describeFailure names a failed connect in one line (e.g. TLS failures by what went wrong); never null
     */
    public MqttSession(Settings settings, ScheduledExecutorService scheduler, Logger log, Listener listener,
                       Function<Throwable, String> describeFailure) throws MqttException {
        if (settings.options().isAutomaticReconnect()) {
            throw new IllegalArgumentException("MqttSession reconnects by itself; turn Paho's automatic reconnect off");
        }
        this.settings = settings;
        this.scheduler = scheduler;
        this.log = log;
        this.listener = listener;
        this.describeFailure = describeFailure;
        this.backoff = new Backoff(settings.reconnectMinDelay(), settings.reconnectMaxDelay());
        this.client = new MqttAsyncClient(settings.serverUri(), settings.clientId(), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost(cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                listener.messageArrived(topic, message);
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
        });
    }

    /** Starts connecting in the background. */
    public void start() {
        long number;
        synchronized (this) {
            if (!move(State.CONNECTING)) return;
            number = ++attempt;
        }
        connect(number);
    }

    private void connect(long number) {
        try {
            client.connect(settings.options(), null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    scheduler.execute(() -> established(number));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    failed(number, cause);
                }
            });
        } catch (MqttException | RuntimeException e) {
            failed(number, e);
        }
    }

    private void established(long number) {
        boolean reconnect;
        synchronized (this) {
            if (number != attempt || state != State.CONNECTING) return;
            reconnect = connects > 0;
        }
        try {
            listener.connected(client, reconnect);
        } catch (Exception e) {
            dropQuietly();
            failed(number, e);
            return;
        }
        synchronized (this) {
            if (number != attempt || !move(State.CONNECTED)) return;
            connects++;
            backoff.reset();
            loggedFailures.clear();
            lastError = "";
        }
        if (reconnect) {
            info("{}: reconnected to {}", settings.name(), settings.serverUri());
        } else {
            info("{}: connected to {} as {}", settings.name(), settings.serverUri(), settings.clientId());
        }
    }

    private void failed(long number, Throwable cause) {
        String reason = describeFailure.apply(cause);
        Duration wait;
        boolean first;
        synchronized (this) {
            if (number != attempt || state != State.CONNECTING) return;
            lastError = reason;
            wait = waitForNextAttempt();
            first = loggedFailures.size() < MAX_REASONS_PER_EPISODE && loggedFailures.add(reason);
        }
        if (first) {
            warn("{}: cannot connect to {}: {}; retrying with backoff", settings.name(), settings.serverUri(), reason);
        } else {
            log.debug("{}: connect failed again: {}", settings.name(), reason, cause);
        }
        listener.disconnected(reason, wait);
        scheduleNextAttempt(wait);
    }

    private void lost(Throwable cause) {
        Duration wait;
        String reason;
        synchronized (this) {
            if (state == State.CONNECTING) {
                // lost while the listener was subscribing: a failed connect
                long number = attempt;
                scheduler.execute(() -> failed(number, cause));
                return;
            }
            if (state != State.CONNECTED) return;
            reason = describe(cause);
            lastError = reason;
            wait = waitForNextAttempt();
        }
        warn("{}: connection to {} lost ({}); reconnecting", settings.name(), settings.serverUri(), reason);
        listener.disconnected(reason, wait);
        scheduleNextAttempt(wait);
    }

    /** Moves to DISCONNECTED and draws the wait before the next attempt; holds the lock. */
    private Duration waitForNextAttempt() {
        move(State.DISCONNECTED);
        return Duration.ofMillis(Math.max(1, backoff.next().toMillis()));
    }

    /**
     * Schedules the next attempt once the failure is logged and the listener has heard of it, so the listener always
     * learns of a failure before the attempt after it; nothing when the session was closed meanwhile.
     */
    private synchronized void scheduleNextAttempt(Duration wait) {
        if (state != State.DISCONNECTED) return;
        pending = scheduler.schedule(this::reconnect, wait.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void reconnect() {
        long number;
        synchronized (this) {
            if (state != State.DISCONNECTED || !move(State.CONNECTING)) return;
            number = ++attempt;
        }
        connect(number);
    }

    private void warn(String format, Object... args) {
        if (settings.reporting() == Reporting.LOG) log.warn(format, args);
        else log.debug(format, args);
    }

    private void info(String format, Object... args) {
        if (settings.reporting() == Reporting.LOG) log.info(format, args);
        else log.debug(format, args);
    }

    /** Holds the lock; false (and no change) for a transition the diagram does not have. */
    private boolean move(State next) {
        if (!state.canGoTo(next)) return false;
        state = next;
        return true;
    }

    public synchronized State state() {
        return state;
    }

    public boolean isConnected() {
        return state() == State.CONNECTED && client.isConnected();
    }

    /** The client, for publishing and subscribing; valid while connected. */
    public MqttAsyncClient client() {
        return client;
    }

    /** Why the last connect failed or the connection was lost; empty while connected. */
    public String lastError() {
        return lastError;
    }

    /** Connections made so far (the first one and every reconnection). */
    public synchronized long connects() {
        return connects;
    }

    public Settings settings() {
        return settings;
    }

    /** The message of {@code t}, followed by its root cause when that is another exception. */
    public static String describe(Throwable t) {
        if (t == null) return "unknown";
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String msg = t.getMessage();
        if (root != t) msg = msg + ": " + root.getClass().getSimpleName() + ": " + root.getMessage();
        return msg;
    }

    private void dropQuietly() {
        try {
            client.disconnectForcibly(0, 1000, false);
        } catch (MqttException e) {
            log.debug("{}: dropping the connection: {}", settings.name(), e.getMessage());
        }
    }

    /** Disconnects (waiting up to two seconds for in-flight work) and releases the client; final. */
    @Override
    public void close() {
        synchronized (this) {
            if (!move(State.CLOSED)) return;
            if (pending != null) pending.cancel(false);
        }
        try {
            if (client.isConnected()) client.disconnect(2000).waitForCompletion(3000);
        } catch (MqttException e) {
            log.debug("{}: disconnect: {}", settings.name(), e.getMessage());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            log.debug("{}: close: {}", settings.name(), e.getMessage());
        }
    }
}
