package io.sluice.connector.lorawan;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Codec;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Device;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Flavor;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Mode;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Mqtt;
import io.sluice.rigs.mqtt.MosquittoRig;
import io.sluice.spi.Durations;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.config.DataSize;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MQTT mode against a real mosquitto: ChirpStack v4 events over TCP, The Things Stack v3 events over mutual TLS. */
class MqttIT {

    @TempDir
    Path dir;

    static final String EUI = "70b3d57ed0001234";

    /** A ChirpStack v4 'up' event (protobuf JSON) with a Cayenne LPP payload heard by two gateways. */
    static String chirpstackUp(String devEui, long fcnt, String base64) {
        return chirpstackUp(devEui, fcnt, base64, java.util.UUID.randomUUID().toString(), GW_TIME);
    }

    /** The gateway time of {@link #chirpstackUp}: a moment ago, within the default gateway-time-tolerance. */
    static final java.time.Instant GW_TIME = java.time.Instant.now().minusMillis(100);

    static String chirpstackUp(String devEui, long fcnt, String base64, String deduplicationId, java.time.Instant gwTime) {
        return """
                {"deduplicationId":"%s","time":"%s",
                 "deviceInfo":{"tenantId":"52f14cd4-c6f1-4fbd-8f87-4025e1d49242","tenantName":"ChirpStack",
                   "applicationId":"17c82e96-be03-4f38-aef3-f83d48582d97","applicationName":"plant",
                   "deviceProfileId":"14855bf7-d10d-4aee-b618-ebfcb64dc7ad","deviceProfileName":"lpp",
                   "deviceName":"boiler-room","devEui":"%s","tags":{}},
                 "devAddr":"00189440","adr":true,"dr":5,"fCnt":%d,"fPort":1,"confirmed":false,"data":"%s",
                 "rxInfo":[{"gatewayId":"0016c001f153a14c","uplinkId":4217106255,"gwTime":"%s",
                            "rssi":-57,"snr":10.0,"channel":2,"rfChain":1,"location":{},"context":"EFwMtA==","crcStatus":"CRC_OK"},
                           {"gatewayId":"0016c001f153a14d","uplinkId":1,"rssi":-101,"snr":-4.25,"channel":2,"rfChain":1,
                            "crcStatus":"CRC_OK"}],
                 "txInfo":{"frequency":868100000,"modulation":{"lora":{"bandwidth":125000,"spreadingFactor":7,"codeRate":"CR_4_5"}}}}
                """.formatted(deduplicationId, gwTime.plusMillis(23), devEui, fcnt, base64, gwTime);
    }

    private static LoRaWanConnectorConfig config(Mqtt mqtt) {
        Device d = new Device(Optional.empty(), Optional.of(EUI.toUpperCase()), Optional.empty(), Optional.empty(), "lpp");
        return new LoRaWanConnectorConfig(Mode.MQTT, "0.0.0.0", 1700, DataSize.ofMegabytes(4), Duration.ofMillis(200), 16384,
                true, LoRaWanConnectorConfig.RadioMetadata.COMPACT, Optional.of(mqtt), Map.of("lpp", TestConfigs.profile(Codec.CAYENNE_LPP),
                "raw", TestConfigs.profile(Codec.RAW)), Map.of("boiler", d), Optional.of("raw"), Duration.ofMinutes(5), Optional.empty());
    }

    private static Mqtt mqtt(String uri, Flavor flavor, Path ca, Path cert, Path key) {
        return new Mqtt(uri, flavor, Optional.empty(), Optional.of("sluice-it-" + flavor), Optional.empty(), Optional.empty(),
                Optional.ofNullable(ca).map(Path::toString), Optional.ofNullable(cert).map(Path::toString),
                Optional.ofNullable(key).map(Path::toString), 1, true, Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofMillis(200), Duration.ofSeconds(2), 10_000, Duration.ofHours(24));
    }

    @Test
    void chirpstackEventsBecomeSamples() throws Exception {
        try (MosquittoRig broker = MosquittoRig.startPlain(dir); FakeConnectorContext ctx = new FakeConnectorContext("lora", dir.resolve("state"))) {
            LoRaWanConnectorConfig config = config(mqtt(broker.uri(), Flavor.CHIRPSTACK_V4, null, null, null));
            List<String> problems = new java.util.ArrayList<>();
            new LoRaWanConnectorFactory().validate(config, (p, m) -> problems.add(p + ": " + m));
            assertEquals(List.of(), problems);
            LoRaWanConnector connector = new LoRaWanConnector("lora", config);
            connector.start(ctx);
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx.healthState() == HealthState.CONNECTED, ctx.healthDetail()));
                MqttClient pub = new MqttClient(broker.uri(), "chirpstack", new MemoryPersistence());
                pub.connect();
                String topic = "application/17c82e96-be03-4f38-aef3-f83d48582d97/device/" + EUI + "/event/up";
                pub.publish(topic, chirpstackUp(EUI, 41, "A2cBEAVnAP8=").getBytes(StandardCharsets.UTF_8), 1, false);
                pub.publish("application/x/device/0102030405060708/event/up",
                        chirpstackUp("0102030405060708", 7, "AQID").getBytes(StandardCharsets.UTF_8), 1, false);
                pub.publish(topic, "{not json".getBytes(StandardCharsets.UTF_8), 1, false);
                pub.publish(topic, chirpstackUp(EUI, 42, "AWf/").getBytes(StandardCharsets.UTF_8), 1, false);
                pub.disconnect();
                pub.close();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx.metrics().count("lorawan.mqtt.messages") == 4
                        && ctx.sampleCount() == 7, ctx.samples().toString()));
            } finally {
                connector.stop();
            }
            Map<String, Sample> byTag = new java.util.HashMap<>();
            ctx.samples().forEach(s -> byTag.merge(s.tag(), s, (a, b) -> a.quality() == Quality.BAD ? a : b));
            assertEquals(Value.of(27.2), byTag.get("boiler.temperature_3").value());
            assertEquals(Value.of(25.5), byTag.get("boiler.temperature_5").value());
            assertEquals("°C", byTag.get("boiler.temperature_3").unit());
            assertEquals(Sample.toNanos(GW_TIME), byTag.get("boiler.temperature_3").sourceTimeNanos());
            assertEquals(Value.of(new byte[] {1, 2, 3}), byTag.get("0102030405060708.payload").value());
            assertEquals(Quality.BAD, byTag.get("boiler.payload").quality(), "a truncated LPP payload is kept as BAD raw bytes");
            Value.StructValue radio = (Value.StructValue) ctx.samples().stream().filter(s -> s.tag().equals("boiler.radio"))
                    .findFirst().orElseThrow().value();
            assertEquals(Value.of(41L), radio.fields().get("fcnt"));
            assertEquals(Value.of("SF7BW125"), radio.fields().get("data-rate"));
            assertEquals(Value.of(868.1), radio.fields().get("frequency"));
            List<Value> gws = ((Value.ArrayValue) radio.fields().get("gateways")).elements();
            assertEquals(2, gws.size());
            assertEquals(Value.of(-101.0), ((Value.StructValue) gws.get(1)).fields().get("rssi"));
            assertEquals(Value.of(-4.25), ((Value.StructValue) gws.get(1)).fields().get("snr"));
            assertEquals(1, ctx.metrics().count("lorawan.mqtt.malformed"));
            assertEquals(1, ctx.metrics().count("lorawan.payload.decode-errors"));
        }
    }

    @Test
    void aLostBrokerIsRetriedWithGrowingDelays() throws Exception {
        FakeConnectorContext ctx = new FakeConnectorContext("lora", dir.resolve("state"));
        LoRaWanConnector connector = null;
        try (ctx) {
            try (MosquittoRig broker = MosquittoRig.startPlain(dir)) {
                connector = new LoRaWanConnector("lora", config(mqtt(broker.uri(), Flavor.CHIRPSTACK_V4, null, null, null)));
                connector.start(ctx);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx.healthState() == HealthState.CONNECTED, ctx.healthDetail()));
            }
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertTrue(ctx.healthLog().stream().filter(r -> r.contains("retrying in")).count() >= 3, ctx.healthLog().toString()));
            List<String> retries = ctx.healthLog().stream().filter(r -> r.contains("retrying in")).toList();
            assertTrue(retries.get(0).startsWith("DISCONNECTED"), retries.toString());
            // the shared backoff: step n waits between half and all of 200ms * 2^n
            for (int n = 0; n < 3; n++) {
                String r = retries.get(n);
                long waited = Durations.parse(r.substring(r.lastIndexOf("retrying in ") + "retrying in ".length())).toMillis();
                long step = 200L << n;
                assertTrue(waited >= step / 2 && waited <= step, "retry " + n + " waits " + waited + "ms: " + retries);
            }
            assertEquals(1, ctx.metrics().count("lorawan.mqtt.connects"));
        } finally {
            if (connector != null) connector.stop();
        }
    }

    @Test
    void theThingsStackEventsOverMutualTls() throws Exception {
        try (MosquittoRig broker = MosquittoRig.startMutualTls(dir); FakeConnectorContext ctx = new FakeConnectorContext("lora", dir.resolve("state"))) {
            LoRaWanConnectorConfig config = config(mqtt(broker.uri(), Flavor.TTS_V3, broker.caCertificatePath(),
                    broker.clientCertificatePath(), broker.clientKeyPath()));
            LoRaWanConnector connector = new LoRaWanConnector("lora", config);
            connector.start(ctx);
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx.healthState() == HealthState.CONNECTED, ctx.healthDetail()));
                MqttClient pub = new MqttClient(broker.uri(), "tts", new MemoryPersistence());
                MqttConnectOptions o = new MqttConnectOptions();
                o.setSocketFactory(broker.clientSslContext(broker.clientIdentity()).getSocketFactory());
                pub.connect(o);
                String event = """
                        {"end_device_ids":{"device_id":"boiler-room","application_ids":{"application_id":"plant"},
                          "dev_eui":"%s","dev_addr":"260B1234"},
                         "received_at":"2026-11-22T06:00:01.5Z",
                         "uplink_message":{"f_port":2,"f_cnt":9,"frm_payload":"AHMnvwBnAN4=",
                           "rx_metadata":[{"gateway_ids":{"gateway_id":"hall-3","eui":"B827EBFFFE000001"},
                             "time":"2026-11-22T06:00:01.2Z","rssi":-80,"channel_rssi":-80,"snr":7.2}],
                           "settings":{"data_rate":{"lora":{"bandwidth":125000,"spreading_factor":9,"coding_rate":"4/5"}},
                             "frequency":"868300000"},
                           "received_at":"2026-11-22T06:00:01.3Z","confirmed":true}}
                        """.formatted(EUI);
                pub.publish("v3/plant@ttn/devices/boiler-room/up", event.getBytes(StandardCharsets.UTF_8), 1, false);
                pub.disconnect();
                pub.close();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx.sampleCount() == 3, ctx.samples().toString()));
            } finally {
                connector.stop();
            }
            Map<String, Value> byTag = new java.util.HashMap<>();
            ctx.samples().forEach(s -> byTag.put(s.tag(), s.value()));
            assertEquals(Value.of(1017.5), byTag.get("boiler.barometric_pressure_0"));
            assertEquals(Value.of(22.2), byTag.get("boiler.temperature_0"));
            Value.StructValue radio = (Value.StructValue) byTag.get("boiler.radio");
            assertEquals(Value.of(true), radio.fields().get("confirmed"));
            assertEquals(Value.of("SF9BW125"), radio.fields().get("data-rate"));
            assertEquals(Value.of("hall-3"), ((Value.StructValue) ((Value.ArrayValue) radio.fields().get("gateways")).elements().get(0))
                    .fields().get("gateway"));
        }
    }
}
