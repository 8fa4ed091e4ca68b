package io.sluice.bench.opcuamqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.destination.iotcore.IotCoreDestinationConfig;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.config.StreamConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OpcUaMqttBenchmarkTest {

    private static GatewayConfig gatewayConfig(String... args) {
        OpcUaMqttBenchmark.Options options = new OpcUaMqttBenchmark.Options();
        new CommandLine(options).parseArgs(args);
        String yaml = options.yaml("opc.tcp://127.0.0.1:4840/rig", "ssl://127.0.0.1:8883", Path.of("/c.pem"),
                Path.of("/k.pem"), Path.of("/ca.pem"));
        return ConfigLoader.parse(yaml, "gateway.yaml");
    }

    @Test
    void batchIntervalAndIotKeysReachTheGatewaysConfig() {
        GatewayConfig config = gatewayConfig("--batch-interval", "1s", "--iot", "window-samples=100000",
                "--iot", "max-in-flight=20", "--iot-quotas", "--payload", "json-gzip");
        StreamConfig.ExportConfig export = config.streams().get("opcua").export().get(0);
        assertEquals(Duration.ofSeconds(1), export.batchInterval());
        IotCoreDestinationConfig iot = (IotCoreDestinationConfig) config.destinations().get("iot").options();
        assertEquals(100_000, iot.windowSamples());
        assertEquals(20, iot.maxInFlight());
        assertEquals(100, iot.publishesPerSecond());
        assertEquals(IotCoreDestinationConfig.PayloadFormat.JSON_GZIP, iot.payloadFormat());
    }

    @Test
    void withoutTheOptionsTheExportSendsAtOnceAndTheQuotasAreRaised() {
        GatewayConfig config = gatewayConfig();
        assertEquals(Duration.ZERO, config.streams().get("opcua").export().get(0).batchInterval());
        IotCoreDestinationConfig iot = (IotCoreDestinationConfig) config.destinations().get("iot").options();
        assertEquals(10_000, iot.publishesPerSecond());
    }
}
