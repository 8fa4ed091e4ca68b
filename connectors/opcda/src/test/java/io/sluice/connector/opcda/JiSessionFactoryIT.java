package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.opcda.dcom.JiSessionFactory;
import io.sluice.spi.config.Secret;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The DCOM path up to the socket, with the real j-Interop stack: a host that refuses port 135 (loopback on Linux,
 * where no RPC endpoint mapper runs) must fail fast as a "connection lost" error the connector retries, and the
 * password must not appear in the message.
 */
class JiSessionFactoryIT {

    @Test
    void refusedEndpointMapperIsARetryableConnectionLoss() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(!isListening(135),
                "something listens on 127.0.0.1:135; cannot test a refused connection");
        var settings = new OpcDaSessionFactory.ConnectionSettings("127.0.0.1", "", "gateway", new Secret("very-secret-pw"),
                ServerId.parseClsid("F8582CF2-88FB-11D0-B850-00C0F0104305"), OpcDaConnectorConfig.ProgIdResolution.OPCENUM,
                Duration.ofSeconds(5), false, "sluice-it", 0, java.time.ZoneId.of("UTC"));
        long start = System.nanoTime();
        OpcDaException e = assertThrows(OpcDaException.class, () -> new JiSessionFactory().open(settings));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.connectionLost(), "a refused connection must count as lost: " + e);
        assertTrue(e.retryable());
        assertTrue(!String.valueOf(e.getMessage()).contains("very-secret-pw"), e.getMessage());
        assertTrue(millis < 30_000, "took " + millis + " ms");
        System.out.println("refused connection reported as: " + e.getMessage());
    }

    private static boolean isListening(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
