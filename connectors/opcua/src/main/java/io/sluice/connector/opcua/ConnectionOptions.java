package io.sluice.connector.opcua;

import io.sluice.connector.opcua.OpcUaConnectorConfig.SecurityMode;
import io.sluice.spi.config.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** What it takes to open a session: shared by the connector and {@code sluice opcua browse}. */
record ConnectionOptions(String endpoint, String securityPolicy, Optional<SecurityMode> securityMode,
                         Optional<String> username, Optional<Secret> password,
                         Optional<String> userCertificate, Optional<String> userPrivateKey,
                         Path pkiDirectory, boolean trustAll, String applicationUri,
                         Duration requestTimeout, Duration connectTimeout, Duration sessionTimeout,
                         Duration keepAliveInterval, int maxOutstandingPublishRequests) {

    static ConnectionOptions of(OpcUaConnectorConfig c, Path stateDirectory) {
        Path pki = c.pkiDirectory().map(Path::of).orElse(stateDirectory.resolve("pki"));
        return new ConnectionOptions(c.endpoint(), c.securityPolicy(), c.securityMode(), c.username(), c.password(),
                c.userCertificate(), c.userPrivateKey(), pki, c.trustAll(),
                c.applicationUri().orElse(defaultApplicationUri()), c.requestTimeout(), c.connectTimeout(),
                c.sessionTimeout(), c.keepAliveInterval(), c.maxOutstandingPublishRequests());
    }

    static String defaultApplicationUri() {
        return "urn:sluice:gateway:" + OpcUaPki.hostName();
    }

    /** The effective mode: the configured one, or none / sign-and-encrypt by policy. */
    SecurityMode effectiveMode() {
        String policy = NodeAddress.canonicalPolicy(securityPolicy);
        return securityMode.orElse("none".equals(policy) ? SecurityMode.NONE : SecurityMode.SIGN_AND_ENCRYPT);
    }
}
