package io.sluice.destination.sitewise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.rigs.proxy.FaultProxy;
import io.sluice.rigs.sitewise.AcceptedValue;
import io.sluice.rigs.sitewise.SiteWiseStandIn;
import io.sluice.rigs.sitewise.ValueType;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight calls in flight to the SiteWise stand-in through the fault proxy while requests and answers overtake each
 * other: the proxy holds each chunk of every connection for a delay, and the stand-in waits a latency before it
 * answers, both changing every few milliseconds (0 to 30 ms), so a later request is often stored and answered before
 * an earlier one. Every property's values must still arrive exactly once, in stream order.
 */
@Timeout(180)
class SiteWiseInFlightIT {

    private static final String PREFIX = "/hamburg/press-shop/press-3/";

    @TempDir
    Path data;

    private SiteWiseStandIn standIn;
    private FaultProxy proxy;
    private Gateway gateway;
    private Thread jitter;

    @BeforeAll
    static void credentials() {
        System.setProperty("aws.accessKeyId", "AKIDSTANDIN");
        System.setProperty("aws.secretAccessKey", "secret");
    }

    @BeforeEach
    void start() throws Exception {
        standIn = SiteWiseStandIn.start();
        proxy = FaultProxy.start(standIn.port());
        jitter = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                standIn.latency(Duration.ofMillis(ThreadLocalRandom.current().nextInt(31)));
                proxy.delay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(31)));
                try {
                    Thread.sleep(3);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "latency-jitter");
        jitter.setDaemon(true);
        jitter.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (gateway != null) gateway.close();
        jitter.interrupt();
        jitter.join(5000);
        proxy.close();
        standIn.close();
    }

    private static String alias(int i) {
        return PREFIX + String.format("count.%04d", i);
    }

    @Test
    void eachPropertysValuesArriveOnceInOrderWithEightCallsInFlightOvertakingEachOtherThroughTheFaultProxy() throws Exception {
        int tags = 40;
        int perTag = 250;
        for (int i = 1; i <= tags; i++) standIn.defineAlias(alias(i), ValueType.INTEGER);
        String yaml = """
                connectors:
                  sim:
                    type: simulator
                    stream: telemetry
                    asset: {site: hamburg, area: press-shop, machine: press-3}
                    interval: 2ms
                    limit: %d
                    tags: [{name: count, kind: counter, count: %d}]
                streams:
                  telemetry:
                    priority: 3
                    # values accumulate between windows, so a window holds many calls
                    export: [{destination: sitewise, batch-interval: 300ms}]
                destinations:
                  sitewise:
                    type: sitewise
                    region: eu-central-1
                    endpoint-override: http://127.0.0.1:%d
                    request-timeout: 30s
                    max-backoff: 1s
                    max-calls-in-flight: 8
                """.formatted(tags * perTag, tags, proxy.port());
        gateway = Gateway.start(ConfigLoader.parse(yaml, "in-flight.yaml"), data);
        org.awaitility.Awaitility.await("all samples at the stand-in").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100)).until(() -> standIn.acceptedCount() >= tags * perTag);
        org.awaitility.Awaitility.await("every window settled").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> gateway.store().stats("telemetry").backlog("sitewise") == 0);
        assertEquals(tags * perTag, standIn.acceptedCount(), "each value once");
        for (int i = 1; i <= tags; i++) {
            List<Object> values = standIn.accepted(alias(i)).stream().map(AcceptedValue::value).toList();
            assertEquals(perTag, values.size(), "values for " + alias(i));
            for (int v = 0; v < perTag; v++) {
                if (!Integer.valueOf(v).equals(values.get(v))) {
                    fail(alias(i) + ": position " + v + " holds " + values.get(v) + ", expected " + v);
                }
            }
        }
        assertEquals(List.of(), standIn.errorEntries());
        assertTrue(standIn.overtakingAnswers() > 0, "some answers overtook an earlier request: the order was put to the test");
    }
}
