package io.sluice.destination.iotcore;

import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.ExistingFile;
import io.sluice.spi.config.Pattern;
import io.sluice.spi.config.Range;
import io.sluice.spi.config.Template;
import java.time.Duration;
import java.util.Optional;

/** The keys of a {@code type: iotcore} destination section. */
@Doc("Publishes samples to AWS IoT Core over MQTT 3.1.1 with mutual TLS (or through the Greengrass nucleus), many "
        + "samples per message.")
public record IotCoreDestinationConfig(
        @Doc("How messages reach IoT Core: mqtt (own connection, mutual TLS) or greengrass-ipc (through the nucleus "
                + "when running as a Greengrass component).")
        @DefaultValue("mqtt")
        @Pattern(regex = "[a-z0-9][a-z0-9-]*", expected = "a transport name such as mqtt or greengrass-ipc")
        String transport,

        @Doc("Device data endpoint, ssl://<prefix>-ats.iot.<region>.amazonaws.com:8883 (required for mqtt).")
        Optional<String> endpoint,

        @Doc("MQTT client id; IoT Core policies usually require the thing name. Default: the destination name.")
        Optional<String> clientId,

        @Doc("Device certificate, PEM file (required for mqtt).")
        @ExistingFile("device certificate") Optional<String> certificate,

        @Doc("Private key of the device certificate, PEM file (PKCS#1, PKCS#8 or SEC1; unencrypted; required for mqtt).")
        @ExistingFile("private key") Optional<String> privateKey,

        @Doc("CA certificate(s) to trust for the endpoint, PEM file (e.g. AmazonRootCA1.pem). Default: the JVM's trust store.")
        @ExistingFile("CA certificate") Optional<String> caCertificate,

        @Doc("Topic of each message, from placeholders {connector}, {stream}, {tag}, {unit} and asset levels. At most "
                + "256 bytes and 7 slashes (rules and Basic Ingest). Samples are grouped per topic.")
        @DefaultValue("sluice/{connector}/{stream}")
        Template topic,

        @Doc("MQTT QoS: 1 (acknowledged; delivered at least once) or 0 (fire and forget; counted as delivered when written).")
        @DefaultValue("1") @Range(min = 0, max = 1)
        int qos,

        @Doc("Message payload: json (many samples per message, packed as series or as a tag table, see json-layout), "
                + "json-gzip (the same, gzip'd: about 3x more samples within IoT Core's byte rate) or snapshot (one flat JSON object per "
                + "source and source time, the tags as fields, plus one message per lap record with \"type\":\"lap\": "
                + "what IoT rules, their OpenSearch action and Firehose read as is, at fewer samples per quota).")
        @DefaultValue("json")
        PayloadFormat payloadFormat,

        @Doc("Layout of json and json-gzip messages: auto (each message in whichever layout is smaller: series for few "
                + "tags with many values, wide for many tags with few values, as live data of wide machines), series "
                + "(always the series layout, \"v\":1, for readers that know only that one) or wide (always the "
                + "tag-dictionary table, \"v\":2).")
        @DefaultValue("auto")
        IotPayloadFormat.Layout jsonLayout,

        @Doc("Largest message payload (IoT Core: 128KB).")
        @DefaultValue("128KB")
        DataSize maxPayloadSize,

        @Doc("Publishes per second (IoT Core: 100 per connection).")
        @DefaultValue("100") @Range(min = 0.1, max = 100000)
        double publishesPerSecond,

        @Doc("Payload bytes per second (IoT Core: 512KB per connection).")
        @DefaultValue("512KB")
        DataSize bytesPerSecond,

        @Doc("Most unacknowledged QoS 1 messages at once (IoT Core allows about 100). Also the number of ordering lanes "
                + "per topic: a tag always travels in the same lane, so its samples stay in order.")
        @DefaultValue("10") @Range(min = 1, max = 100)
        int maxInFlight,

        @Doc("Most samples the publisher reads from the store for one packing round. A topic's round becomes one message "
                + "when it fits, else each topic lane's share of it becomes its messages, and messages with several "
                + "values per tag compress far better: for 10,000 tags at 10 Hz use 100000 with a batch-interval of 1s "
                + "on the export. Up to two rounds are in memory, ~100 bytes a sample.")
        @DefaultValue("10000") @Range(min = 1, max = 1000000)
        int windowSamples,

        @Doc("MQTT keep-alive (IoT Core: 30s to 1200s).")
        @DefaultValue("30s")
        Duration keepAlive,

        @Doc("Time a TCP + TLS + MQTT connect may take.")
        @DefaultValue("10s")
        Duration connectTimeout,

        @Doc("Time a QoS 1 publish may wait for its PUBACK before it counts as failed (and is retried).")
        @DefaultValue("30s")
        Duration publishTimeout,

        @Doc("First wait before reconnecting after the connection dropped; doubles (with jitter) up to reconnect-max-delay.")
        @DefaultValue("1s")
        Duration reconnectMinDelay,

        @Doc("Longest wait between reconnect attempts.")
        @DefaultValue("2m")
        Duration reconnectMaxDelay) {

    /** How samples are encoded in a message. */
    public enum PayloadFormat { JSON, JSON_GZIP, SNAPSHOT }

    public static final long IOT_CORE_MAX_PAYLOAD = 128 * 1024;
}
