package io.sluice.connector.lorawan;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Flavor;
import io.sluice.spi.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An uplink as a network server publishes it on MQTT, already checked and decrypted: ChirpStack v4
 * ({@code application/<app>/device/<devEui>/event/up}, protobuf JSON with {@code deviceInfo}, {@code fCnt},
 * {@code fPort}, {@code data}, {@code rxInfo}, {@code txInfo}) or The Things Stack v3
 * ({@code v3/<app>@<tenant>/devices/<id>/up} with {@code end_device_ids} and {@code uplink_message}).
 */
record NetworkServerUplink(String eventId, String devEui, String deviceName, String devAddr, long fcnt, int fport,
                           boolean confirmed, boolean adr, byte[] payload, List<RxMetadata> receptions, long timeNanos) {

    /** Parses one event; throws IllegalArgumentException with a short reason when it is not an uplink event. */
    static NetworkServerUplink parse(Flavor flavor, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return flavor == Flavor.CHIRPSTACK_V4 ? chirpstack(root) : tts(root);
    }

    private static NetworkServerUplink chirpstack(JsonNode root) {
        JsonNode info = root.path("deviceInfo");
        String devEui = text(info, "devEui");
        if (devEui == null) {
            throw new IllegalArgumentException("no deviceInfo.devEui");
        }
        double frequency = root.path("txInfo").path("frequency").asDouble(0) / 1e6;
        JsonNode lora = root.path("txInfo").path("modulation").path("lora");
        String dataRate = lora.has("spreadingFactor")
                ? "SF" + lora.path("spreadingFactor").asInt() + "BW" + lora.path("bandwidth").asInt() / 1000 : null;
        String codr = lora.has("codeRate") ? lora.path("codeRate").asText().replace("CR_", "").replace('_', '/') : null;
        List<RxMetadata> rx = new ArrayList<>();
        for (JsonNode r : root.path("rxInfo")) {
            String time = text(r, "gwTime") != null ? text(r, "gwTime") : text(r, "time");
            rx.add(new RxMetadata(r.path("gatewayId").asText("unknown"), r.path("rssi").asDouble(0), r.path("snr").asDouble(0),
                    time(time), -1, frequency, dataRate, codr, r.path("channel").asInt(-1), r.path("rfChain").asInt(-1)));
        }
        // ChirpStack gives every uplink event a deduplicationId (one per uplink, whatever the number of gateways)
        String dedup = text(root, "deduplicationId");
        String eventId = dedup != null ? "cs:" + dedup
                : "cs:" + devEui.toLowerCase(java.util.Locale.ROOT) + "/" + root.path("fCnt").asLong(0) + "/" + text(root, "time");
        return new NetworkServerUplink(eventId, devEui, text(info, "deviceName"), text(root, "devAddr"), root.path("fCnt").asLong(0),
                root.has("fPort") ? root.path("fPort").asInt() : -1, root.path("confirmed").asBoolean(false),
                root.path("adr").asBoolean(false), bytes(root, "data"), rx, time(text(root, "time")));
    }

    private static NetworkServerUplink tts(JsonNode root) {
        JsonNode ids = root.path("end_device_ids");
        JsonNode up = root.get("uplink_message");
        if (up == null || !up.isObject()) {
            throw new IllegalArgumentException("no uplink_message");
        }
        String devEui = text(ids, "dev_eui");
        String deviceId = text(ids, "device_id");
        if (devEui == null && deviceId == null) {
            throw new IllegalArgumentException("no end_device_ids.dev_eui or device_id");
        }
        JsonNode settings = up.path("settings");
        double frequency = settings.path("frequency").asDouble(0) / 1e6;
        JsonNode lora = settings.path("data_rate").path("lora");
        String dataRate = lora.has("spreading_factor")
                ? "SF" + lora.path("spreading_factor").asInt() + "BW" + lora.path("bandwidth").asInt() / 1000 : null;
        String codr = text(lora, "coding_rate") != null ? text(lora, "coding_rate") : text(settings, "coding_rate");
        List<RxMetadata> rx = new ArrayList<>();
        for (JsonNode r : up.path("rx_metadata")) {
            JsonNode gw = r.path("gateway_ids");
            String id = text(gw, "gateway_id") != null ? text(gw, "gateway_id") : gw.path("eui").asText("unknown");
            rx.add(new RxMetadata(id, r.path("rssi").asDouble(r.path("channel_rssi").asDouble(0)), r.path("snr").asDouble(0),
                    time(text(r, "time")), r.path("timestamp").asLong(-1), frequency, dataRate, codr,
                    r.path("channel_index").asInt(-1), -1));
        }
        String received = text(up, "received_at") != null ? text(up, "received_at") : text(root, "received_at");
        // the same device and counter received at the same moment: the same uplink (a counter that restarts after a
        // re-join comes with a later received_at)
        String eventId = "tts:" + (devEui != null ? devEui.toLowerCase(java.util.Locale.ROOT) : "id=" + deviceId) + "/"
                + up.path("f_cnt").asLong(0) + "/" + received;
        return new NetworkServerUplink(eventId, devEui, deviceId, text(ids, "dev_addr"), up.path("f_cnt").asLong(0),
                up.has("f_port") ? up.path("f_port").asInt() : -1, up.path("confirmed").asBoolean(false), false,
                bytes(up, "frm_payload"), rx, time(received));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static byte[] bytes(JsonNode n, String field) {
        String s = text(n, field);
        if (s == null) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + field + "' is not base64");
        }
    }

    private static long time(String iso) {
        if (iso == null) {
            return RxMetadata.NO_TIME;
        }
        try {
            return Sample.toNanos(Instant.parse(iso));
        } catch (RuntimeException e) {
            return RxMetadata.NO_TIME;
        }
    }
}
