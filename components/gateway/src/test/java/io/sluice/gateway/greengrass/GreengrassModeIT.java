package io.sluice.gateway.greengrass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.greengrass.DeploymentResult;
import io.sluice.rigs.greengrass.GreengrassIpcStandIn;
import io.sluice.rigs.greengrass.TopicPublish;
import io.sluice.runtime.Gateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Greengrass mode in-process: the real runtime with a simulator connector and the local pub/sub destination, the
 * IPC stand-in as the nucleus over a real Unix socket.
 */
class GreengrassModeIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private GreengrassIpcStandIn nucleus;
    private GreengrassMode mode;

    @AfterEach
    void stop() throws InterruptedException {
        if (mode != null) mode.close();
        if (nucleus != null) {
            // the server sees the client go before it closes too: both closing at once can crash the CRT server
            GreengrassIpcStandIn.await(nucleus::openConnections, n -> n == 0, WAIT);
            nucleus.close();
        }
    }

    static Map<String, Object> simulator(String stream, String tagName) {
        return Map.of("type", "simulator", "stream", stream, "asset", Map.of("site", "it-site"),
                "interval", "100ms", "tags", List.of(Map.of("name", tagName, "kind", "counter")));
    }

    static Map<String, Object> configuration() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("accessControl", Map.of("aws.greengrass.ipc.pubsub", Map.of("p", Map.of(
                "operations", List.of("aws.greengrass#PublishToTopic"), "resources", List.of("sluice/*")))));
        config.put("connectors", Map.of("sim", simulator("telemetry", "counter")));
        config.put("streams", Map.of("telemetry", Map.of("priority", 5,
                "export", List.of(Map.of("destination", "local")))));
        config.put("destinations", Map.of("local", Map.of("type", "greengrass-pubsub", "topic", "sluice/{stream}",
                "max-samples-per-message", 50)));
        return config;
    }

    private GreengrassIpcStandIn nucleus(Map<String, Object> configuration) throws Exception {
        return GreengrassIpcStandIn.builder().socketPath(dir.resolve("ipc.sock")).configuration(configuration)
                .allowPubSubTopics(List.of("sluice/*")).start();
    }

    private static Set<String> connectorsSeen(GreengrassIpcStandIn nucleus) {
        return nucleus.topicPublishes().stream()
                .flatMap(p -> ((List<?>) p.json().get("samples")).stream())
                .map(s -> (String) ((Map<?, ?>) s).get("connector"))
                .collect(Collectors.toSet());
    }

    private static int samplesSeen(GreengrassIpcStandIn nucleus) {
        return nucleus.topicPublishes().stream().mapToInt(p -> ((List<?>) p.json().get("samples")).size()).sum();
    }

    @Test
    void startsReportsRunningAndAppliesLiveUpdates() throws Exception {
        nucleus = nucleus(configuration());
        mode = GreengrassMode.start(dir.resolve("data"), nucleus.componentEnvironment());
        assertEquals(List.of("RUNNING"), nucleus.reportedStates());
        assertEquals(1, nucleus.configurationSubscribers());
        // subscribed before reading, so no update can slip between the two (the destination may publish already)
        assertEquals(List.of("SubscribeToConfigurationUpdate", "SubscribeToValidateConfigurationUpdates",
                        "GetConfiguration", "UpdateState"),
                nucleus.calls().stream().map(c -> c.shortName()).filter(n -> !n.equals("PublishToTopic")).toList());

        List<TopicPublish> first = GreengrassIpcStandIn.await(nucleus::topicPublishes, l -> !l.isEmpty(), WAIT);
        assertEquals("sluice/telemetry", first.get(0).topic());
        Gateway gateway = mode.gateway();
        assertEquals(GreengrassMode.State.RUNNING, mode.state());
        assertEquals(1.0, gateway.registry().get("sluice.greengrass.ipc.state").tag("state", "CONNECTED").gauge().value(),
                "the IPC session's state is a gauge in the gateway's metrics");

        // a deployment adds a connector and raises the stream's priority: applied live, one reconfigure
        nucleus.mergeConfiguration(Map.of(
                "connectors", Map.of("sim2", simulator("telemetry", "second")),
                "streams", Map.of("telemetry", Map.of("priority", 2))));
        assertEquals(1L, GreengrassIpcStandIn.await(mode::appliedUpdates, n -> n == 1, WAIT));
        assertSame(gateway, mode.gateway(), "applied without restarting the gateway");
        assertEquals(2, mode.runningConfig().streams().get("telemetry").priority());
        assertEquals(Set.of("sim", "sim2"), GreengrassIpcStandIn.await(() -> connectorsSeen(nucleus),
                s -> s.contains("sim2"), WAIT));

        // an invalid deployment is rejected; the running configuration stays and keeps delivering
        nucleus.mergeConfiguration(Map.of("streams", Map.of("telemetry", Map.of("priority", 11))));
        assertEquals(1L, GreengrassIpcStandIn.await(mode::rejectedUpdates, n -> n == 1, WAIT));
        assertEquals(2, mode.runningConfig().streams().get("telemetry").priority());
        int before = samplesSeen(nucleus);
        assertTrue(GreengrassIpcStandIn.await(() -> samplesSeen(nucleus), n -> n > before + 5, WAIT) > before + 5,
                "samples keep flowing after a rejected update");
        assertEquals(List.of("RUNNING"), nucleus.reportedStates(), "a rejected update is not an error state");

        // a deployment the nucleus lets the component validate first fails, and never reaches the gateway
        DeploymentResult refused = nucleus.deploy(Map.of("destinations", Map.of("local", Map.of("topic", "sluice/+/x"))), WAIT);
        assertEquals("REJECTED", refused.status());
        assertFalse(refused.applied());
        assertTrue(refused.message().contains("destinations.local.topic"), refused.message());
        assertEquals("sluice/{stream}", ((Map<?, ?>) ((Map<?, ?>) nucleus.configuration().get("destinations")).get("local")).get("topic"));
        assertEquals(1L, mode.rejectedUpdates());

        // a fixed deployment is applied again
        DeploymentResult fixed = nucleus.deploy(Map.of("streams", Map.of("telemetry", Map.of("priority", 3))), WAIT);
        assertEquals("ACCEPTED", fixed.status());
        assertEquals(2L, GreengrassIpcStandIn.await(mode::appliedUpdates, n -> n == 2, WAIT));
        assertEquals(3, mode.runningConfig().streams().get("telemetry").priority());

        // changes to the recipe's own keys are not gateway changes
        int fetches = nucleus.calls("GetConfiguration").size();
        nucleus.mergeConfiguration(Map.of("jvmOptions", "-Xmx512m"));
        // its reload has fetched the configuration; reloads run one after another, so a later update is a marker
        assertTrue(GreengrassIpcStandIn.await(() -> nucleus.calls("GetConfiguration").size(), n -> n > fetches, WAIT) > fetches);
        DeploymentResult marker = nucleus.deploy(Map.of("streams", Map.of("telemetry", Map.of("priority", 4))), WAIT);
        assertEquals("ACCEPTED", marker.status());
        assertEquals(4, GreengrassIpcStandIn.await(() -> mode.runningConfig().streams().get("telemetry").priority(),
                p -> p == 4, WAIT));
        assertEquals(3L, mode.appliedUpdates(), "the marker applied, the recipe key change not");
        assertEquals(1L, mode.rejectedUpdates());

        mode.close();
        assertEquals(GreengrassMode.State.STOPPED, mode.state());
        assertEquals(0, GreengrassIpcStandIn.await(nucleus::openConnections, n -> n == 0, WAIT));
        mode = null;
    }

    @Test
    void nucleusRestartIsSurvived() throws Exception {
        nucleus = nucleus(configuration());
        mode = GreengrassMode.start(dir.resolve("data"), nucleus.componentEnvironment());
        GreengrassIpcStandIn.await(nucleus::topicPublishes, l -> !l.isEmpty(), WAIT);
        Map<String, Object> changed = configuration();
        changed.put("streams", Map.of("telemetry", Map.of("priority", 4, "export", List.of(Map.of("destination", "local")))));
        Path socket = nucleus.socketPath();
        String token = nucleus.authToken();
        nucleus.close();

        // the nucleus comes back (same socket and token) with a configuration changed while it was away
        nucleus = GreengrassIpcStandIn.builder().socketPath(socket).authToken(token).configuration(changed)
                .allowPubSubTopics(List.of("sluice/*")).start();
        assertEquals(1, GreengrassIpcStandIn.await(nucleus::configurationSubscribers, n -> n == 1, WAIT),
                "subscribed again after reconnecting");
        assertEquals(1L, GreengrassIpcStandIn.await(mode::appliedUpdates, n -> n == 1, WAIT));
        assertEquals(4, mode.runningConfig().streams().get("telemetry").priority());
        assertFalse(GreengrassIpcStandIn.await(nucleus::topicPublishes, l -> !l.isEmpty(), WAIT).isEmpty(),
                "samples stored while the nucleus was away are published after it returns");
    }

    @Test
    void invalidConfigurationAtStartIsErrored() throws Exception {
        Map<String, Object> bad = configuration();
        bad.put("streams", Map.of("telemetry", Map.of("priority", 0, "export", List.of(Map.of("destination", "nowhere")))));
        nucleus = nucleus(bad);
        GreengrassMode.StartException e = assertThrows(GreengrassMode.StartException.class,
                () -> GreengrassMode.start(dir.resolve("data"), nucleus.componentEnvironment()));
        assertEquals(GreengrassMode.EXIT_INVALID_CONFIG, e.exitCode());
        assertEquals(List.of("ERRORED"), nucleus.reportedStates());
        assertEquals(0, GreengrassIpcStandIn.await(nucleus::openConnections, n -> n == 0, WAIT));
    }

    @Test
    void noNucleusIsAFailureWithoutState() throws Exception {
        Map<String, String> env = Map.of("SVCUID", "x", "AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT",
                dir.resolve("missing.sock").toString());
        assertTrue(GreengrassMode.detected(env));
        assertFalse(GreengrassMode.detected(Map.of("SVCUID", "x")));
        assertFalse(GreengrassMode.detected(Map.of()));
        GreengrassMode.StartException e = assertThrows(GreengrassMode.StartException.class,
                () -> GreengrassMode.start(dir.resolve("data"), env, Duration.ofSeconds(1)));
        assertEquals(GreengrassMode.EXIT_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("missing.sock"), e.getMessage());
    }

    /**
     * A validation that fails with an error that is not a configuration problem (seen: ServiceConfigurationError when
     * the jar became unreadable under a running component) still answers the nucleus: the deployment is REJECTED
     * with the reason instead of waiting for the validation timeout, and the gateway keeps running.
     */
    @Test
    void validationAnswersEveryFailure() throws Exception {
        nucleus = nucleus(configuration());
        GreengrassMode.Validation real = GreengrassMode.Validation.standard();
        GreengrassMode.Validation failing = (configuration, source) -> {
            Object streams = configuration.get("streams");
            Object priority = streams instanceof Map<?, ?> m && m.get("telemetry") instanceof Map<?, ?> t ? t.get("priority") : null;
            if (priority instanceof Number n && n.intValue() == 7) {
                throw new java.util.ServiceConfigurationError(
                        "io.sluice.spi.connector.ConnectorFactory: Error reading configuration file");
            }
            if (priority instanceof Number n && n.intValue() == 8) {
                throw new IllegalStateException("validator broken");
            }
            return real.parse(configuration, source);
        };
        mode = GreengrassMode.start(dir.resolve("data"), nucleus.componentEnvironment(), Duration.ofSeconds(10), failing);
        assertEquals(List.of("RUNNING"), nucleus.reportedStates());

        DeploymentResult error = nucleus.deploy(Map.of("streams", Map.of("telemetry", Map.of("priority", 7))), WAIT);
        assertEquals("REJECTED", error.status(), "answered, not " + error.status());
        assertTrue(error.message().contains("ServiceConfigurationError"), error.message());
        DeploymentResult exception = nucleus.deploy(Map.of("streams", Map.of("telemetry", Map.of("priority", 8))), WAIT);
        assertEquals("REJECTED", exception.status());
        assertTrue(exception.message().contains("validator broken"), exception.message());
        assertEquals(5, ((Number) ((Map<?, ?>) ((Map<?, ?>) nucleus.configuration().get("streams")).get("telemetry"))
                .get("priority")).intValue(), "nothing applied");

        // an update that reaches the component without validation (a local deployment) and cannot be validated is
        // rejected and counted; the running configuration stays
        nucleus.mergeConfiguration(Map.of("streams", Map.of("telemetry", Map.of("priority", 7))));
        assertEquals(1L, GreengrassIpcStandIn.await(mode::rejectedUpdates, n -> n == 1, WAIT));
        assertEquals(5, mode.runningConfig().streams().get("telemetry").priority());

        // the component still validates and applies the next deployment
        DeploymentResult fixed = nucleus.deploy(Map.of("streams", Map.of("telemetry", Map.of("priority", 3))), WAIT);
        assertEquals("ACCEPTED", fixed.status());
        assertEquals(1L, GreengrassIpcStandIn.await(mode::appliedUpdates, n -> n == 1, WAIT));
        assertEquals(3, mode.runningConfig().streams().get("telemetry").priority());
        assertEquals(List.of("RUNNING"), nucleus.reportedStates());
    }
}
