package io.sluice.gateway.greengrass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.greengrass.GreengrassIpcStandIn;
import io.sluice.rigs.greengrass.IoTCorePublish;
import io.sluice.rigs.greengrass.TopicPublish;
import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.SluiceException;
import io.sluice.spi.Value;
import io.sluice.spi.config.DataSize;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.PacketOutcome;
import io.sluice.testkit.FakeDestinationContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The IoT Core transport and the local pub/sub destination against the IPC stand-in over a real Unix socket. */
class GreengrassIpcDestinationsIT {

    @TempDir
    Path dir;

    private GreengrassIpcStandIn nucleus;
    private GreengrassIpc ipc;
    private FakeDestinationContext context;

    @BeforeEach
    void start() throws Exception {
        nucleus = GreengrassIpcStandIn.builder()
                .socketPath(dir.resolve("ipc.sock"))
                .allowIoTCoreTopics(List.of("plant/#"))
                .allowPubSubTopics(List.of("sluice/#"))
                .start();
        ipc = GreengrassIpc.connect(nucleus.componentEnvironment(), Duration.ofSeconds(10));
        context = new FakeDestinationContext("dest", dir);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (ipc != null) ipc.close();
        if (nucleus != null) {
            // the server sees the client go before it closes too: both closing at once can crash the CRT server
            GreengrassIpcStandIn.await(nucleus::openConnections, n -> n == 0, Duration.ofSeconds(10));
            nucleus.close();
        }
        context.close();
    }

    private GreengrassIpcTransport transport() {
        return new GreengrassIpcTransport("cloud", IpcConnectionSource.of(() -> ipc), LoggerFactory.getLogger("test"));
    }

    @Test
    void transportPublishesWithQos1() throws Exception {
        GreengrassIpcTransport t = transport();
        assertTrue(t.isConnected());
        assertNull(t.publish("plant/line-1/temp", "{\"v\":1}".getBytes(StandardCharsets.UTF_8), 1).get(10, TimeUnit.SECONDS));
        t.publish("plant/line-1/temp", new byte[] {2}, 0).get(10, TimeUnit.SECONDS);
        List<IoTCorePublish> published = nucleus.iotCorePublishes();
        assertEquals(2, published.size());
        assertEquals("plant/line-1/temp", published.get(0).topic());
        assertEquals(1, published.get(0).qos());
        assertEquals("{\"v\":1}", published.get(0).payloadText());
        assertEquals(0, published.get(1).qos());
    }

    @Test
    void transportErrorsCarryTheRetryableFlag() throws Exception {
        GreengrassIpcTransport t = transport();
        SluiceException unauthorized = failure(t, "elsewhere/x", 1);
        assertTrue(unauthorized.retryable(), "an access-control gap is fixed by a deployment; keep the data");
        assertTrue(unauthorized.getMessage().contains("not authorized"));

        nucleus.failNextIoTCorePublishes(1);
        assertTrue(failure(t, "plant/x", 1).retryable());

        assertFalse(failure(t, "plant/x", 2).retryable(), "QoS 2 is never possible");
        assertEquals(0, nucleus.iotCorePublishes().size());
    }

    @Test
    void transportFailsRetryablyWhenTheNucleusIsGone() throws Exception {
        GreengrassIpcTransport t = transport();
        nucleus.close();
        GreengrassIpcStandIn.await(ipc::isConnected, c -> !c, Duration.ofSeconds(10));
        assertFalse(t.isConnected());
        assertTrue(failure(t, "plant/x", 1).retryable());
        nucleus = null;
    }

    @Test
    void ipcReconnectsWhenTheNucleusComesBack() throws Exception {
        Path socket = nucleus.socketPath();
        String token = nucleus.authToken();
        AtomicInteger reconnects = new AtomicInteger();
        ipc.onReconnect(reconnects::incrementAndGet);
        assertEquals(IpcSessionState.CONNECTED, ipc.state());
        nucleus.close();
        GreengrassIpcStandIn.await(ipc::isConnected, c -> !c, Duration.ofSeconds(10));
        assertEquals(IpcSessionState.RECONNECTING, ipc.state());
        nucleus = GreengrassIpcStandIn.builder().socketPath(socket).authToken(token).start();
        assertTrue(GreengrassIpcStandIn.await(ipc::isConnected, c -> c, Duration.ofSeconds(20)));
        assertEquals(IpcSessionState.CONNECTED, ipc.state());
        // the session is CONNECTED before the reconnect listeners run on the reconnect thread
        assertEquals(1, GreengrassIpcStandIn.await(reconnects::get, n -> n == 1, Duration.ofSeconds(10)));
        transport().publish("plant/again", new byte[0], 1).get(10, TimeUnit.SECONDS);
        assertEquals("plant/again", nucleus.iotCorePublishes().get(0).topic());
    }

    private SluiceException failure(GreengrassIpcTransport t, String topic, int qos) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> t.publish(topic, new byte[0], qos).get(10, TimeUnit.SECONDS));
        return assertInstanceOf(SluiceException.class, e.getCause());
    }

    private static OutboundSample sample(long seq, String tag, double v) {
        return new OutboundSample("telemetry", seq, "sim", new Sample(tag, Value.of(v), Quality.GOOD, 0,
                1_795_000_000_000_000_000L, 1_795_000_000_000_000_000L, null), AssetContext.EMPTY);
    }

    @Test
    void pubSubDestinationPublishesJsonMessages() throws Exception {
        GreengrassPubSubDestination d = new GreengrassPubSubDestination("local", new GreengrassPubSubConfig(
                "sluice/{stream}", GreengrassPubSubConfig.MessageFormat.JSON, 10, DataSize.ofKilobytes(128)),
                () -> ipc);
        d.start(context);
        PackResult packed = d.pack(List.of(sample(1, "a", 1.5), sample(2, "b", 2.5)));
        List<PacketOutcome> outcomes = d.sendAsync(packed.packets()).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(PacketOutcome.DELIVERED), outcomes);
        TopicPublish p = nucleus.topicPublishes().get(0);
        assertEquals("sluice/telemetry", p.topic());
        List<?> samples = (List<?>) p.json().get("samples");
        assertEquals(2, samples.size());
        assertEquals("a", ((Map<?, ?>) samples.get(0)).get("tag"));
        assertEquals(1.5, ((Map<?, ?>) samples.get(0)).get("value"));
    }

    @Test
    void pubSubDestinationPublishesBinaryMessages() throws Exception {
        GreengrassPubSubDestination d = new GreengrassPubSubDestination("local", new GreengrassPubSubConfig(
                "sluice/{stream}/{tag}", GreengrassPubSubConfig.MessageFormat.BINARY, 10,
                DataSize.ofKilobytes(128)), () -> ipc);
        d.start(context);
        PackResult packed = d.pack(List.of(sample(1, "a", 1.5), sample(2, "b", 2.5)));
        assertEquals(2, packed.packets().size());
        for (var packet : packed.packets()) {
            assertEquals(List.of(PacketOutcome.DELIVERED), d.sendAsync(List.of(packet)).get(10, TimeUnit.SECONDS));
        }
        List<TopicPublish> published = nucleus.topicPublishes();
        assertEquals(List.of("sluice/telemetry/a", "sluice/telemetry/b"), published.stream().map(TopicPublish::topic).toList());
        assertTrue(published.get(1).binaryText().startsWith("{\"samples\":[{\"stream\":\"telemetry\",\"seq\":2"),
                published.get(1).binaryText());
    }

    @Test
    void pubSubUnauthorizedTopicIsRetriedNotDeadLettered() throws Exception {
        GreengrassPubSubDestination d = new GreengrassPubSubDestination("local", new GreengrassPubSubConfig(
                "other/{stream}", GreengrassPubSubConfig.MessageFormat.JSON, 10, DataSize.ofKilobytes(128)),
                () -> ipc);
        d.start(context);
        List<PacketOutcome> outcomes = d.sendAsync(d.pack(List.of(sample(1, "a", 1))).packets()).get(10, TimeUnit.SECONDS);
        PacketOutcome.Retry retry = assertInstanceOf(PacketOutcome.Retry.class, outcomes.get(0));
        assertTrue(retry.reason().contains("not authorized"), retry.reason());
        assertTrue(nucleus.topicPublishes().isEmpty());
    }
}
