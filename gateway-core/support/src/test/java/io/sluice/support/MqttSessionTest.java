package io.sluice.support;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.support.MqttSession.State;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.LoggerFactory;

/** The session's state machine and its retries, against a socket factory that refuses every connection (no network). */
class MqttSessionTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void transitionsAreTheOnesTheDiagramDraws() {
        assertEquals(EnumSet.of(State.CONNECTING, State.CLOSED), allowedFrom(State.NEW));
        assertEquals(EnumSet.of(State.CONNECTED, State.DISCONNECTED, State.CLOSED), allowedFrom(State.CONNECTING));
        assertEquals(EnumSet.of(State.DISCONNECTED, State.CLOSED), allowedFrom(State.CONNECTED));
        assertEquals(EnumSet.of(State.CONNECTING, State.CLOSED), allowedFrom(State.DISCONNECTED));
        assertEquals(EnumSet.noneOf(State.class), allowedFrom(State.CLOSED));
    }

    private static Set<State> allowedFrom(State from) {
        Set<State> allowed = EnumSet.noneOf(State.class);
        for (State to : State.values()) if (from.canGoTo(to)) allowed.add(to);
        return allowed;
    }

    /** A failed connect waits with the shared backoff, reports each failure, and closing ends the retries for good. */
    @Test
    void failedConnectsAreRetriedWithGrowingWaitsUntilClosed() throws Exception {
        List<Duration> waits = new CopyOnWriteArrayList<>();
        List<String> reasons = new CopyOnWriteArrayList<>();
        AtomicInteger connected = new AtomicInteger();
        MqttSession session = session(refusingOptions(), new MqttSession.Listener() {
            @Override
            public void connected(MqttAsyncClient client, boolean reconnect) {
                connected.incrementAndGet();
            }

            @Override
            public void disconnected(String reason, Duration retryIn) {
                reasons.add(reason);
                waits.add(retryIn);
            }
        });
        assertEquals(State.NEW, session.state());
        session.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> waits.size() >= 3);
        for (int n = 0; n < 3; n++) {
            long step = 40L << n;
            long waited = waits.get(n).toMillis();
            assertTrue(waited >= step / 2 && waited <= step, "wait " + n + " is " + waited + "ms: " + waits);
        }
        assertTrue(reasons.get(0).contains("refused by the test"), reasons.toString());
        assertTrue(session.lastError().contains("refused by the test"), session.lastError());
        assertFalse(session.isConnected());
        assertEquals(0, connected.get());
        assertEquals(0, session.connects());

        session.close();
        assertEquals(State.CLOSED, session.state());
        session.start();
        session.close();
        assertEquals(State.CLOSED, session.state(), "closed is final");
        // a task queued after close on the same single-threaded scheduler runs after any pending attempt would have
        int before = reasons.size();
        scheduler.schedule(() -> {}, 200, java.util.concurrent.TimeUnit.MILLISECONDS).get();
        assertTrue(reasons.size() <= before + 1, "no retries after close: " + reasons);
        assertEquals(State.CLOSED, session.state());
    }

    /** Many failed connects in one episode, with two reasons in turn: one WARN line per reason, not per attempt. */
    @Test
    void anEpisodeOfFailuresIsLoggedOncePerReason() throws Exception {
        CapturingLogger log = failingEpisode(MqttSession.Reporting.LOG);
        List<String> warnings = log.lines(Level.WARN);
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("refused A")) && warnings.stream().anyMatch(w -> w.contains("refused B")),
                warnings.toString());
        assertTrue(warnings.get(0).startsWith("test: cannot connect to tcp://broker.invalid:1883: "), warnings.get(0));
    }

    /** An owner that reports through its health (a connector) gets no second WARN line from the session. */
    @Test
    void anOwnerThatReportsItselfGetsDebugLinesOnly() throws Exception {
        CapturingLogger log = failingEpisode(MqttSession.Reporting.OWNER);
        assertEquals(List.of(), log.lines(Level.WARN));
        assertEquals(List.of(), log.lines(Level.INFO));
        assertTrue(log.lines(Level.DEBUG).stream().anyMatch(l -> l.startsWith("test: cannot connect")), log.lines(Level.DEBUG).toString());
    }

    private CapturingLogger failingEpisode(MqttSession.Reporting reporting) throws Exception {
        CapturingLogger log = new CapturingLogger();
        List<String> reasons = new CopyOnWriteArrayList<>();
        // the reason alternates from one attempt to the next: the listener hears of each failure before the next attempt
        MqttConnectOptions options = refusingOptions(() -> reasons.size() % 2 == 0 ? "refused A" : "refused B");
        MqttSession session = new MqttSession(new MqttSession.Settings("test", "tcp://broker.invalid:1883", "c1", options,
                Duration.ofMillis(2), Duration.ofMillis(4), reporting), scheduler, log, new MqttSession.Listener() {
                    @Override
                    public void disconnected(String reason, Duration retryIn) {
                        reasons.add(reason);
                    }
                }, MqttSession::describe);
        session.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> reasons.size() >= 10);
        session.close();
        return log;
    }

    @Test
    void pahosOwnReconnectIsRefused() {
        MqttConnectOptions options = refusingOptions();
        options.setAutomaticReconnect(true);
        assertThrows(IllegalArgumentException.class, () -> session(options, new MqttSession.Listener() {}));
    }

    private MqttSession session(MqttConnectOptions options, MqttSession.Listener listener) throws Exception {
        return new MqttSession(new MqttSession.Settings("test", "tcp://broker.invalid:1883", "c1", options,
                Duration.ofMillis(40), Duration.ofSeconds(5), MqttSession.Reporting.LOG), scheduler, LoggerFactory.getLogger(MqttSessionTest.class),
                listener, MqttSession::describe);
    }

    private static MqttConnectOptions refusingOptions() {
        return refusingOptions(() -> "refused by the test");
    }

    private static MqttConnectOptions refusingOptions(Supplier<String> why) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(1);
        options.setSocketFactory(new RefusingSocketFactory(why));
        return options;
    }

    /** Refuses every connection with the reason {@code why} gives; Paho only calls the no-argument form. */
    private static final class RefusingSocketFactory extends SocketFactory {
        private final Supplier<String> why;

        RefusingSocketFactory(Supplier<String> why) {
            this.why = why;
        }

        @Override
        public Socket createSocket() throws IOException {
            throw new IOException(why.get());
        }

        @Override public Socket createSocket(String host, int port) throws IOException { return createSocket(); }
        @Override public Socket createSocket(String h, int p, InetAddress l, int lp) throws IOException { return createSocket(); }
        @Override public Socket createSocket(InetAddress host, int port) throws IOException { return createSocket(); }
        @Override public Socket createSocket(InetAddress a, int p, InetAddress l, int lp) throws IOException { return createSocket(); }
    }

    /** Keeps every formatted line with its level. */
    private static final class CapturingLogger extends LegacyAbstractLogger {
        private record Line(Level level, String text) {}

        private final List<Line> lines = new CopyOnWriteArrayList<>();

        List<String> lines(Level level) {
            return lines.stream().filter(l -> l.level() == level).map(Line::text).toList();
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
            lines.add(new Line(level, MessageFormatter.basicArrayFormat(pattern, args)));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
