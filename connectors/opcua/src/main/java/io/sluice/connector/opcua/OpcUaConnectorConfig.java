package io.sluice.connector.opcua;

import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.ExistingFile;
import io.sluice.spi.config.Range;
import io.sluice.spi.config.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code type: opcua} connector section. See connectors/opcua/README.md for every key with examples.
 */
@Doc("OPC UA client (Eclipse Milo): subscriptions or polling, browse-path and folder discovery, secured sessions")
public record OpcUaConnectorConfig(
        @Doc("Server endpoint URL, e.g. opc.tcp://10.0.0.5:4840 (the connector discovers the server's endpoints "
                + "there and picks one matching security-policy and security-mode)")
        String endpoint,

        @Doc("none, basic256sha256, aes128-sha256-rsaoaep or aes256-sha256-rsapss")
        @DefaultValue("none")
        String securityPolicy,

        @Doc("none, sign or sign-and-encrypt; defaults to none for policy none and sign-and-encrypt otherwise")
        Optional<SecurityMode> securityMode,

        @Doc("User name for a username/password identity (anonymous when neither username nor user-certificate is set)")
        Optional<String> username,

        @Doc("Password of the user; write ${env:NAME} to keep it out of the file")
        Optional<Secret> password,

        @Doc("X.509 user identity: certificate file (PEM or DER)")
        @ExistingFile("user certificate") Optional<String> userCertificate,

        @Doc("X.509 user identity: PKCS#8 private key file (PEM, unencrypted)")
        @ExistingFile("user private key") Optional<String> userPrivateKey,

        @Doc("PKI folder with own/, trusted/certs, issuers/certs and rejected/; default <state directory>/pki")
        Optional<String> pkiDirectory,

        @Doc("LAB ONLY: accept any server certificate without checking it; logs a warning at every start")
        @DefaultValue("false")
        boolean trustAll,

        @Doc("Application URI of this client; default urn:sluice:gateway:<host name>. Used when the "
                + "application instance certificate is generated")
        Optional<String> applicationUri,

        @Doc("Timeout of each service request")
        @DefaultValue("10s")
        Duration requestTimeout,

        @Doc("Timeout of endpoint discovery and session establishment")
        @DefaultValue("10s")
        Duration connectTimeout,

        @Doc("Requested session timeout")
        @DefaultValue("2m")
        Duration sessionTimeout,

        @Doc("How often the session is checked with a keep-alive read")
        @DefaultValue("2s")
        Duration keepAliveInterval,

        @Doc("First delay before reconnecting after the connection is lost; doubles up to reconnect-max-delay")
        @DefaultValue("500ms")
        Duration reconnectMinDelay,

        @Doc("Longest delay between reconnect attempts")
        @DefaultValue("5s")
        Duration reconnectMaxDelay,

        @Doc("Most monitored items created or nodes read per service call (the server's operation limits lower it)")
        @DefaultValue("1000")
        @Range(min = 1, max = 100000)
        int maxItemsPerCall,

        @Doc("Node groups; each group is one subscription or one polling loop")
        List<NodeGroup> groups,

        @Doc("When the connection (or a monitored item) is lost, store one BAD sample per affected tag with status "
                + "BadNoCommunication (or the item's own status); GOOD resumes with the next value")
        @DefaultValue("true")
        boolean outageMarkers,

        @Doc("After a reconnect, read each subscribed tag's raw history (HistoryRead) from its last value to now and "
                + "store it, in order and before live values resume, with status code bit 0x400 (historian raw)")
        @DefaultValue("false")
        boolean historyBackfill,

        @Doc("MaxNotificationsPerPublish requested for every subscription: the most data changes the server puts in "
                + "one PublishResponse (it sends the rest in the next ones); 0 = the server's own limit. The default "
                + "keeps a response of scalar values at about 0.3-0.5 MB, well under the 2 MB message size Milo allows by "
                + "default, so a "
                + "backlog (queued values after a reconnect, a burst from thousands of nodes) arrives in several "
                + "responses instead of one the server cannot send; a steady load rarely fills it")
        @DefaultValue("10000")
        @Range(min = 0, max = 1000000)
        int maxNotificationsPerPublish,

        @Doc("Most Publish requests the client keeps outstanding on the session. Eclipse Milo keeps one per "
                + "subscription (group) plus one, so the server always has a request to answer while the previous "
                + "response travels; this caps that number. The default leaves it alone for up to 9 groups; lower it "
                + "for a small server that answers Bad_TooManyPublishRequests")
        @DefaultValue("10")
        @Range(min = 1, max = 1000)
        int maxOutstandingPublishRequests) {

    /** The connector section without the keys added later (their defaults apply). */
    public OpcUaConnectorConfig(String endpoint, String securityPolicy, Optional<SecurityMode> securityMode,
                                Optional<String> username, Optional<Secret> password, Optional<String> userCertificate,
                                Optional<String> userPrivateKey, Optional<String> pkiDirectory, boolean trustAll,
                                Optional<String> applicationUri, Duration requestTimeout, Duration connectTimeout,
                                Duration sessionTimeout, Duration keepAliveInterval, Duration reconnectMinDelay,
                                Duration reconnectMaxDelay, int maxItemsPerCall, List<NodeGroup> groups) {
        this(endpoint, securityPolicy, securityMode, username, password, userCertificate, userPrivateKey, pkiDirectory,
                trustAll, applicationUri, requestTimeout, connectTimeout, sessionTimeout, keepAliveInterval,
                reconnectMinDelay, reconnectMaxDelay, maxItemsPerCall, groups, true, false, DEFAULT_MAX_NOTIFICATIONS,
                DEFAULT_MAX_OUTSTANDING_PUBLISH);
    }

    /** The defaults of max-notifications-per-publish and max-outstanding-publish-requests. */
    public static final int DEFAULT_MAX_NOTIFICATIONS = 10_000;
    public static final int DEFAULT_MAX_OUTSTANDING_PUBLISH = 10;

    /** The same section with outage markers on or off. */
    public OpcUaConnectorConfig withOutageMarkers(boolean on) {
        return new OpcUaConnectorConfig(endpoint, securityPolicy, securityMode, username, password, userCertificate,
                userPrivateKey, pkiDirectory, trustAll, applicationUri, requestTimeout, connectTimeout, sessionTimeout,
                keepAliveInterval, reconnectMinDelay, reconnectMaxDelay, maxItemsPerCall, groups, on, historyBackfill,
                maxNotificationsPerPublish, maxOutstandingPublishRequests);
    }

    /** The same section with history backfill on or off. */
    public OpcUaConnectorConfig withHistoryBackfill(boolean on) {
        return new OpcUaConnectorConfig(endpoint, securityPolicy, securityMode, username, password, userCertificate,
                userPrivateKey, pkiDirectory, trustAll, applicationUri, requestTimeout, connectTimeout, sessionTimeout,
                keepAliveInterval, reconnectMinDelay, reconnectMaxDelay, maxItemsPerCall, groups, outageMarkers, on,
                maxNotificationsPerPublish, maxOutstandingPublishRequests);
    }

    /** The same section with other publish limits (max-notifications-per-publish, max-outstanding-publish-requests). */
    public OpcUaConnectorConfig withPublishLimits(int maxNotifications, int maxOutstanding) {
        return new OpcUaConnectorConfig(endpoint, securityPolicy, securityMode, username, password, userCertificate,
                userPrivateKey, pkiDirectory, trustAll, applicationUri, requestTimeout, connectTimeout, sessionTimeout,
                keepAliveInterval, reconnectMinDelay, reconnectMaxDelay, maxItemsPerCall, groups, outageMarkers,
                historyBackfill, maxNotifications, maxOutstanding);
    }

    public enum SecurityMode { NONE, SIGN, SIGN_AND_ENCRYPT }

    public enum AcquisitionMode { SUBSCRIPTION, POLLING }

    public enum Trigger { STATUS, STATUS_VALUE, STATUS_VALUE_TIMESTAMP }

    public enum DeadbandType { NONE, ABSOLUTE, PERCENT }

    /** A set of nodes acquired the same way. */
    @Doc("A group of nodes sharing one subscription (or one polling loop) and default item settings")
    public record NodeGroup(
            @Doc("Group name, used in logs and metrics")
            @DefaultValue("default")
            String name,

            @Doc("subscription (server pushes changes) or polling (the connector reads at poll-interval)")
            @DefaultValue("subscription")
            AcquisitionMode mode,

            @Doc("Subscription publishing interval")
            @DefaultValue("1s")
            Duration publishingInterval,

            @Doc("Polling interval (mode polling)")
            @DefaultValue("1s")
            Duration pollInterval,

            @Doc("Default sampling interval of the group's monitored items; 0s = as fast as the server can; "
                    + "default: the publishing interval")
            Optional<Duration> samplingInterval,

            @Doc("Default monitored item queue size (values kept between publishes)")
            @DefaultValue("1")
            @Range(min = 1, max = 100000)
            int queueSize,

            @Doc("When the queue overflows, drop the oldest value (true) or the newest (false)")
            @DefaultValue("true")
            boolean discardOldest,

            @Doc("Data change trigger: status, status-value or status-value-timestamp")
            @DefaultValue("status-value")
            Trigger trigger,

            @Doc("Default deadband: none, absolute or percent (percent of the node's EURange)")
            @DefaultValue("none")
            DeadbandType deadbandType,

            @Doc("Default deadband value (engineering units for absolute, 0..100 for percent)")
            @DefaultValue("0")
            double deadband,

            @Doc("EURange for percent deadbands in polling groups (subscriptions use the server's EURange property)")
            Optional<EuRange> euRange,

            @Doc("Prefix put in front of every tag name of the group, e.g. 'press3.'")
            @DefaultValue("")
            String tagPrefix,

            @Doc("Nodes picked by node id or browse path")
            List<NodeSpec> nodes,

            @Doc("Folders whose variables are discovered by browsing")
            List<FolderSpec> folders) {
    }

    /** One node, by id or by browse path, with optional per-node settings. */
    @Doc("One node: node-id (nsu=<namespace URI>;s=...) or browse-path (/Objects/Folder/Node)")
    public record NodeSpec(
            @Doc("Node id with a namespace URI, e.g. nsu=urn:vendor:plc;s=Line1.Speed (namespace 0 ids like i=2258 may omit nsu)")
            Optional<String> nodeId,

            @Doc("Browse path from the Objects folder, e.g. /Plant/Line1/Speed; a segment may carry a namespace "
                    + "URI in brackets: /[urn:vendor:plc]Plant/Speed")
            Optional<String> browsePath,

            @Doc("Tag name; default: the node's browse name")
            Optional<String> tag,

            @Doc("Sampling interval for this node")
            Optional<Duration> samplingInterval,

            @Doc("Queue size for this node")
            Optional<Integer> queueSize,

            @Doc("Deadband type for this node")
            Optional<DeadbandType> deadbandType,

            @Doc("Deadband value for this node")
            Optional<Double> deadband,

            @Doc("EURange for a percent deadband of this node in a polling group")
            Optional<EuRange> euRange,

            @Doc("Engineering unit attached to the samples")
            Optional<String> unit) {
    }

    /** Discovery of the variables under a folder. */
    @Doc("Discovers the variables under a folder")
    public record FolderSpec(
            @Doc("The folder: a node id (nsu=...;s=...) or a browse path (/Plant/Line1)")
            String root,

            @Doc("Glob patterns (* and ?, / between levels) on the path below the folder; default: everything")
            List<String> include,

            @Doc("Glob patterns of paths to leave out")
            List<String> exclude,

            @Doc("How many levels below the folder are browsed")
            @DefaultValue("5")
            @Range(min = 1, max = 32)
            int maxDepth,

            @Doc("Stop after this many variables (protects against huge address spaces)")
            @DefaultValue("50000")
            @Range(min = 1, max = 1000000)
            int maxNodes) {
    }

    @Doc("Engineering unit range")
    public record EuRange(@Doc("Lowest value of the range") double low, @Doc("Highest value of the range") double high) {
    }
}
