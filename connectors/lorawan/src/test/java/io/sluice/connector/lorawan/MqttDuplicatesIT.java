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
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.config.DataSize;
import io.sluice.spi.connector.HealthState;
import io.sluice.testkit.FakeConnectorContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * MQTT mode against a real mosquitto when the broker delivers an uplink event again: each event is stored once,
 * whether the copy comes at once, after a forced reconnect or after a restart of the connector.
 */
@Timeout(90)
class MqttDuplicatesIT {

    static final String EUI = MqttIT.EUI;
    static final String CLIENT_ID = "sluice-dup-it";
    static final String CS_TOPIC = "application/17c82e96-be03-4f38-aef3-f83d48582d97/device/" + EUI + "/event/up";
    static final String TTS_TOPIC = "v3/plant@ttn/devices/boiler-room/up";

    @TempDir
    Path dir;

    private static LoRaWanConnectorConfig config(String uri, Flavor flavor) {
        Device d = new Device(Optional.empty(), Optional.of(EUI), Optional.empty(), Optional.empty(), "lpp");
        Mqtt mqtt = new Mqtt(uri, flavor, Optional.empty(), Optional.of(CLIENT_ID), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), 1, true, Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofMillis(100), Duration.ofSeconds(1), 10_000, Duration.ofHours(24));
        return new LoRaWanConnectorConfig(Mode.MQTT, "0.0.0.0", 1700, DataSize.ofMegabytes(4), Duration.ofMillis(200), 16384,
                true, LoRaWanConnectorConfig.RadioMetadata.COMPACT, Optional.of(mqtt), Map.of("lpp", TestConfigs.profile(Codec.CAYENNE_LPP)),
                Map.of("boiler", d), Optional.empty(), Duration.ofMinutes(5), Optional.empty());
    }

    /** A ChirpStack event of counter {@code fcnt}: temperature_3 = fcnt / 10 °C. */
    private static byte[] chirpstack(long fcnt) {
        byte[] lpp = {3, 0x67, (byte) (fcnt >> 8), (byte) fcnt};
        String id = "00000000-0000-4000-8000-" + String.format("%012d", fcnt);
        return MqttIT.chirpstackUp(EUI, fcnt, java.util.Base64.getEncoder().encodeToString(lpp), id, Instant.now())
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A The Things Stack event of counter {@code fcnt}, received by the network server at {@code receivedAt}. */
    private static byte[] tts(long fcnt, String receivedAt) {
        byte[] lpp = {0, 0x67, (byte) (fcnt >> 8), (byte) fcnt};
        return ("""
                {"end_device_ids":{"device_id":"boiler-room","application_ids":{"application_id":"plant"},"dev_eui":"%s"},
                 "received_at":"%s",
                 "uplink_message":{"f_port":2,"f_cnt":%d,"frm_payload":"%s","received_at":"%s",
                   "rx_metadata":[{"gateway_ids":{"gateway_id":"hall-3"},"rssi":-80,"snr":7.2}]}}
                """).formatted(EUI, receivedAt, fcnt, java.util.Base64.getEncoder().encodeToString(lpp), receivedAt)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** How many radio samples (one per stored uplink) each frame counter has. */
    private static Map<Long, Integer> storedPerFcnt(FakeConnectorContext ctx) {
        Map<Long, Integer> n = new TreeMap<>();
        for (Sample s : ctx.samples()) {
            if (s.tag().equals("boiler.radio")) {
                long fcnt = ((Value.IntValue) ((Value.StructValue) s.value()).fields().get("fcnt")).value();
                n.merge(fcnt, 1, Integer::sum);
            }
        }
        return n;
    }

    private static boolean stored(FakeConnectorContext ctx, long fcnt) {
        return storedPerFcnt(ctx).containsKey(fcnt);
    }

    private static MqttClient publisher(MosquittoRig broker) throws Exception {
        MqttClient pub = new MqttClient(broker.uri(), "network-server", new MemoryPersistence());
        pub.connect();
        return pub;
    }

    @Test
    void aChirpStackEventDeliveredTwiceIsStoredOnceAcrossReconnectAndRestart() throws Exception {
        try (MosquittoRig broker = MosquittoRig.startPlain(dir)) {
            LoRaWanConnectorConfig config = config(broker.uri(), Flavor.CHIRPSTACK_V4);
            MqttClient pub = publisher(broker);
            try (FakeConnectorContext ctx = new FakeConnectorContext("lora", dir.resolve("state"))) {
                LoRaWanConnector connector = new LoRaWanConnector("lora", config);
                connector.start(ctx);
                try {
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx.healthState() == HealthState.CONNECTED, ctx.healthDetail()));
                    for (long fcnt = 1; fcnt <= 3; fcnt++) {
                        pub.publish(CS_TOPIC, chirpstack(fcnt), 1, false);
                        pub.publish(CS_TOPIC, chirpstack(fcnt), 1, false);
                    }
                    pub.publish(CS_TOPIC, chirpstack(4), 1, false); // marker: everything before it was handled
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(stored(ctx, 4), ctx.samples().toString()));
                    assertEquals(Map.of(1L, 1, 2L, 1, 3L, 1, 4L, 1), storedPerFcnt(ctx));
                    assertEquals(3, ctx.metrics().count("lorawan.mqtt.duplicates"));

                    // a second client with the connector's id makes the broker drop the connector's connection
                    MqttClient intruder = new MqttClient(broker.uri(), CLIENT_ID, new MemoryPersistence());
                    intruder.connect();
                    intruder.disconnect();
                    intruder.close();
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx.metrics().count("lorawan.mqtt.connects") >= 2
                            && ctx.healthState() == HealthState.CONNECTED, ctx.healthLog().toString()));
                    pub.publish(CS_TOPIC, chirpstack(2), 1, false); // delivered again after the reconnect
                    pub.publish(CS_TOPIC, chirpstack(5), 1, false);
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(stored(ctx, 5), ctx.samples().toString()));
                    assertEquals(Map.of(1L, 1, 2L, 1, 3L, 1, 4L, 1, 5L, 1), storedPerFcnt(ctx));
                    assertEquals(4, ctx.metrics().count("lorawan.mqtt.duplicates"));
                    // values, not just radio samples, are stored once
                    assertEquals(5, ctx.samples().stream().filter(s -> s.tag().equals("boiler.temperature_3")).count());
                } finally {
                    connector.stop();
                }
            }

            // a restart with the same state directory still knows the events it stored
            try (FakeConnectorContext ctx2 = new FakeConnectorContext("lora", dir.resolve("state"))) {
                LoRaWanConnector again = new LoRaWanConnector("lora", config);
                again.start(ctx2);
                try {
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx2.healthState() == HealthState.CONNECTED, ctx2.healthDetail()));
                    pub.publish(CS_TOPIC, chirpstack(5), 1, false);
                    pub.publish(CS_TOPIC, chirpstack(6), 1, false);
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(stored(ctx2, 6), ctx2.samples().toString()));
                    assertEquals(Map.of(6L, 1), storedPerFcnt(ctx2));
                    assertEquals(1, ctx2.metrics().count("lorawan.mqtt.duplicates"));
                } finally {
                    again.stop();
                }
            }
            pub.disconnect();
            pub.close();
        }
    }

    @Test
    void aTheThingsStackEventDeliveredTwiceIsStoredOnce() throws Exception {
        try (MosquittoRig broker = MosquittoRig.startPlain(dir); FakeConnectorContext ctx = new FakeConnectorContext("lora", dir.resolve("state"))) {
            LoRaWanConnector connector = new LoRaWanConnector("lora", config(broker.uri(), Flavor.TTS_V3));
            connector.start(ctx);
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(ctx.healthState() == HealthState.CONNECTED, ctx.healthDetail()));
                MqttClient pub = publisher(broker);
                String t1 = Instant.now().toString();
                pub.publish(TTS_TOPIC, tts(7, t1), 1, false);
                pub.publish(TTS_TOPIC, tts(7, t1), 1, false);
                pub.publish(TTS_TOPIC, tts(8, t1), 1, false);
                pub.publish(TTS_TOPIC, tts(8, t1), 1, false);
                // the device re-joined and counts from 7 again: a new uplink, received later
                pub.publish(TTS_TOPIC, tts(7, Instant.now().plusSeconds(1).toString()), 1, false);
                pub.publish(TTS_TOPIC, tts(9, t1), 1, false); // marker
                pub.disconnect();
                pub.close();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(stored(ctx, 9), ctx.samples().toString()));
                assertEquals(Map.of(7L, 2, 8L, 1, 9L, 1), storedPerFcnt(ctx));
                assertEquals(2, ctx.metrics().count("lorawan.mqtt.duplicates"));
            } finally {
                connector.stop();
            }
        }
    }
}
