package io.sluice.rigs.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy in front of a real TCP echo server on loopback. */
class FaultProxyIT {

    private ServerSocket echo;
    private ExecutorService echoThreads;
    private FaultProxy proxy;

    @BeforeEach
    void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "echo");
            t.setDaemon(true);
            return t;
        });
        echoThreads.execute(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    echoThreads.execute(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        proxy = FaultProxy.start(echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
        echoThreads.shutdownNow();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout(2_000);
        return s;
    }

    private static byte[] roundTrip(Socket s, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(sent);
        s.getOutputStream().flush();
        return s.getInputStream().readNBytes(sent.length);
    }

    @Test
    void passForwardsBothWays() throws IOException {
        try (Socket s = connect()) {
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), roundTrip(s, "hello"));
            assertArrayEquals("again".getBytes(StandardCharsets.UTF_8), roundTrip(s, "again"));
        }
        assertEquals(1, proxy.connectionsAccepted());
        assertTrue(proxy.bytesForwarded() >= 20);
    }

    @Test
    void delayHoldsEachChunk() throws IOException {
        proxy.delay(Duration.ofMillis(300));
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            assertArrayEquals("slow".getBytes(StandardCharsets.UTF_8), roundTrip(s, "slow"));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(millis >= 550, "round trip took only " + millis + " ms; two hops of 300 ms expected");
        }
    }

    @Test
    void dropClosesNewConnectionsButKeepsOpenOnes() throws IOException {
        try (Socket open = connect()) {
            roundTrip(open, "x");
            proxy.drop();
            try (Socket s = connect()) {
                s.getOutputStream().write(1);
                assertEquals(-1, s.getInputStream().read(), "a dropped connection reads end of stream");
            }
            assertArrayEquals("still".getBytes(StandardCharsets.UTF_8), roundTrip(open, "still"));
        }
        assertEquals(1, proxy.connectionsRefused());
    }

    @Test
    void blackholeSwallowsEverythingUntilRestored() throws IOException {
        try (Socket before = connect()) {
            roundTrip(before, "ok");
            proxy.blackhole();
            before.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
            assertThrows(SocketTimeoutException.class, () -> before.getInputStream().read());
            try (Socket during = connect()) {
                during.getOutputStream().write("lost too".getBytes(StandardCharsets.UTF_8));
                assertThrows(SocketTimeoutException.class, () -> during.getInputStream().read());
            }
            proxy.pass();
            try (Socket after = connect()) {
                assertArrayEquals("back".getBytes(StandardCharsets.UTF_8), roundTrip(after, "back"));
            }
            // the connection that lived through the outage stays dead, as after a real partition
            before.getOutputStream().write("x".getBytes(StandardCharsets.UTF_8));
            assertThrows(SocketTimeoutException.class, () -> before.getInputStream().read());
        }
        assertTrue(proxy.bytesSwallowed() >= 12);
    }

    @Test
    void resetAbortsOpenAndNewConnections() throws IOException {
        try (Socket open = connect()) {
            roundTrip(open, "ok");
            proxy.reset();
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 50; i++) {
                    open.getOutputStream().write(new byte[1024]);
                    if (open.getInputStream().read() < 0) throw new IOException("closed");
                }
            });
        }
        try (Socket s = connect()) {
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 50; i++) {
                    s.getOutputStream().write(new byte[1024]);
                    if (s.getInputStream().read() < 0) throw new IOException("closed");
                }
            });
        }
        proxy.apply("pass");
        try (Socket s = connect()) {
            assertArrayEquals("fine".getBytes(StandardCharsets.UTF_8), roundTrip(s, "fine"));
        }
    }

    @Test
    void applyParsesModes() {
        proxy.apply("delay:25");
        assertEquals(FaultProxy.Mode.DELAY, proxy.mode());
        proxy.apply("BLACKHOLE");
        assertEquals(FaultProxy.Mode.BLACKHOLE, proxy.mode());
        assertThrows(IllegalArgumentException.class, () -> proxy.apply("flaky"));
    }
}
