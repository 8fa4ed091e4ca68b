package io.sluice.rigs.greengrass;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.aws.greengrass.GreengrassCoreIPCClientV2;
import software.amazon.awssdk.aws.greengrass.model.BinaryMessage;
import software.amazon.awssdk.aws.greengrass.model.ConfigurationUpdateEvents;
import software.amazon.awssdk.aws.greengrass.model.GetConfigurationRequest;
import software.amazon.awssdk.aws.greengrass.model.GetConfigurationResponse;
import software.amazon.awssdk.aws.greengrass.model.JsonMessage;
import software.amazon.awssdk.aws.greengrass.model.PublishMessage;
import software.amazon.awssdk.aws.greengrass.model.PublishToIoTCoreRequest;
import software.amazon.awssdk.aws.greengrass.model.PublishToTopicRequest;
import software.amazon.awssdk.aws.greengrass.model.QOS;
import software.amazon.awssdk.aws.greengrass.model.ReportedLifecycleState;
import software.amazon.awssdk.aws.greengrass.model.ResourceNotFoundError;
import software.amazon.awssdk.aws.greengrass.model.ServiceError;
import software.amazon.awssdk.aws.greengrass.model.SubscribeToConfigurationUpdateRequest;
import software.amazon.awssdk.aws.greengrass.model.UnauthorizedError;
import software.amazon.awssdk.aws.greengrass.model.UpdateStateRequest;

/** The real GreengrassCoreIPCClientV2 against the stand-in over a real Unix domain socket. */
class GreengrassIpcStandInIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private GreengrassIpcStandIn nucleus;
    private GreengrassCoreIPCClientV2 client;

    @BeforeEach
    void start() throws IOException {
        nucleus = GreengrassIpcStandIn.builder()
                .socketPath(shortSocketPath())
                .componentName("io.sluice.Gateway")
                .configuration(Map.of(
                        "streams", Map.of("telemetry", Map.of("priority", 5)),
                        "destinations", Map.of("cloud", Map.of("type", "iot-core", "topic", "plant/{tag}"))))
                .allowIoTCoreTopics(List.of("plant/#"))
                .allowPubSubTopics(List.of("sluice/+/samples"))
                .start();
        client = GreengrassCoreIPCClientV2.builder()
                .withSocketPath(nucleus.socketPath().toString())
                .withAuthToken(nucleus.authToken())
                .build();
    }

    private Path shortSocketPath() throws IOException {
        // @TempDir paths can be long; Unix socket paths are limited to ~100 bytes.
        Path p = dir.resolve("ipc.sock");
        return p.toString().length() < 100 ? p : Files.createTempDirectory("gg").resolve("ipc.sock");
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) client.close();
        if (nucleus != null) {
            // one side closes at a time: the server's close begins once it has seen the client's
            GreengrassIpcStandIn.await(nucleus::openConnections, n -> n == 0, WAIT);
            nucleus.close();
        }
    }

    @Test
    void handshakeCarriesVersionAndToken() {
        List<ConnectAttempt> connects = nucleus.connects();
        assertEquals(1, connects.size());
        assertTrue(connects.get(0).accepted());
        assertEquals("0.1.0", connects.get(0).version());
    }

    @Test
    void wrongTokenIsRejected() {
        IOException e = assertThrows(IOException.class, () -> GreengrassCoreIPCClientV2.builder()
                .withSocketPath(nucleus.socketPath().toString()).withAuthToken("not-the-svcuid").build());
        assertTrue(e.getMessage().contains("AccessDenied") || String.valueOf(e.getCause()).contains("denied"), e.toString());
        assertFalse(nucleus.connects().get(1).accepted());
        assertEquals("authToken does not match SVCUID", nucleus.connects().get(1).reason());
    }

    @Test
    void getConfigurationReturnsTreeAndLeaves() throws Exception {
        GetConfigurationResponse whole = client.getConfiguration(new GetConfigurationRequest());
        assertEquals("io.sluice.Gateway", whole.getComponentName());
        @SuppressWarnings("unchecked")
        Map<String, Object> streams = (Map<String, Object>) whole.getValue().get("streams");
        assertEquals(Map.of("telemetry", Map.of("priority", 5.0)), streams);

        GetConfigurationRequest leaf = new GetConfigurationRequest();
        leaf.setKeyPath(List.of("streams", "telemetry", "priority"));
        assertEquals(Map.of("priority", 5.0), client.getConfiguration(leaf).getValue());

        GetConfigurationRequest missing = new GetConfigurationRequest();
        missing.setKeyPath(List.of("nope"));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.getConfigurationAsync(missing).get(10, TimeUnit.SECONDS));
        assertInstanceOf(ResourceNotFoundError.class, e.getCause());
        assertEquals("aws.greengrass#ResourceNotFoundError", nucleus.calls("GetConfiguration").get(2).outcome());
    }

    @Test
    void pushedUpdateReachesSubscriberPerChangedKey() throws Exception {
        LinkedBlockingQueue<List<String>> events = new LinkedBlockingQueue<>();
        SubscribeToConfigurationUpdateRequest request = new SubscribeToConfigurationUpdateRequest();
        request.setKeyPath(List.of());
        client.subscribeToConfigurationUpdate(request,
                (ConfigurationUpdateEvents e) -> events.add(e.getConfigurationUpdateEvent().getKeyPath()),
                Optional.empty(), Optional.empty());
        assertEquals(1, GreengrassIpcStandIn.await(nucleus::configurationSubscribers, n -> n == 1, WAIT));

        int sent = nucleus.mergeConfiguration(Map.of(
                "streams", Map.of("telemetry", Map.of("priority", 2), "alarms", Map.of("priority", 1))));
        assertEquals(2, sent);
        List<String> first = events.poll(10, TimeUnit.SECONDS);
        List<String> second = events.poll(10, TimeUnit.SECONDS);
        // the client hands stream events to its executor, so their order is not guaranteed
        assertEquals(java.util.Set.of(List.of("streams", "telemetry", "priority"), List.of("streams", "alarms", "priority")),
                java.util.Set.of(first, second));

        GetConfigurationRequest get = new GetConfigurationRequest();
        get.setKeyPath(List.of("streams", "telemetry"));
        assertEquals(Map.of("priority", 2.0), client.getConfiguration(get).getValue());

        // unchanged configuration: no event
        assertEquals(0, nucleus.mergeConfiguration(Map.of("streams", Map.of("telemetry", Map.of("priority", 2)))));
    }

    @Test
    void subscriptionWithKeyPathOnlySeesThatSubtree() throws Exception {
        LinkedBlockingQueue<List<String>> events = new LinkedBlockingQueue<>();
        SubscribeToConfigurationUpdateRequest request = new SubscribeToConfigurationUpdateRequest();
        request.setKeyPath(List.of("destinations"));
        client.subscribeToConfigurationUpdate(request,
                e -> events.add(e.getConfigurationUpdateEvent().getKeyPath()), Optional.empty(), Optional.empty());
        GreengrassIpcStandIn.await(nucleus::configurationSubscribers, n -> n == 1, WAIT);
        assertEquals(0, nucleus.mergeConfiguration(Map.of("streams", Map.of("telemetry", Map.of("priority", 9)))));
        assertEquals(1, nucleus.mergeConfiguration(Map.of("destinations", Map.of("cloud", Map.of("topic", "x/{tag}")))));
        assertEquals(List.of("destinations", "cloud", "topic"), events.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void deploymentsAreValidatedByTheComponentFirst() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> verdict = new java.util.concurrent.atomic.AtomicReference<>("REJECTED");
        LinkedBlockingQueue<Map<String, Object>> proposed = new LinkedBlockingQueue<>();
        client.subscribeToValidateConfigurationUpdates(new software.amazon.awssdk.aws.greengrass.model.SubscribeToValidateConfigurationUpdatesRequest(),
                events -> {
                    var event = events.getValidateConfigurationUpdateEvent();
                    proposed.add(event.getConfiguration());
                    if (verdict.get() == null) return; // say nothing: the nucleus times out and applies
                    var report = new software.amazon.awssdk.aws.greengrass.model.ConfigurationValidityReport();
                    report.setDeploymentId(event.getDeploymentId());
                    report.setStatus(verdict.get());
                    report.setMessage(verdict.get().equals("REJECTED") ? "streams.telemetry.priority: expected 1..10" : null);
                    var request = new software.amazon.awssdk.aws.greengrass.model.SendConfigurationValidityReportRequest();
                    request.setConfigurationValidityReport(report);
                    client.sendConfigurationValidityReportAsync(request);
                }, Optional.empty(), Optional.empty());
        assertEquals(1, GreengrassIpcStandIn.await(nucleus::configurationValidators, n -> n == 1, WAIT));

        DeploymentResult rejected = nucleus.deploy(Map.of("streams", Map.of("telemetry", Map.of("priority", 11))), WAIT);
        assertEquals("REJECTED", rejected.status());
        assertFalse(rejected.applied());
        assertEquals("streams.telemetry.priority: expected 1..10", rejected.message());
        assertEquals(Map.of("telemetry", Map.of("priority", 11.0)), proposed.poll(10, TimeUnit.SECONDS).get("streams"));
        assertEquals(Map.of("telemetry", Map.of("priority", 5)), nucleus.configuration().get("streams"));

        verdict.set("ACCEPTED");
        DeploymentResult accepted = nucleus.deploy(Map.of("streams", Map.of("telemetry", Map.of("priority", 2))), WAIT);
        assertTrue(accepted.applied());
        assertEquals("ACCEPTED", accepted.status());
        assertEquals(Map.of("telemetry", Map.of("priority", 2)), nucleus.configuration().get("streams"));

        verdict.set(null);
        DeploymentResult silent = nucleus.deploy(Map.of("streams", Map.of("telemetry", Map.of("priority", 3))),
                Duration.ofMillis(300));
        assertEquals("TIMED_OUT", silent.status());
        assertTrue(silent.applied());
        assertEquals(3, nucleus.deployments().size());
        assertEquals(List.of("ok", "ok"), nucleus.calls("SendConfigurationValidityReport").stream().map(IpcCall::outcome).toList());
    }

    @Test
    void updateStateIsRecorded() throws Exception {
        UpdateStateRequest request = new UpdateStateRequest();
        request.setState(ReportedLifecycleState.RUNNING);
        client.updateState(request);
        request.setState(ReportedLifecycleState.ERRORED);
        client.updateState(request);
        assertEquals(List.of("RUNNING", "ERRORED"), nucleus.reportedStates());
    }

    @Test
    void publishToIoTCoreIsRecordedAndAuthorized() throws Exception {
        PublishToIoTCoreRequest request = new PublishToIoTCoreRequest();
        request.setTopicName("plant/line-1/temperature");
        request.setQos(QOS.AT_LEAST_ONCE);
        request.setPayload("{\"v\":21.5}".getBytes(StandardCharsets.UTF_8));
        client.publishToIoTCore(request);
        IoTCorePublish published = nucleus.iotCorePublishes().get(0);
        assertEquals("plant/line-1/temperature", published.topic());
        assertEquals(1, published.qos());
        assertEquals("{\"v\":21.5}", published.payloadText());

        request.setTopicName("elsewhere/temperature");
        ExecutionException denied = assertThrows(ExecutionException.class,
                () -> client.publishToIoTCoreAsync(request).get(10, TimeUnit.SECONDS));
        assertInstanceOf(UnauthorizedError.class, denied.getCause());

        nucleus.failNextIoTCorePublishes(1);
        request.setTopicName("plant/line-1/pressure");
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> client.publishToIoTCoreAsync(request).get(10, TimeUnit.SECONDS));
        assertInstanceOf(ServiceError.class, failed.getCause());
        client.publishToIoTCore(request);
        assertEquals(2, nucleus.iotCorePublishes().size());
        assertEquals(List.of("ok", "aws.greengrass#UnauthorizedError", "aws.greengrass#ServiceError", "ok"),
                nucleus.calls("PublishToIoTCore").stream().map(IpcCall::outcome).toList());
    }

    @Test
    void publishToTopicBinaryAndJson() throws Exception {
        PublishToTopicRequest binary = new PublishToTopicRequest();
        binary.setTopic("sluice/telemetry/samples");
        BinaryMessage bm = new BinaryMessage();
        bm.setMessage(new byte[] {1, 2, 3});
        PublishMessage pm = new PublishMessage();
        pm.setBinaryMessage(bm);
        binary.setPublishMessage(pm);
        client.publishToTopic(binary);

        PublishToTopicRequest json = new PublishToTopicRequest();
        json.setTopic("sluice/alarms/samples");
        JsonMessage jm = new JsonMessage();
        jm.setMessage(Map.of("tag", "boiler.temperature", "value", 80.5));
        PublishMessage pm2 = new PublishMessage();
        pm2.setJsonMessage(jm);
        json.setPublishMessage(pm2);
        client.publishToTopic(json);

        List<TopicPublish> published = nucleus.topicPublishes();
        assertEquals(2, published.size());
        assertArrayEquals(new byte[] {1, 2, 3}, published.get(0).binary());
        assertEquals(Map.of("tag", "boiler.temperature", "value", 80.5), published.get(1).json());

        json.setTopic("other/topic");
        ExecutionException denied = assertThrows(ExecutionException.class,
                () -> client.publishToTopicAsync(json).get(10, TimeUnit.SECONDS));
        assertInstanceOf(UnauthorizedError.class, denied.getCause());
    }

    @Test
    void everyCallIsRecordedInOrder() throws Exception {
        client.getConfiguration(new GetConfigurationRequest());
        UpdateStateRequest state = new UpdateStateRequest();
        state.setState(ReportedLifecycleState.RUNNING);
        client.updateState(state);
        PublishToIoTCoreRequest publish = new PublishToIoTCoreRequest();
        publish.setTopicName("plant/a");
        publish.setQos(QOS.AT_MOST_ONCE);
        publish.setPayload(new byte[0]);
        client.publishToIoTCore(publish);
        assertEquals(List.of("GetConfiguration", "UpdateState", "PublishToIoTCore"),
                nucleus.calls().stream().map(IpcCall::shortName).toList());
        assertTrue(nucleus.calls().get(2).requestJson().contains("\"topicName\":\"plant/a\""));
        assertEquals(0, nucleus.iotCorePublishes().get(0).qos());
    }

    @Test
    void closingTheStandInDisconnectsClients() throws Exception {
        nucleus.close();
        PublishToIoTCoreRequest publish = new PublishToIoTCoreRequest();
        publish.setTopicName("plant/a");
        publish.setQos(QOS.AT_LEAST_ONCE);
        publish.setPayload(new byte[0]);
        assertThrows(Exception.class, () -> client.publishToIoTCoreAsync(publish).get(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(nucleus.socketPath()));
        nucleus = null;
    }
}
