package io.sluice.destination.iotcore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TrackingSocketFactoryTest {

    /**
     * The MQTT client writes a message larger than one TLS record as several writes; with Nagle's algorithm the last
     * waits for the broker's ACK of the first (a delayed ACK, or a round trip), so every socket disables it.
     */
    @Test
    void socketsSendWithoutNaglesDelay() throws Exception {
        TrackingSocketFactory factory = new TrackingSocketFactory(SSLContext.getDefault().getSocketFactory());
        try (Socket unconnected = factory.createSocket()) {
            assertTrue(unconnected.getTcpNoDelay(), "the socket the MQTT client connects itself");
        }
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket connected = factory.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            assertTrue(connected.getTcpNoDelay(), "a socket made connected");
            assertEquals(TlsFailures.Progress.HANDSHAKING, factory.progress());
        }
    }
}
