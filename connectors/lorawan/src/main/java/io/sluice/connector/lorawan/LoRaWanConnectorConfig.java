package io.sluice.connector.lorawan;

import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.ExistingFile;
import io.sluice.spi.config.Pattern;
import io.sluice.spi.config.Range;
import io.sluice.spi.config.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code type: lorawan} connector section. See connectors/lorawan/README.md for a sample. */
@Doc("LoRaWAN sensors: a Semtech UDP packet-forwarder server with LoRaWAN 1.0.x uplink security, or uplinks from a "
        + "ChirpStack v4 / The Things Stack v3 MQTT broker")
public record LoRaWanConnectorConfig(
        @Doc("udp: LoRa gateways send to Sluice with the Semtech UDP packet forwarder and Sluice checks and decrypts "
                + "the frames; mqtt: read already decrypted uplinks from a network server's MQTT broker")
        @DefaultValue("udp") Mode mode,

        @Doc("UDP mode: address the packet-forwarder server binds (0.0.0.0 = every interface)")
        @DefaultValue("0.0.0.0") String bindAddress,

        @Doc("UDP mode: port the packet-forwarder server listens on (both upstream and downstream); 0 picks a free port")
        @DefaultValue("1700") @Range(min = 0, max = 65535) int port,

        @Doc("UDP mode: socket receive buffer asked of the OS; bursts from many gateways queue here")
        @DefaultValue("4MB") DataSize receiveBuffer,

        @Doc("one frame heard by several gateways is merged when the copies arrive within this window; samples are "
                + "emitted when it closes, carrying every gateway's RSSI, SNR and time")
        @DefaultValue("200ms") Duration dedupWindow,

        @Doc("UDP mode: a frame counter may jump ahead by at most this much (LoRaWAN 1.0 MAX_FCNT_GAP)")
        @DefaultValue("16384") @Range(min = 1, max = 65535) int maxFcntGap,

        @Doc("UDP mode: turn each gateway 'stat' report into samples gateway.<eui>.<field>")
        @DefaultValue("true") boolean gatewayStats,

        @Doc("the <device>.radio sample per uplink: compact (counter, port, frequency, data rate and every gateway's "
                + "id, RSSI, SNR and time), full (adds addresses, ADR, coding rate, tmst, channel, RF chain; times as "
                + "ISO-8601 text) or off")
        @DefaultValue("compact") RadioMetadata radioMetadata,

        @Doc("MQTT mode: the broker and topic settings")
        Optional<Mqtt> mqtt,

        @Doc("payload codecs by profile name; devices refer to one with 'profile'")
        Map<String, Profile> profiles,

        @Doc("the device registry by device name; the name becomes the first part of every tag of that device")
        Map<String, Device> devices,

        @Doc("MQTT mode: profile for devices that are not in the registry (named by DevEUI); without it such "
                + "uplinks are counted and dropped")
        Optional<String> defaultProfile,

        @Doc("a gateway's own receive time (GPS) becomes the source time only when it lies within this distance of "
                + "Sluice's receive time; otherwise (no GPS fix reporting 1970, a clock in 2099) the receive time is used "
                + "and the reception counted in lorawan.gateway-time.rejected. 0s = always the receive time")
        @DefaultValue("5m") Duration gatewayTimeTolerance,

        @Doc("UDP mode: which gateways are served, and how many are remembered")
        Optional<Gateways> gateways,

        @Doc("UDP mode: regional parameters of the downlinks (RX1 data-rate offset table, RX1 frequency, RX2 defaults, "
                + "transmit power): eu868 or us915")
        @DefaultValue("eu868") Region region,

        @Doc("UDP mode: act as the network server for the devices: over-the-air joins (devices with dev-eui and "
                + "app-key), ACKs of confirmed uplinks, LinkCheck/DeviceTime answers and DevStatusReq, sent as PULL_RESP "
                + "downlinks through the gateway with the best link. Without this section Sluice sends no downlinks")
        Optional<NetworkServer> networkServer,

        @Doc("a device from which nothing was heard for this long is reported silent (one WARN per episode, the gauge "
                + "lorawan.devices.silent); 0s = never")
        @DefaultValue("0s") Duration silenceAlarm) {

    /** The form without the network-server keys (ABP only, no downlinks). */
    public LoRaWanConnectorConfig(Mode mode, String bindAddress, int port, DataSize receiveBuffer, Duration dedupWindow,
                                  int maxFcntGap, boolean gatewayStats, RadioMetadata radioMetadata, Optional<Mqtt> mqtt,
                                  Map<String, Profile> profiles, Map<String, Device> devices, Optional<String> defaultProfile,
                                  Duration gatewayTimeTolerance, Optional<Gateways> gateways) {
        this(mode, bindAddress, port, receiveBuffer, dedupWindow, maxFcntGap, gatewayStats, radioMetadata, mqtt, profiles,
                devices, defaultProfile, gatewayTimeTolerance, gateways, Region.EU868, Optional.empty(), Duration.ZERO);
    }

    /** {@link #gateways} with its defaults filled in when the section is left out. */
    public Gateways gatewaysOrDefault() {
        return gateways.orElse(Gateways.DEFAULT);
    }

    /** Where uplinks come from. */
    public enum Mode { UDP, MQTT }

    /** How much radio metadata each uplink carries in its {@code <device>.radio} sample. */
    public enum RadioMetadata { OFF, COMPACT, FULL }

    /** Which payload codec a profile uses. */
    public enum Codec { CAYENNE_LPP, RAW, BYTE_LAYOUT }

    /** Byte order of a byte-layout field. */
    public enum Endianness { BIG, LITTLE }

    /** Field types of the byte-layout codec. */
    public enum FieldType {
        UINT8(1), INT8(1), UINT16(2), INT16(2), UINT24(3), INT24(3), UINT32(4), INT32(4), INT64(8),
        FLOAT32(4), FLOAT64(8), BOOL(1);

        private final int size;

        FieldType(int size) {
            this.size = size;
        }

        public int size() {
            return size;
        }
    }

    /** Which gateways the UDP server serves. */
    @Doc("which gateways the packet-forwarder server serves")
    public record Gateways(
            @Doc("EUIs of the gateways served (16 hexadecimal digits); datagrams of any other gateway are counted "
                    + "and not acknowledged. Empty = any gateway") List<String> allow,

            @Doc("how many gateways are remembered at most; a new gateway beyond this is refused (counted, not "
                    + "acknowledged) unless a known one has been silent for forget-after")
            @DefaultValue("1000") @Range(min = 1, max = 1000000) int maxKnown,

            @Doc("a gateway silent this long gives up its place in the table to a new gateway when the table is full")
            @DefaultValue("1h") Duration forgetAfter) {

        public static final Gateways DEFAULT = new Gateways(List.of(), 1000, Duration.ofHours(1));
    }

    /** Regional parameters of the downlinks (see {@link RegionalParameters}). */
    public enum Region { EU868, US915 }

    /** How a device's DevNonces are checked. */
    public enum DevNonceRule { RANDOM, COUNTER }

    /** Sluice as the network server of OTAA (and ABP) devices. */
    @Doc("over-the-air activation and downlinks")
    public record NetworkServer(
            @Doc("the NetID sent in every JoinAccept, 6 hexadecimal digits") @DefaultValue("000000")
            @Pattern(regex = "[0-9a-fA-F]{6}", expected = "6 hexadecimal digits, e.g. 000013") String netId,

            @Doc("first DevAddr given to joining devices, 8 hexadecimal digits; default: the start of the NetID's "
                    + "type-0 block (NwkID = the NetID's 7 low bits in the address's 7 high bits)")
            @Pattern(regex = "[0-9a-fA-F]{8}", expected = "8 hexadecimal digits, e.g. 26000000") Optional<String> devAddrFirst,

            @Doc("last DevAddr given to joining devices; default: the end of the NetID's type-0 block")
            @Pattern(regex = "[0-9a-fA-F]{8}", expected = "8 hexadecimal digits, e.g. 26ffffff") Optional<String> devAddrLast,

            @Doc("RX1 delay of data downlinks sent in the JoinAccept (1s..15s); JoinAccepts themselves use the "
                    + "region's 5 s / 6 s") @DefaultValue("1s") Duration rx1Delay,

            @Doc("RX1 data-rate offset sent in the JoinAccept (0..5 in EU868, 0..3 in US915)")
            @DefaultValue("0") @Range(min = 0, max = 7) int rx1DrOffset,

            @Doc("RX2 data rate index sent in the JoinAccept; default: the region's (EU868 DR0, US915 DR8)")
            Optional<Integer> rx2DataRate,

            @Doc("RX2 frequency in MHz used for RX2 downlinks; default: the region's (EU868 869.525, US915 923.3)")
            Optional<Double> rx2Frequency,

            @Doc("transmit power of downlinks in dBm; default: the region's (EU868 14, US915 20)")
            Optional<Integer> txPower,

            @Doc("how many DevNonces are remembered per device to refuse a replayed JoinRequest")
            @DefaultValue("1000") @Range(min = 16, max = 65536) int devNonceHistory,

            @Doc("a DevStatusReq is sent with a device's next downlink opportunity when its last one is older than "
                    + "this; the answer becomes the samples <device>.battery and <device>.margin. 0s = never")
            @DefaultValue("24h") Duration statusInterval,

            @Doc("a gateway is used for downlinks only when its last PULL_DATA is this recent")
            @DefaultValue("30s") Duration gatewayPullTimeout) {}

    /** Which network server publishes on the broker. */
    public enum Flavor { CHIRPSTACK_V4, TTS_V3 }

    /** One device: ABP (dev-addr and session keys) or OTAA (dev-eui and app-key). */
    @Doc("a device: ABP (dev-addr, nwk-s-key, app-s-key) or, in UDP mode with network-server, OTAA (dev-eui, app-key)")
    public record Device(
            @Doc("UDP mode: the device address, 8 hexadecimal digits as printed (most significant byte first)")
            @Pattern(regex = "[0-9a-fA-F]{8}", expected = "8 hexadecimal digits, e.g. 26011f2a") Optional<String> devAddr,

            @Doc("the device EUI, 16 hexadecimal digits; MQTT mode matches devices by it")
            @Pattern(regex = "[0-9a-fA-F]{16}", expected = "16 hexadecimal digits, e.g. 70b3d57ed0001234") Optional<String> devEui,

            @Doc("UDP mode: network session key, 32 hexadecimal digits (write ${env:NAME})") Optional<Secret> nwkSKey,

            @Doc("UDP mode: application session key, 32 hexadecimal digits (write ${env:NAME})") Optional<Secret> appSKey,

            @Doc("the profile (payload codec) in 'profiles'") String profile,

            @Doc("UDP mode, OTAA: the AppKey, 32 hexadecimal digits (write ${env:NAME}); a device with dev-eui and "
                    + "app-key joins over the air (needs the network-server section) instead of dev-addr and session keys")
            Optional<Secret> appKey,

            @Doc("OTAA: the device's AppEUI / JoinEUI, 16 hexadecimal digits; when given, a JoinRequest with another "
                    + "one is refused") @Pattern(regex = "[0-9a-fA-F]{16}", expected = "16 hexadecimal digits") Optional<String> joinEui,

            @Doc("OTAA: random (LoRaWAN 1.0.2/1.0.3: a DevNonce seen before is refused) or counter (1.0.4: each DevNonce "
                    + "must be above the last)") @DefaultValue("random") DevNonceRule devNonce) {

        /** An ABP or MQTT-mode device. */
        public Device(Optional<String> devAddr, Optional<String> devEui, Optional<Secret> nwkSKey, Optional<Secret> appSKey,
                      String profile) {
            this(devAddr, devEui, nwkSKey, appSKey, profile, Optional.empty(), Optional.empty(), DevNonceRule.RANDOM);
        }

        public boolean otaa() {
            return appKey.isPresent();
        }
    }

    /** A payload codec and its settings. */
    @Doc("how a device's payload is decoded")
    public record Profile(
            @Doc("cayenne-lpp, raw (one bytes sample 'payload'), or byte-layout (the 'fields' list)")
            @DefaultValue("cayenne-lpp") Codec codec,

            @Doc("byte-layout codec: the fields of the payload") List<Field> fields,

            @Doc("decode only frames on these FPorts; others become a raw 'payload' sample (empty = every port)")
            List<Integer> fports) {}

    /** One field of the byte-layout codec. */
    @Doc("one field of a byte-layout payload")
    public record Field(
            @Doc("field name, the last part of the tag") @Pattern(regex = "[A-Za-z0-9_][A-Za-z0-9_.-]*",
                    expected = "letters, digits, '_', '.', '-'") String name,
            @Doc("byte offset in the decrypted payload") @Range(min = 0, max = 255) int offset,
            @Doc("uint8, int8, uint16, int16, uint24, int24, uint32, int32, int64, float32, float64 or bool") FieldType type,
            @Doc("byte order of multi-byte fields") @DefaultValue("big") Endianness endianness,
            @Doc("bool: the bit (0 = least significant) of the byte at 'offset'; integer types: the value is "
                    + "shifted right by this many bits before masking with 'bits'") @DefaultValue("0") @Range(min = 0, max = 63) int bit,
            @Doc("integer types: keep only this many bits (0 = all)") @DefaultValue("0") @Range(min = 0, max = 64) int bits,
            @Doc("the value is raw * scale + add") @DefaultValue("1") double scale,
            @Doc("the value is raw * scale + add") @DefaultValue("0") double add,
            @Doc("engineering unit") Optional<String> unit) {}

    /** MQTT broker settings. */
    @Doc("the network server's MQTT broker")
    public record Mqtt(
            @Doc("broker URI: tcp://host:1883 or ssl://host:8883") @Pattern(regex = "(tcp|ssl)://.+",
                    expected = "tcp://host:port or ssl://host:port") String server,
            @Doc("chirpstack-v4 (topic application/+/device/+/event/up) or tts-v3 (topic v3/+/devices/+/up)")
            @DefaultValue("chirpstack-v4") Flavor flavor,
            @Doc("topic filter to subscribe; the flavor's default when left out") Optional<String> topic,
            @Doc("MQTT client id; sluice-<connector name> when left out") Optional<String> clientId,
            @Doc("user name for the broker, when it asks for one") Optional<String> username,
            @Doc("password for the broker; write ${env:NAME}") Optional<Secret> password,
            @Doc("PEM file of the CA certificates that sign the broker's certificate (ssl:// only); the JDK trust "
                    + "store when left out") @ExistingFile("CA file") Optional<String> caFile,
            @Doc("PEM client certificate for mutual TLS") @ExistingFile("client certificate") Optional<String> certFile,
            @Doc("PEM private key of the client certificate (PKCS#8, PKCS#1 RSA or SEC 1 EC; not encrypted)") @ExistingFile("client key")
                    Optional<String> keyFile,
            @Doc("QoS of the subscription (0 or 1)") @DefaultValue("1") @Range(min = 0, max = 1) int qos,
            @Doc("keep the session (and queued QoS 1 uplinks) across reconnects") @DefaultValue("false") boolean cleanSession,
            @Doc("how long a connection attempt may take") @DefaultValue("10s") Duration connectTimeout,
            @Doc("MQTT keep-alive interval") @DefaultValue("30s") Duration keepAlive,
            @Doc("first reconnect delay; doubles up to reconnect-max-delay") @DefaultValue("1s") Duration reconnectMinDelay,
            @Doc("longest delay between reconnect attempts") @DefaultValue("2m") Duration reconnectMaxDelay,
            @Doc("how many recently stored uplink events are remembered, so that one the broker delivers again "
                    + "(ChirpStack: same deduplicationId; The Things Stack: same device, f_cnt and received_at) is "
                    + "dropped and counted in lorawan.mqtt.duplicates; 0 = no de-duplication")
            @DefaultValue("10000") @Range(min = 0, max = 1000000) int dedupIds,
            @Doc("how long an uplink event is remembered for de-duplication; kept in the state directory across "
                    + "restarts") @DefaultValue("24h") Duration dedupMaxAge) {

        public String topicFilter() {
            return topic.orElse(flavor == Flavor.CHIRPSTACK_V4 ? "application/+/device/+/event/up" : "v3/+/devices/+/up");
        }
    }
}
