package io.sluice.connector.opcda;

import io.sluice.spi.config.Secret;
import java.time.Duration;

/** Opens sessions to an OPC DA server. The DCOM implementation is {@code dcom.JiSessionFactory}. */
public interface OpcDaSessionFactory {

    /** Connects and creates the server object; throws OpcDaException on failure. */
    OpcDaServerSession open(ConnectionSettings settings);

    /**
     * Everything needed to reach one server.
     *
     * @param socketTimeout bounds every DCOM call
     */
    record ConnectionSettings(String host, String domain, String user, Secret password, ServerId server,
                              OpcDaConnectorConfig.ProgIdResolution progIdResolution, Duration socketTimeout,
                              boolean sessionSecurity, String clientName, int localeId, java.time.ZoneId dateZone) {
        @Override
        public String toString() {
            return "ConnectionSettings[host=" + host + ", domain=" + domain + ", user=" + user + ", server=" + server + "]";
        }
    }
}
